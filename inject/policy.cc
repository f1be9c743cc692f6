#include "inject/policy.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "inject/annotations.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;
using Labels = std::map<std::string, std::string, std::less<>>;

Labels labelsOf(const json& metadata) {
  Labels out;
  if (!metadata.is_object()) {
    return out;
  }
  auto it = metadata.find("labels");
  if (it == metadata.end() || !it->is_object()) {
    return out;
  }
  for (const auto& [k, v] : it->items()) {
    out.emplace(k, v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::string_view reasonName(Reason r) {
  switch (r) {
    case Reason::HostNetwork:
      return "host_network";
    case Reason::IgnoredNamespace:
      return "ignored_namespace";
    case Reason::AnnotationEnabled:
      return "annotation_enabled";
    case Reason::AnnotationDisabled:
      return "annotation_disabled";
    case Reason::NeverInjectSelector:
      return "never_inject_selector";
    case Reason::AlwaysInjectSelector:
      return "always_inject_selector";
    case Reason::PolicyEnabled:
      return "policy_enabled";
    case Reason::PolicyDisabled:
      return "policy_disabled";
    case Reason::PolicyInvalid:
      return "policy_invalid";
    case Reason::AlreadyInjected:
      return "already_injected";
    case Reason::InvalidAnnotation:
      return "invalid_annotation";
    case Reason::TemplateError:
      return "template_error";
    case Reason::InvalidPod:
      return "invalid_pod";
    case Reason::InternalError:
      return "internal_error";
    case Reason::Injected:
      return "injected";
  }
  return "unknown";
}

Decision decidePolicy(const InjectionConfig& config, const json& metadata, const json& spec,
                      std::string_view namespaceName, std::vector<std::string>* trail) {
  auto note = [trail](auto&& make) {
    if (trail != nullptr) {
      trail->push_back(make());
    }
  };
  auto hostNetwork = spec.is_object() ? spec.find("hostNetwork") : spec.end();
  if (spec.is_object() && hostNetwork != spec.end() && hostNetwork->is_boolean() && hostNetwork->get<bool>()) {
    return {false, Reason::HostNetwork, "the pod uses hostNetwork: true"};
  }
  note([] { return std::string("hostNetwork: not set"); });
  if (namespaceName == "kube-system" || namespaceName == "kube-public") {
    return {false, Reason::IgnoredNamespace,
            "namespace " + std::string(namespaceName) + " is never injected"};
  }
  note([&] { return "namespace " + std::string(namespaceName) + ": not an ignored namespace"; });
  std::string annotationValue;
  if (metadata.is_object()) {
    if (auto a = metadata.find("annotations"); a != metadata.end() && a->is_object()) {
      if (auto v = a->find(annotation::kInject); v != a->end() && v->is_string()) {
        annotationValue = v->get<std::string>();
      }
    }
  }
  if (!annotationValue.empty()) {
    std::string value = lower(annotationValue);
    if (value == "y" || value == "yes" || value == "true" || value == "on") {
      return {true, Reason::AnnotationEnabled,
              "annotation " + std::string(annotation::kInject) + "=\"" + annotationValue + "\" requests injection"};
    }
    return {false, Reason::AnnotationDisabled,
            "annotation " + std::string(annotation::kInject) + "=\"" + annotationValue + "\" prevents injection"};
  }
  note([] { return "annotation " + std::string(annotation::kInject) + ": not set"; });
  Labels labels = labelsOf(metadata);
  for (const auto& s : config.neverInjectSelector) {
    if (!s.selector.empty() && s.selector.matches(labels)) {
      return {false, Reason::NeverInjectSelector,
              "pod labels match neverInjectSelector[" + std::to_string(s.index) + "] (" + s.selector.describe() + ")"};
    }
  }
  note([&] {
    return "neverInjectSelector: " + std::to_string(config.neverInjectSelector.size()) +
           " selector(s), none matches the pod's labels";
  });
  for (const auto& s : config.alwaysInjectSelector) {
    if (!s.selector.empty() && s.selector.matches(labels)) {
      return {true, Reason::AlwaysInjectSelector,
              "pod labels match alwaysInjectSelector[" + std::to_string(s.index) + "] (" + s.selector.describe() +
                  ")"};
    }
  }
  note([&] {
    return "alwaysInjectSelector: " + std::to_string(config.alwaysInjectSelector.size()) +
           " selector(s), none matches the pod's labels";
  });
  if (config.policy == "enabled") {
    return {true, Reason::PolicyEnabled, "the injection policy is enabled"};
  }
  if (config.policy == "disabled") {
    return {false, Reason::PolicyDisabled, "the injection policy is disabled and nothing requested injection"};
  }
  return {false, Reason::PolicyInvalid,
          "invalid injection policy \"" + config.policy + "\" (expected enabled or disabled); not injecting"};
}

namespace {

bool selectorMatches(const json& selector, const json& objectMeta, std::string& why, const char* what) {
  if (selector.is_null() || (selector.is_object() && selector.empty())) {
    return true;  // the API server treats an absent or empty selector as "everything"
  }
  auto parsed = LabelSelector::parse(selector);
  if (!parsed) {
    why = std::string(what) + " is invalid: " + parsed.error().message;
    return false;
  }
  if (parsed->empty()) {
    return true;
  }
  if (!parsed->matches(labelsOf(objectMeta))) {
    why = std::string(what) + " (" + parsed->describe() + ") does not match";
    return false;
  }
  return true;
}

bool ruleCoversPodCreate(const json& rule) {
  auto has = [&](const char* key, std::string_view wanted) {
    auto it = rule.find(key);
    if (it == rule.end() || !it->is_array()) {
      return false;
    }
    return std::any_of(it->begin(), it->end(), [&](const json& v) {
      return v.is_string() && (v.get<std::string>() == wanted || v.get<std::string>() == "*");
    });
  };
  return has("operations", "CREATE") && has("resources", "pods") && has("apiGroups", "") &&
         (has("apiVersions", "v1"));
}

}  // namespace

WebhookSelection explainWebhookSelection(const json& namespaceObject, const json& config, const json& pod) {
  if (!config.is_object()) {
    return {false, "the MutatingWebhookConfiguration is not an object"};
  }
  auto webhooks = config.find("webhooks");
  if (webhooks == config.end() || !webhooks->is_array() || webhooks->empty()) {
    return {false, "the MutatingWebhookConfiguration has no webhooks"};
  }
  std::string reasons;
  auto metadataOf = [](const json& object) {
    if (object.is_object()) {
      auto it = object.find("metadata");
      if (it != object.end() && it->is_object()) {
        return *it;
      }
    }
    return json::object();
  };
  const json nsMeta = metadataOf(namespaceObject);
  const json podMeta = metadataOf(pod);
  auto memberOr = [](const json& object, const char* key) {
    auto it = object.find(key);
    return it == object.end() ? json() : *it;
  };
  for (const auto& wh : *webhooks) {
    if (!wh.is_object()) {
      continue;
    }
    auto nameIt = wh.find("name");
    std::string name = nameIt != wh.end() && nameIt->is_string() ? nameIt->get<std::string>() : "<unnamed>";
    std::string why;
    bool rules = false;
    if (auto r = wh.find("rules"); r != wh.end() && r->is_array()) {
      rules = std::any_of(r->begin(), r->end(), ruleCoversPodCreate);
    }
    if (!rules) {
      why = "its rules do not cover CREATE of v1 pods";
    } else if (!selectorMatches(memberOr(wh, "namespaceSelector"), nsMeta, why, "namespaceSelector") ||
               !selectorMatches(memberOr(wh, "objectSelector"), podMeta, why, "objectSelector")) {
      // why is set
    } else {
      return {true, "webhook " + name + " is called for this pod"};
    }
    reasons += (reasons.empty() ? "" : "; ") + ("webhook " + name + ": " + why);
  }
  return {false, reasons};
}

}  // namespace sidecar::inject
