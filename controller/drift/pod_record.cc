#include "controller/drift/pod_record.h"
#include "kube/json_access.h"

#include <algorithm>
#include <set>

namespace sidecar::drift {

namespace {

using nlohmann::json;
using kube::stringMember;

constexpr std::string_view kStatusAnnotation = "sidecar.istio.io/status";
constexpr std::string_view kProxyName = "istio-proxy";

// Labels that differ between pods of one template; excluding them keeps a StatefulSet of
// 1000 replicas at one render instead of 1000.
bool perPodLabel(std::string_view key) {
  return key == "statefulset.kubernetes.io/pod-name" || key == "apps.kubernetes.io/pod-index";
}

std::set<std::string> namesIn(const json& status, const char* key) {
  std::set<std::string> out;
  auto it = status.find(key);
  if (it == status.end() || !it->is_array()) {
    return out;
  }
  for (const auto& n : *it) {
    if (n.is_string()) {
      out.insert(n.get<std::string>());
    }
  }
  return out;
}

void appendMap(std::string& out, const json& map, bool labels) {
  if (!map.is_object()) {
    return;
  }
  // nlohmann's object is an ordered std::map, so iteration is already canonical.
  for (const auto& [k, v] : map.items()) {
    if ((labels && perPodLabel(k)) || (!labels && k == kStatusAnnotation)) {
      continue;
    }
    out += k;
    out += '\x1f';
    out += v.is_string() ? v.get<std::string>() : v.dump();
    out += '\x1e';
  }
}

}  // namespace

Expected<PodRecord> makePodRecord(const json& pod) {
  if (!pod.is_object()) {
    return fail("pod: not a JSON object");
  }
  auto metaIt = pod.find("metadata");
  if (metaIt == pod.end() || !metaIt->is_object()) {
    return fail("pod: metadata missing or not an object");
  }
  PodRecord rec;
  rec.name = stringMember(*metaIt, "name");
  if (rec.name.empty()) {
    return fail("pod: metadata.name missing or not a string");
  }
  rec.namespaceName = stringMember(*metaIt, "namespace");
  if (rec.namespaceName.empty()) {
    rec.namespaceName = "default";
  }
  json metadata = *metaIt;
  metadata.erase("managedFields");
  metadata["namespace"] = rec.namespaceName;

  json spec = json::object();
  if (auto s = pod.find("spec"); s != pod.end()) {
    if (!s->is_object()) {
      return fail("pod " + rec.key() + ": spec is not an object");
    }
    spec = *s;
  }
  if (auto c = spec.find("containers"); c != spec.end() && !c->is_array()) {
    return fail("pod " + rec.key() + ": spec.containers is not a list");
  }
  if (auto status = pod.find("status"); status != pod.end()) {
    rec.phase = stringMember(*status, "phase");
  }
  if (auto hn = spec.find("hostNetwork"); hn != spec.end() && hn->is_boolean()) {
    rec.hostNetwork = hn->get<bool>();
  }
  if (auto owners = metadata.find("ownerReferences"); owners != metadata.end()) {
    if (!owners->is_array()) {
      return fail("pod " + rec.key() + ": metadata.ownerReferences is not a list");
    }
    rec.controller = kube::controllerOf(metadata);
  }

  // Actual state: the status annotation first, then the containers themselves.
  std::set<std::string> initNames, containerNames, volumeNames;
  if (auto ann = metadata.find("annotations"); ann != metadata.end() && ann->is_object()) {
    auto status = ann->find(kStatusAnnotation);
    if (status != ann->end() && status->is_string()) {
      json parsed = json::parse(status->get<std::string>(), nullptr, false);
      if (parsed.is_object()) {
        rec.actual.hasStatus = true;
        rec.actual.statusVersion = stringMember(parsed, "version");
        initNames = namesIn(parsed, "initContainers");
        containerNames = namesIn(parsed, "containers");
        volumeNames = namesIn(parsed, "volumes");
        rec.actual.injectedContainers.assign(containerNames.begin(), containerNames.end());
      }
      // An unparseable status still means "someone injected": treated like a missing
      // version (StaleTemplate) rather than an error, as the webhook would re-inject.
      rec.actual.hasStatus = rec.actual.hasStatus || !status->get<std::string>().empty();
      ann->erase(status);
    }
  }
  if (auto c = spec.find("containers"); c != spec.end()) {
    for (const auto& container : *c) {
      std::string name = stringMember(container, "name");
      if (name == kProxyName) {
        rec.actual.present = true;
        rec.actual.proxyImage = stringMember(container, "image");
      } else if (containerNames.count(name)) {
        rec.actual.present = true;
      }
    }
  }
  containerNames.insert(std::string(kProxyName));
  kube::removeNamedItems(spec, "initContainers", initNames);
  kube::removeNamedItems(spec, "containers", containerNames);
  kube::removeNamedItems(spec, "volumes", volumeNames);

  rec.templateKey = rec.namespaceName;
  rec.templateKey += '\x1d';
  if (rec.controller) {
    rec.templateKey += rec.controller->kind + "/" + rec.controller->name;
  } else {
    rec.templateKey += "Pod/" + rec.name;
  }
  rec.templateKey += rec.hostNetwork ? "\x1dH\x1d" : "\x1d-\x1d";
  if (auto labels = metadata.find("labels"); labels != metadata.end()) {
    appendMap(rec.templateKey, *labels, true);
  }
  rec.templateKey += '\x1d';
  if (auto ann = metadata.find("annotations"); ann != metadata.end()) {
    appendMap(rec.templateKey, *ann, false);
  }
  rec.metadata = std::make_shared<const json>(std::move(metadata));
  rec.spec = std::make_shared<const json>(std::move(spec));
  return rec;
}

}  // namespace sidecar::drift
