#pragma once

// Sprig (github.com/Masterminds/sprig/v3, v3.3.0: what Istio 1.30 registers with
// sprig.TxtFuncMap()). Every sprig function name is registered, so any template naming one
// parses as in Istio. The ones injection templates use are implemented with sprig's
// semantics (strings, lists, dicts, defaults, conversions, integer math, base64, regexes,
// semverCompare, JSON through the hooks below); the others fail when executed with
// `function "NAME" is not supported`, never at parse time. sprigFunctionNames() lists all.
//
// Deviations (values are immutable and shared here, and template/ does no I/O):
//  * set/unset return a changed copy; other references to the dict do not see the change;
//  * keys/values return sorted keys (Go's map order is random);
//  * regexes use std::regex's ECMAScript grammar, not RE2 (same for the common subset);
//  * upper/lower/title/nospace work on ASCII letters and spaces only;
//  * env/expandenv, random, crypto, date, network and path functions are not supported.

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "common/expected.h"
#include "template/template.h"

namespace sidecar::tmpl {

enum class JsonStyle {
  Compact,  // json.Marshal
  Pretty,   // json.MarshalIndent(v, "", "  ")
  Raw,      // json.Encoder with SetEscapeHTML(false), final newline trimmed
};

// JSON is the host's business (it knows how its objects marshal); without these hooks the
// JSON functions report themselves unsupported.
struct SprigHooks {
  std::function<Expected<std::string>(const Value&, JsonStyle)> marshalJson;
  std::function<Expected<Value>(std::string_view)> unmarshalJson;  // interface{} typing
};

// Adds sprig's functions to `funcs` (entries already there are replaced, as Funcs() does).
void addSprigFunctions(FuncMap& funcs, const SprigHooks& hooks = {});

// All of sprig.TxtFuncMap()'s names, sorted.
std::span<const std::string_view> sprigFunctionNames();

// Masterminds/semver v3's Constraint.Check; errors for unparsable constraints or versions.
Expected<bool> semverCompare(std::string_view constraint, std::string_view version);

}  // namespace sidecar::tmpl
