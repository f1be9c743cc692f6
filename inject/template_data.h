#pragma once

// The data an injection template executes over (Istio's SidecarTemplateData), as template
// objects with Go's field semantics: Kubernetes structs whose absent fields read as zero values
// (strings "", maps empty), protobuf messages with nil-safe Get* getters, enums that print their
// names and are false at zero, and durations for formatDuration.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "inject/mesh_config.h"
#include "kube/schema_version.h"
#include "template/value.h"

namespace sidecar::inject {

using JsonPtr = std::shared_ptr<const nlohmann::json>;

// A Kubernetes struct (JSON as produced by kube::decodeTyped) of Go type `goType`
// ("v1.ObjectMeta", "v1.PodSpec", "v1.Container", "v1.ContainerPort", ...) as the type table
// of `version` defines it. `node` points into `root` (kept alive by the object); null means
// the struct is absent (all zero). `goType` must outlive the value (a literal or a table name).
tmpl::Value makeKubeValue(JsonPtr root, const nlohmann::json* node, std::string_view goType,
                          kube::SchemaVersion version = kube::SchemaVersion::Kubernetes116);

// A protobuf message of MeshConfig/ProxyConfig shape; node null is a nil message pointer.
tmpl::Value makeProtoValue(JsonPtr root, const nlohmann::json* node, const ProtoMessage& desc);

// A plain Go struct with fixed fields; asking for any other field is an error, as in Go.
tmpl::Value makeStructValue(std::string typeName, tmpl::MapValue::Entries fields);

// Accessors used by the template functions. A function that reads a Kubernetes value's JSON
// directly must either read only named members that can never hold a service-account volume
// name (ports, annotations) or report the subtree it reads to PlaceholderWatch::noteJson, as
// objectToJson does; otherwise AdmissionCache could reuse a result that depended on it.
struct KubeView {
  const nlohmann::json* node = nullptr;  // null when absent
  std::string_view goType;               // without its package: "ContainerPort"
};
std::optional<KubeView> kubeView(const tmpl::Value& v);
// The message JSON of a proto value; nullopt when `v` is not a proto message, a null
// pointer inside when it is a nil message.
std::optional<const nlohmann::json*> protoView(const tmpl::Value& v);
// The nanoseconds of a duration value: nullopt when not a duration, an empty inner optional
// for a nil duration.
std::optional<std::optional<int64_t>> durationView(const tmpl::Value& v);

// JSON of a host object as encoding/json would write it (Kubernetes structs as decoded,
// proto messages with their protobuf-JSON names, enums as names).
nlohmann::json objectToJson(const tmpl::Object& object);

// Everything a template sees for one pod.
struct TemplateDataInput {
  JsonPtr objectMeta;      // the pod (template) metadata; may be null
  JsonPtr podSpec;         // the pod spec; may be null
  JsonPtr deploymentMeta;  // the workload metadata (.DeploymentMeta)
  std::string apiVersion;  // .TypeMeta
  std::string kind;
};

struct TemplateEnvironment {
  tmpl::Value proxyConfig;  // from makeMeshValues
  tmpl::Value meshConfig;
  tmpl::Value values;  // Invalid for 1.1-era configs (no .Values field)
  bool legacy = false;  // 1.1: no .Values, no .TypeMeta
};

// Builds .ProxyConfig and .MeshConfig once per compiled config.
void makeMeshValues(const std::shared_ptr<const MeshConfig>& mesh, TemplateEnvironment& env);

tmpl::Value makeTemplateData(const TemplateDataInput& input, const TemplateEnvironment& env);

}  // namespace sidecar::inject
