#pragma once

// Kubernetes strategic merge patch (apimachinery's strategicpatch.StrategicMergePatch, as
// Istio 1.30 applies each rendered injection template to the pod), driven by the type table:
// per field the patch strategy (lists without "merge" are replaced whole, maps merge) and the
// merge key that pairs list items (containers by name, ports by containerPort, volumes by
// name, env by name, ...).
//
// Directives in the patch:
//   * null value: delete the field;
//   * `$patch: replace` in a map (use it as given) or as a list item (the list becomes the
//     patch's items); `$patch: delete` in a map (it becomes {}) or as a list item with a merge
//     key (delete matching items); `$patch: merge` is an error, as in apimachinery;
//   * `$retainKeys: [..]`: drop the other fields of the original map (every field the patch
//     sets must be listed);
//   * `$setElementOrder/<list>: [..]`: the order of the merged list's patch items;
//   * `$deleteFromPrimitiveList/<list>: [..]`: remove these values from a primitive list.
// Merged lists are ordered as apimachinery orders them: patch items in patch (or
// $setElementOrder) order, original-only items interleaved by their original positions.
//
// Go's comparisons panic on maps used as merge-key values or primitive-list items, and on
// null list items; those are errors here. Errors name the JSON path.

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "kube/schema_version.h"

namespace sidecar::kube {

// `original` must be a JSON object; `patch` an object or null (no change). `goType` names
// the struct of the table both describe ("Pod", "v1.PodSpec", ...).
Expected<nlohmann::json> strategicMergePatch(nlohmann::json original, nlohmann::json patch,
                                             std::string_view goType,
                                             SchemaVersion version = SchemaVersion::Kubernetes135);

}  // namespace sidecar::kube
