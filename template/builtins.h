#pragma once

// Go's predefined template functions that work on evaluated arguments (all but and/or,
// which the executor short-circuits itself).

#include <span>

#include "common/expected.h"
#include "template/ast.h"
#include "template/template.h"
#include "template/value.h"

namespace sidecar::tmpl::builtins {

struct Arity {
  int min = 0;
  int max = -1;  // -1: variadic
};

Arity arity(ast::Builtin id);

// Runs builtin `id`. Errors carry Go's messages ("index out of range: 3"); the executor
// prefixes "error calling NAME: " and the template position.
Expected<Value> call(ast::Builtin id, std::span<const Value> args, const CallContext& ctx,
                     GoVersion version = GoVersion::Go113);

}  // namespace sidecar::tmpl::builtins
