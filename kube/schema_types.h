#pragma once

// The declarative table of Kubernetes Go types, shared by the typed decoder (schema.h), the
// strategic merge patch (strategic_merge.h) and inject's template objects. Two eras:
// Kubernetes 1.16 (what Istio 1.4 was built with) and k8s.io/api v0.35 (what Istio 1.30
// pins, with everything of 1.34: container restartPolicy, resizePolicy, gRPC probes, the
// sleep lifecycle action, ...). Type expressions: "*T" pointer, "[]T" slice, "map[string]T"
// map; leaves: string, bool, int32, int64, float64, IntOrString, Quantity, Time, Raw (kept as
// given); anything else names a struct of the table.

#include <string_view>
#include <vector>

#include "kube/schema_version.h"

namespace sidecar::kube {

struct FieldDef {
  std::string_view name;  // JSON name; empty for an inlined struct (",inline" / embedding)
  std::string_view type;
  bool omitEmpty;
  // Strategic-merge metadata, from the `patchStrategy` / `patchMergeKey` struct tags
  // ("merge", "replace", "retainKeys", "merge,retainKeys") and the `+listType` /
  // `+listMapKey` markers (informational: apimachinery's strategic merge reads only the tags).
  std::string_view patchStrategy = {};
  std::string_view patchMergeKey = {};
  std::string_view listType = {};
  std::string_view listMapKeys = {};  // comma-separated
  // The Go field name; filled in by the registry (the JSON name with a capital first letter
  // unless Go spells an acronym: UID, DNSPolicy, HTTPGet, ...).
  std::string_view goName = {};
};

struct StructDef {
  std::string_view name;
  std::vector<FieldDef> fields;  // inlined structs already flattened
};

// nullptr when unknown. `name` may carry a package ("v1.Container").
const StructDef* findStruct(std::string_view name,
                            SchemaVersion version = SchemaVersion::Kubernetes116);

// The field with JSON name `jsonName` as encoding/json matches it (exact, else ASCII
// case-insensitive); nullptr when the struct has none.
const FieldDef* findField(const StructDef& def, std::string_view jsonName);

// The element / pointee type of a type expression: "[]Container" -> "Container",
// "*Probe" -> "Probe", "map[string]Quantity" -> "Quantity"; the type itself otherwise.
std::string_view elementType(std::string_view type);

namespace detail {
// The struct definitions that k8s.io/api v0.35 changed or added over the 1.16 table.
const std::vector<StructDef>& kubernetes135Overrides();
}  // namespace detail

}  // namespace sidecar::kube
