#include "inject/kube_inject.h"
#include "kube/json_access.h"

#include <exception>

#include "inject/injector.h"
#include "kube/documents.h"
#include "kube/schema.h"
#include "kube/yaml.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;

std::string kindOf(const json& object) { return kube::stringMember(object, "kind"); }

json& objectAt(json& parent, const char* key) {
  json& child = parent[key];
  if (!child.is_object()) {
    child = json::object();
  }
  return child;
}

}  // namespace

bool isInjectableKind(std::string_view kind) {
  return kind == "ReplicationController" || kind == "Pod" || kind == "Deployment" || kind == "DaemonSet" ||
         kind == "ReplicaSet" || kind == "Job" || kind == "CronJob" || kind == "StatefulSet" || kind == "List" ||
         kind == "DeploymentConfig";
}

Expected<void> kubeInjectObject(const InjectionConfig& config, json& object, std::string& warnings) {
  std::string kind = kindOf(object);
  if (kind == "List") {
    auto items = object.find("items");
    if (items == object.end() || !items->is_array()) {
      return {};
    }
    for (size_t i = 0; i < items->size(); ++i) {
      json& item = (*items)[i];
      std::string itemKind = kindOf(item);
      if (!isInjectableKind(itemKind)) {
        continue;  // kept as the raw item
      }
      auto typed = kube::decodeTyped(item, itemKind);
      if (!typed) {
        return fail("List item " + std::to_string(i) + ": " + typed.error().message);
      }
      item = std::move(*typed);
      auto injected = kubeInjectObject(config, item, warnings);
      if (!injected) {
        return fail("List item " + std::to_string(i) + ": " + injected.error().message);
      }
    }
    return {};
  }

  json& workloadMeta = objectAt(object, "metadata");
  json* metadata = nullptr;
  json* podSpec = nullptr;
  if (kind == "Pod") {
    metadata = &workloadMeta;
    podSpec = &objectAt(object, "spec");
  } else if (kind == "CronJob") {
    // The job template's metadata, not the pod template's, is .ObjectMeta for CronJobs.
    json& jobTemplate = objectAt(objectAt(object, "spec"), "jobTemplate");
    metadata = &objectAt(jobTemplate, "metadata");
    podSpec = &objectAt(objectAt(objectAt(jobTemplate, "spec"), "template"), "spec");
  } else {
    json& spec = objectAt(object, "spec");
    auto tmplIt = spec.find("template");
    if ((tmplIt == spec.end() || tmplIt->is_null()) && (kind == "ReplicationController" || kind == "DeploymentConfig")) {
      return fail("spec.template is required value");
    }
    json& podTemplate = objectAt(spec, "template");
    metadata = &objectAt(podTemplate, "metadata");
    podSpec = &objectAt(podTemplate, "spec");
  }

  std::string name = kube::stringMember(*metadata, "name");
  if (name.empty()) {
    name = kube::stringMember(workloadMeta, "name");
  }
  auto hostNetwork = podSpec->find("hostNetwork");
  if (hostNetwork != podSpec->end() && hostNetwork->is_boolean() && hostNetwork->get<bool>()) {
    warnings += "Skipping injection because \"" + name + "\" has host networking enabled\n";
    return {};
  }
  auto containers = podSpec->find("containers");
  if (containers != podSpec->end() && containers->is_array() && containers->size() > 1) {
    for (const auto& c : *containers) {
      if (kube::stringMember(c, "name") == "istio-proxy") {
        return {};  // already injected
      }
    }
  }

  PodInput input;
  input.metadata = std::make_shared<const json>(*metadata);
  input.spec = std::make_shared<const json>(*podSpec);
  input.deploymentMeta = kind == "Pod" ? input.metadata : std::make_shared<const json>(workloadMeta);
  input.apiVersion = kube::stringMember(object, "apiVersion");
  input.kind = kind;
  input.frontend = Frontend::KubeInject;
  auto result = injectPod(config, input);
  if (!result) {
    return Unexpected<Error>(result.error());
  }
  mergeIntoPod(config, *result, Frontend::KubeInject, *metadata, *podSpec);
  return {};
}

namespace {

Expected<void> kubeInjectUnchecked(const InjectionConfig& config, std::string_view inputYaml, std::string& out,
                                   std::string& warnings) {
  auto documents = kube::splitDocuments(inputYaml);
  for (size_t i = 0; i < documents.size(); ++i) {
    const auto& doc = documents[i];
    std::string where = "document " + std::to_string(i + 1) + " (line " + std::to_string(doc.firstLine) + ")";
    auto parsed = kube::parseYaml(doc.text);
    if (!parsed) {
      return fail(where + ": " + parsed.error().message);
    }
    std::string kind = kindOf(*parsed);
    if (!isInjectableKind(kind)) {
      out.append(doc.text);
      out += "---\n";
      continue;
    }
    auto typed = kube::decodeTyped(*parsed, kind);
    if (!typed) {
      return fail(where + ": " + typed.error().message);
    }
    auto injected = kubeInjectObject(config, *typed, warnings);
    if (!injected) {
      return fail(where + ": " + injected.error().message);
    }
    out += kube::toYaml(*typed);
    out += "---\n";
  }
  return {};
}

}  // namespace

Expected<void> kubeInject(const InjectionConfig& config, std::string_view inputYaml, std::string& out,
                          std::string& warnings) {
  try {
    return kubeInjectUnchecked(config, inputYaml, out, warnings);
  } catch (const std::exception& e) {
    return fail(std::string("kube-inject: ") + e.what());
  }
}

}  // namespace sidecar::inject
