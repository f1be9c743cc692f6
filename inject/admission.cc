#include "inject/admission.h"

#include "inject/injector.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object()) {
    return "";
  }
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string_view outcomeReason(const AdmissionOutcome& outcome) {
  if (outcome.kind == AdmissionOutcome::Kind::Failed && outcome.decision.reason == Reason::Injected) {
    return "invalid_pod";
  }
  return reasonName(outcome.decision.reason);
}

AdmissionOutcome admitPod(const InjectionConfig& config, std::string_view podJson, std::string_view requestNamespace) {
  AdmissionOutcome outcome;
  json pod = json::parse(podJson, nullptr, false);
  if (pod.is_discarded() || !pod.is_object()) {
    outcome.kind = AdmissionOutcome::Kind::Failed;
    outcome.decision = {false, Reason::Injected, "the pod is not a JSON object"};
    outcome.message = "could not decode the pod: not a JSON object";
    return outcome;
  }
  // Managed fields are large and never read: drop them before anything else.
  json metadata = pod.contains("metadata") && pod["metadata"].is_object() ? std::move(pod["metadata"]) : json::object();
  metadata.erase("managedFields");
  json spec = pod.contains("spec") && pod["spec"].is_object() ? std::move(pod["spec"]) : json::object();

  json templateMeta = metadata;
  if (str(templateMeta, "namespace").empty()) {
    templateMeta["namespace"] = std::string(requestNamespace);
  }
  outcome.decision = decidePolicy(config, templateMeta, spec, str(templateMeta, "namespace"));
  outcome.message = outcome.decision.explanation;
  if (!outcome.decision.inject) {
    outcome.kind = AdmissionOutcome::Kind::Skipped;
    return outcome;
  }

  // .DeploymentMeta and .TypeMeta: the controller owner for generated pods, else the pod.
  json deployMeta = templateMeta;
  deployMeta["namespace"] = std::string(requestNamespace);
  std::string apiVersion = "v1";
  std::string kind = "Pod";
  if (!str(metadata, "generateName").empty()) {
    auto owners = metadata.find("ownerReferences");
    if (owners != metadata.end() && owners->is_array()) {
      for (const auto& ref : *owners) {
        if (!ref.is_object() || !ref.value("controller", false)) {
          continue;
        }
        apiVersion = str(ref, "apiVersion");
        kind = str(ref, "kind");
        std::string ownerName = str(ref, "name");
        std::string hash;
        if (auto labels = metadata.find("labels"); labels != metadata.end() && labels->is_object()) {
          hash = str(*labels, "pod-template-hash");
        }
        if (kind == "ReplicaSet" && ownerName.size() >= hash.size() &&
            ownerName.compare(ownerName.size() - hash.size(), hash.size(), hash) == 0) {
          std::string suffix = "-" + hash;
          if (ownerName.size() >= suffix.size() &&
              ownerName.compare(ownerName.size() - suffix.size(), suffix.size(), suffix) == 0) {
            ownerName.resize(ownerName.size() - suffix.size());
          }
          kind = "Deployment";
        }
        deployMeta["name"] = ownerName;
        break;
      }
    }
  }
  if (str(deployMeta, "name").empty()) {
    deployMeta["name"] = str(metadata, "name");
  }

  PodInput input;
  input.metadata = std::make_shared<const json>(std::move(templateMeta));
  input.spec = std::make_shared<const json>(spec);
  input.deploymentMeta = std::make_shared<const json>(std::move(deployMeta));
  input.apiVersion = apiVersion;
  input.kind = kind;
  input.frontend = Frontend::Webhook;
  auto result = injectPod(config, input);
  if (!result) {
    outcome.kind = AdmissionOutcome::Kind::Failed;
    const std::string& message = result.error().message;
    bool invalidAnnotation = message.rfind("invalid value '", 0) == 0;
    outcome.decision = {false, invalidAnnotation ? Reason::InvalidAnnotation : Reason::TemplateError, message};
    outcome.message = message;
    return outcome;
  }
  outcome.warnings = std::move(result->warnings);
  json patch = buildPatch(config, *result, metadata, spec);
  outcome.patch = patch.dump();
  outcome.kind = AdmissionOutcome::Kind::Patched;
  return outcome;
}

}  // namespace sidecar::inject
