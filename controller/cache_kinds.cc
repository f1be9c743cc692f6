#include "controller/cache_kinds.h"

#include <algorithm>

#include "kube/json_access.h"

namespace sidecar::controller {

namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

using kube::member;

const std::string* find(const StringPairs& pairs, std::string_view key) {
  auto it = std::lower_bound(pairs.begin(), pairs.end(), key,
                             [](const auto& p, std::string_view k) { return p.first < k; });
  return it != pairs.end() && it->first == key ? &it->second : nullptr;
}

FlatStringMap containers(const nlohmann::json& list) {
  FlatStringMap out;
  if (!list.is_array()) {
    return out;
  }
  for (const auto& c : list) {
    out.append(kube::stringMember(c, "name"), kube::stringMember(c, "image"));
  }
  out.shrink();
  return out;
}

}  // namespace

const std::string* ConfigMapInfo::value(std::string_view key) const { return find(data, key); }

std::vector<OwnerRef> ObjectMeta::ownerRefs() const {
  std::vector<OwnerRef> out;
  owners.forEach([&out](std::string_view uid, std::string_view packed) {
    const auto slash = packed.find('/');
    OwnerRef ref;
    ref.kind = std::string(packed.substr(1, slash - 1));
    ref.name = std::string(packed.substr(slash + 1));
    ref.uid = std::string(uid);
    ref.controller = packed.front() == '1';
    out.push_back(std::move(ref));
  });
  return out;
}

std::optional<OwnerRef> ObjectMeta::controllerOwner() const {
  for (auto& o : ownerRefs()) {
    if (o.controller) {
      return o;
    }
  }
  return std::nullopt;
}

StringPairs parseStringMap(const nlohmann::json& object) {
  StringPairs out;
  if (!object.is_object()) {
    return out;
  }
  out.reserve(object.size());
  for (const auto& [k, v] : object.items()) {
    out.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  // nlohmann objects iterate in key order already; sorting keeps lookups correct anyway.
  std::sort(out.begin(), out.end());
  return out;
}

FlatStringMap parseFlatMap(const nlohmann::json& object, std::string_view skipKey) {
  FlatStringMap out;
  if (!object.is_object()) {
    return out;
  }
  for (const auto& [k, v] : object.items()) {
    if (k == skipKey) {
      continue;
    }
    if (v.is_string()) {
      out.append(k, v.get_ref<const std::string&>());
    } else {
      out.append(k, v.dump());
    }
  }
  out.shrink();
  return out;
}

ObjectMeta parseObjectMeta(const nlohmann::json& object) {
  const auto& m = member(object, "metadata");
  ObjectMeta meta;
  meta.ns = kube::stringMember(m, "namespace");
  meta.name = kube::stringMember(m, "name");
  meta.uid = kube::stringMember(m, "uid");
  meta.resourceVersion = kube::stringMember(m, "resourceVersion");
  if (const auto& g = member(m, "generation"); g.is_number_integer()) {
    meta.generation = g.get<int64_t>();
  }
  meta.labels = parseFlatMap(member(m, "labels"));
  meta.annotations = parseFlatMap(member(m, "annotations"), kLastApplied);
  if (const auto& owners = member(m, "ownerReferences"); owners.is_array()) {
    for (const auto& o : owners) {
      const auto& c = member(o, "controller");
      const bool controller = c.is_boolean() && c.get<bool>();
      meta.owners.append(kube::stringMember(o, "uid"), (controller ? "1" : "0") +
                                                           kube::stringMember(o, "kind") + "/" +
                                                           kube::stringMember(o, "name"));
    }
    meta.owners.shrink();
  }
  return meta;
}

ConfigMapInfo toConfigMapInfo(const nlohmann::json& object) {
  return {parseObjectMeta(object), parseStringMap(member(object, "data"))};
}

NamespaceInfo toNamespaceInfo(const nlohmann::json& object) { return {parseObjectMeta(object)}; }

MutatingWebhookConfigurationInfo toMutatingWebhookConfigurationInfo(const nlohmann::json& object) {
  MutatingWebhookConfigurationInfo out{parseObjectMeta(object), {}};
  const auto& hooks = member(object, "webhooks");
  if (hooks.is_array()) {
    for (const auto& h : hooks) {
      const auto& cc = member(h, "clientConfig");
      const auto& svc = member(cc, "service");
      out.webhooks.push_back({kube::stringMember(h, "name"), kube::stringMember(svc, "namespace"),
                              kube::stringMember(svc, "name"), kube::stringMember(svc, "path"),
                              kube::stringMember(cc, "url"), kube::stringMember(cc, "caBundle")});
    }
  }
  return out;
}

PodInfo toPodInfo(const nlohmann::json& object) {
  const auto& spec = member(object, "spec");
  return {parseObjectMeta(object), containers(member(spec, "containers")),
          containers(member(spec, "initContainers")),
          kube::stringMember(member(object, "status"), "phase")};
}

WorkloadInfo toWorkloadInfo(const nlohmann::json& object) {
  WorkloadInfo out;
  out.meta = parseObjectMeta(object);
  const std::string kind = kube::stringMember(object, "kind");
  const auto& spec = member(object, "spec");
  const auto& tmpl =
      kind == "CronJob" ? member(member(member(spec, "jobTemplate"), "spec"), "template") : member(spec, "template");
  const auto& tmeta = member(tmpl, "metadata");
  out.templateLabels = parseFlatMap(member(tmeta, "labels"));
  out.templateAnnotations = parseFlatMap(member(tmeta, "annotations"), kLastApplied);
  const auto& podSpec = member(tmpl, "spec");
  out.containers = containers(member(podSpec, "containers"));
  out.initContainers = containers(member(podSpec, "initContainers"));
  if (const auto& og = member(member(object, "status"), "observedGeneration"); og.is_number_integer()) {
    out.observedGeneration = og.get<int64_t>();
  }
  return out;
}

}  // namespace sidecar::controller
