#include "controller/drift/expectation.h"
#include "kube/json_access.h"

#include "inject/injector.h"

namespace sidecar::drift {

namespace {

using nlohmann::json;
using kube::stringMember;

std::vector<std::string> namesOf(const json& list) {
  std::vector<std::string> out;
  if (list.is_array()) {
    for (const auto& item : list) {
      out.push_back(stringMember(item, "name"));
    }
  }
  return out;
}

// .DeploymentMeta / .TypeMeta as the webhook derives them for a generated pod: the
// controller owner, with a ReplicaSet's pod-template-hash suffix folded into its Deployment.
void workloadIdentity(const PodRecord& pod, json& deployMeta, std::string& apiVersion, std::string& kind) {
  deployMeta = *pod.metadata;
  apiVersion = "v1";
  kind = "Pod";
  if (!pod.controller || stringMember(*pod.metadata, "generateName").empty()) {
    return;
  }
  std::string ownerName = pod.controller->name;
  kind = pod.controller->kind;
  if (auto owners = pod.metadata->find("ownerReferences"); owners != pod.metadata->end()) {
    for (const auto& ref : *owners) {
      if (stringMember(ref, "name") == ownerName && stringMember(ref, "kind") == kind) {
        apiVersion = stringMember(ref, "apiVersion");
        break;
      }
    }
  }
  std::string hash;
  if (auto labels = pod.metadata->find("labels"); labels != pod.metadata->end()) {
    hash = stringMember(*labels, "pod-template-hash");
  }
  std::string suffix = "-" + hash;
  if (kind == "ReplicaSet" && !hash.empty() && ownerName.size() > suffix.size() &&
      ownerName.compare(ownerName.size() - suffix.size(), suffix.size(), suffix) == 0) {
    ownerName.resize(ownerName.size() - suffix.size());
    kind = "Deployment";
  }
  deployMeta["name"] = ownerName;
}

}  // namespace

Expectation computeExpectation(const inject::InjectionConfig& config, const PodRecord& pod,
                               const json* namespaceObject, const json* webhookConfig,
                               const std::optional<std::string>& templateStatus) {
  Expectation e;
  e.version = config.version;
  if (webhookConfig != nullptr) {
    json podObject = {{"metadata", *pod.metadata}};
    json nsObject = namespaceObject != nullptr
                        ? *namespaceObject
                        : json{{"metadata", {{"name", pod.namespaceName}}}};
    auto selection = inject::explainWebhookSelection(nsObject, *webhookConfig, podObject);
    e.webhookCalled = selection.called;
    e.webhookExplanation = std::move(selection.explanation);
  } else {
    e.webhookExplanation = "no MutatingWebhookConfiguration given: assuming the webhook is called";
  }
  e.decision = inject::decidePolicy(config, *pod.metadata, *pod.spec, pod.namespaceName);
  // kube-inject consults no policy, only hostNetwork (it never injects those).
  e.manual = templateStatus.has_value() && !e.wouldInject() && !pod.hostNetwork;
  if (e.manual) {
    json status = json::parse(*templateStatus, nullptr, false);
    e.templateVersion = status.is_object() ? stringMember(status, "version") : std::string();
  }
  if (!e.wouldInject() && !e.manual) {
    return e;
  }

  inject::PodInput input;
  input.metadata = pod.metadata;
  input.spec = pod.spec;
  json deployMeta;
  workloadIdentity(pod, deployMeta, input.apiVersion, input.kind);
  input.deploymentMeta = std::make_shared<const json>(std::move(deployMeta));
  input.frontend = e.manual ? inject::Frontend::KubeInject : inject::Frontend::Webhook;
  // The template engine reports errors as values, but a config is user input: nothing it
  // does may take the reconciler down.
  try {
    auto result = inject::injectPod(config, input);
    if (!result) {
      e.renderFailed = true;
      e.renderError = result.error().message;
      return e;
    }
    e.containers = namesOf(result->spec.containers);
    e.initContainers = namesOf(result->spec.initContainers);
    e.volumes = namesOf(result->spec.volumes);
    for (const auto& c : result->spec.containers) {
      if (stringMember(c, "name") == "istio-proxy") {
        e.proxyImage = stringMember(c, "image");
      }
    }
  } catch (const std::exception& ex) {
    e.renderFailed = true;
    e.renderError = std::string("rendering the injection template: ") + ex.what();
  }
  return e;
}

}  // namespace sidecar::drift
