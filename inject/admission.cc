#include "inject/admission.h"

#include <simdjson.h>

#include <exception>

#include "inject/injector.h"
#include "inject/raw_json.h"
#include "inject/workload_identity.h"
#include "kube/json_access.h"
#include "kube/type_check.h"

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
    outcome.code = ErrorCode::InvalidArgument;
    return outcome;
  }
  // Istio decodes the pod into corev1.Pod before anything reads it; the same check here
  // keeps a mistyped field a bad request instead of an exception deep in the injection.
  for (auto [part, goType] : {std::pair{&metadata, "ObjectMeta"}, std::pair{&spec, "PodSpec"}}) {
    auto typed = kube::checkGoTypes(*part, goType, part == &metadata ? "metadata" : "spec");
    if (!typed) {
      outcome.kind = AdmissionOutcome::Kind::Failed;
      outcome.decision = {false, Reason::InvalidPod, typed.error().message};
      outcome.message = "could not decode the pod: " + typed.error().message;
      outcome.code = typed.error().code;
      return outcome;
    }
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
  const WorkloadIdentity workload = workloadOf(metadata);
  json deployMeta = templateMeta;
  deployMeta["namespace"] = std::string(requestNamespace);
  deployMeta["name"] = workload.name;

  PodInput input;
  input.metadata = std::make_shared<const json>(std::move(templateMeta));
  auto sharedSpec = std::make_shared<const json>(std::move(spec));
  input.spec = sharedSpec;
  input.deploymentMeta = std::make_shared<const json>(std::move(deployMeta));
  input.apiVersion = workload.apiVersion;
  input.kind = workload.kind;
  input.frontend = Frontend::Webhook;
  auto result = injectPod(config, input);
  if (!result) {
    outcome.kind = AdmissionOutcome::Kind::Failed;
    const Error& error = result.error();
    const Reason reason = error.code == ErrorCode::InvalidArgument ? Reason::InvalidAnnotation
                          : error.code == ErrorCode::Internal      ? Reason::InternalError
                                                                   : Reason::TemplateError;
    outcome.decision = {false, reason, error.message};
    outcome.message = error.message;
    outcome.code = error.code;
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
    // Pod data was type-checked on decoding, so what escapes here is a bug of ours.
    outcome.decision = {false, Reason::InternalError, e.what()};
    outcome.message = std::string("internal error while injecting: ") + e.what();
    outcome.code = ErrorCode::Internal;
    return outcome;
  }
}

}  // namespace sidecar::inject
