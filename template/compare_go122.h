#pragma once

// eq/ne/lt/le/gt/ge as Go 1.18 and later define them (Istio 1.30 is built with Go 1.2x):
//  * "no value" and nil compare without error: `eq .missing "x"` is false, `eq nil nil` true;
//  * two non-basic values compare when Go's == allows it (objects by identity) and fail for
//    lists and maps ("non-comparable type");
//  * mismatched basic kinds fail naming both types ("incompatible types for comparison: int
//    and string").
// Go 1.13's versions (builtins.cc) stay the default for the 1.4 era.

#include <span>

#include "common/expected.h"
#include "template/value.h"

namespace sidecar::tmpl::builtins {

Expected<bool> equalGo122(const Value& a, std::span<const Value> others);
Expected<bool> lessGo122(const Value& a, const Value& b);

}  // namespace sidecar::tmpl::builtins
