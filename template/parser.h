#pragma once

// Builds the parse trees of Template::Impl from its source text (text/template/parse's
// parser): one tree for the main text plus one per {{define}} and {{block}}.

#include <string>
#include <string_view>

#include "common/expected.h"
#include "template/ast.h"

namespace sidecar::tmpl {

// Deepest nesting of control structures and parenthesised pipelines accepted; it bounds
// the C++ recursion of both parser and executor.
inline constexpr int kMaxParseDepth = 150;

// Parses impl.text into impl.trees and sets impl.main. Errors read
// "template: NAME:LINE:COL: message".
Expected<void> parseInto(Template::Impl& impl, const ParseOptions& options);

// Go's strconv.Unquote for "..." and `...` literals and the value of a '.' char constant.
Expected<std::string> unquote(std::string_view literal);

}  // namespace sidecar::tmpl
