#include "inject/admission.h"

#include <simdjson.h>

#include <exception>

#include "inject/injector.h"
#include "kube/json_access.h"
#include "inject/raw_json.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;
namespace dom = simdjson::dom;

// simdjson element -> nlohmann JSON. Container env lists, which can be huge and are never
// needed by the patch, stay raw bytes (see raw_json.h) and are only parsed if a template
// asks for them.
json convert(dom::element value, bool rawEnv);

json convertObject(dom::object object, bool rawEnv) {
  json out = json::object();
  for (auto [key, v] : object) {
    if (rawEnv && (key == "env" || key == "envFrom") && v.is_array()) {
      out[std::string(key)] = makeRawJson(simdjson::minify(v));
      continue;
    }
    out[std::string(key)] = convert(v, false);
  }
  return out;
}

json convert(dom::element value, bool rawEnv) {
  switch (value.type()) {
    case dom::element_type::OBJECT: {
      dom::object object = value.get_object().value_unsafe();
      return convertObject(object, rawEnv);
    }
    case dom::element_type::ARRAY: {
      json out = json::array();
      dom::array items = value.get_array().value_unsafe();
      for (dom::element item : items) {
        out.push_back(convert(item, rawEnv));
      }
      return out;
    }
    case dom::element_type::INT64:
      return value.get_int64().value_unsafe();
    case dom::element_type::UINT64:
      return value.get_uint64().value_unsafe();
    case dom::element_type::DOUBLE:
      return value.get_double().value_unsafe();
    case dom::element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case dom::element_type::BOOL:
      return value.get_bool().value_unsafe();
    case dom::element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

// Reads only metadata (without managedFields) and spec of the pod. The whole document is
// validated (simdjson's DOM parse), but only these two subtrees are converted.
bool parsePod(std::string_view podJson, json& metadata, json& spec) {
  // One parser per thread: its buffers are reused across requests.
  thread_local dom::parser parser;
  dom::element root;
  if (parser.parse(podJson.data(), podJson.size(), true).get(root) != simdjson::SUCCESS) {
    return false;
  }
  dom::object pod;
  if (root.get_object().get(pod) != simdjson::SUCCESS) {
    return false;
  }
  dom::object object;
  if (pod["metadata"].get_object().get(object) == simdjson::SUCCESS) {
    for (auto [key, v] : object) {
      if (key == "managedFields") {
        continue;  // large and never read: dropped before anything else
      }
      metadata[std::string(key)] = convert(v, false);
    }
  }
  if (pod["spec"].get_object().get(object) == simdjson::SUCCESS) {
    for (auto [key, v] : object) {
      spec[std::string(key)] = convert(v, key == "containers" || key == "initContainers");
    }
  }
  return true;
}

}  // namespace

std::string_view outcomeReason(const AdmissionOutcome& outcome) { return reasonName(outcome.decision.reason); }

namespace {

AdmissionOutcome admitPodUnchecked(const InjectionConfig& config, std::string_view podJson,
                                   std::string_view requestNamespace) {
  AdmissionOutcome outcome;
  json metadata = json::object();
  json spec = json::object();
  if (!parsePod(podJson, metadata, spec)) {
    outcome.kind = AdmissionOutcome::Kind::Failed;
    outcome.decision = {false, Reason::InvalidPod, "the pod is not a JSON object"};
    outcome.message = "could not decode the pod: not a valid JSON object";
    return outcome;
  }

  json templateMeta = metadata;
  if (kube::stringMember(templateMeta, "namespace").empty()) {
    templateMeta["namespace"] = std::string(requestNamespace);
  }
  outcome.decision = decidePolicy(config, templateMeta, spec, kube::stringMember(templateMeta, "namespace"));
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
  if (!kube::stringMember(metadata, "generateName").empty()) {
    auto owners = metadata.find("ownerReferences");
    if (owners != metadata.end() && owners->is_array()) {
      for (const auto& ref : *owners) {
        auto controller = ref.is_object() ? ref.find("controller") : ref.end();
        if (!ref.is_object() || controller == ref.end() || !controller->is_boolean() || !controller->get<bool>()) {
          continue;
        }
        apiVersion = kube::stringMember(ref, "apiVersion");
        kind = kube::stringMember(ref, "kind");
        std::string ownerName = kube::stringMember(ref, "name");
        std::string hash;
        if (auto labels = metadata.find("labels"); labels != metadata.end() && labels->is_object()) {
          hash = kube::stringMember(*labels, "pod-template-hash");
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
  if (kube::stringMember(deployMeta, "name").empty()) {
    deployMeta["name"] = kube::stringMember(metadata, "name");
  }

  PodInput input;
  input.metadata = std::make_shared<const json>(std::move(templateMeta));
  auto sharedSpec = std::make_shared<const json>(std::move(spec));
  input.spec = sharedSpec;
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
  json patch = buildPatch(config, *result, metadata, *sharedSpec);
  outcome.patch = patch.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  outcome.kind = AdmissionOutcome::Kind::Patched;
  return outcome;
}

}  // namespace

AdmissionOutcome admitPod(const InjectionConfig& config, std::string_view podJson, std::string_view requestNamespace) {
  try {
    return admitPodUnchecked(config, podJson, requestNamespace);
  } catch (const std::exception& e) {
    AdmissionOutcome outcome;
    outcome.kind = AdmissionOutcome::Kind::Failed;
    outcome.decision = {false, Reason::TemplateError, e.what()};
    outcome.message = std::string("injection failed: ") + e.what();
    return outcome;
  }
}

}  // namespace sidecar::inject
