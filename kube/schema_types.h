#pragma once

// Internal: the declarative table of Kubernetes 1.16 (and openshift apps/v1) Go types that
// decodeTyped walks. Type expressions: "*T" pointer, "[]T" slice, "map[string]T" map;
// leaves: string, bool, int32, int64, float64, IntOrString, Quantity, Time, Raw (kept as
// given); anything else names a struct of the table.

#include <string_view>
#include <vector>

namespace sidecar::kube::detail {

struct FieldDef {
  std::string_view name;  // JSON name; empty for an inlined struct (",inline" / embedding)
  std::string_view type;
  bool omitEmpty;
};

struct StructDef {
  std::string_view name;
  std::vector<FieldDef> fields;  // inlined structs already flattened
};

// nullptr when unknown.
const StructDef* findStruct(std::string_view name);

}  // namespace sidecar::kube::detail
