#pragma once

// Go's conversion of an evaluated template argument to a function's typed parameter, with
// text/template's messages: "invalid value; expected string" for nil or no value, "wrong type
// for value; expected int; got float64" otherwise. Functions with typed Go parameters (sprig's,
// Istio's) use these so their errors read like Go's.

#include <cstdint>
#include <span>
#include <string>

#include "common/expected.h"
#include "template/value.h"

namespace sidecar::tmpl::args {

Expected<std::string> string(std::span<const Value> args, size_t i);
Expected<int64_t> integer(std::span<const Value> args, size_t i);
Expected<bool> boolean(std::span<const Value> args, size_t i);
// A map parameter of Go type `goType` ("map[string]string", "map[string]interface {}"); nil
// is the empty (nil) map. `anyMap` accepts any map (map[string]interface {} parameters).
Expected<const MapValue::Entries*> map(std::span<const Value> args, size_t i,
                                       std::string_view goType, bool anyMap);

}  // namespace sidecar::tmpl::args
