#include "controller/drift/inventory.h"

#include <algorithm>

#include "kube/json_access.h"
#include "kube/owner_ref.h"

namespace sidecar::drift {

namespace {

using kube::member;
using kube::stringMember;
using nlohmann::json;

bool annotationTrue(const json& object) {
  return stringMember(member(member(object, "metadata"), "annotations"), kAutoRestartAnnotation) ==
         "true";
}

constexpr const char* kStatusAnnotation = "sidecar.istio.io/status";

std::optional<std::string> statusIn(const json& metadata) {
  const json& value = member(member(metadata, "annotations"), kStatusAnnotation);
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return value.get<std::string>();
}

const std::vector<std::string> kWorkloadKinds = {"ReplicaSet", "Deployment", "StatefulSet",
                                                 "DaemonSet",  "Job",        "CronJob"};

}  // namespace

Expected<bool> Inventory::add(const json& object) {
  std::string kind = stringMember(object, "kind");
  bool isWorkload = std::find(kWorkloadKinds.begin(), kWorkloadKinds.end(), kind) != kWorkloadKinds.end();
  if (kind != "Namespace" && kind != "PodDisruptionBudget" && !isWorkload) {
    return false;
  }
  const json& meta = member(object, "metadata");
  std::string name = stringMember(meta, "name");
  if (name.empty()) {
    return fail(kind + ": metadata.name missing or not a string");
  }
  if (kind == "Namespace") {
    namespaces_[name] = object;
    return true;
  }
  std::string ns = stringMember(meta, "namespace");
  if (ns.empty()) {
    ns = "default";
  }
  if (isWorkload) {
    workloads_[kind][{ns, name}] = object;
    return true;
  }
  PdbInfo pdb;
  pdb.name = name;
  const json& selector = member(member(object, "spec"), "selector");
  if (selector.is_null() || (selector.is_object() && selector.empty())) {
    pdb.selectsAll = true;
  } else {
    auto parsed = inject::LabelSelector::parse(selector);
    if (!parsed) {
      return fail("PodDisruptionBudget " + ns + "/" + name + ": spec.selector: " + parsed.error().message);
    }
    pdb.selector = std::move(*parsed);
    pdb.selectsAll = pdb.selector.empty();
  }
  const json& allowed = member(member(object, "status"), "disruptionsAllowed");
  if (allowed.is_number_integer()) {
    pdb.allowedDisruptions = allowed.get<int64_t>();
  }
  auto& list = pdbs_[ns];
  std::erase_if(list, [&](const PdbInfo& p) { return p.name == name; });
  list.push_back(std::move(pdb));
  std::sort(list.begin(), list.end(), [](const PdbInfo& a, const PdbInfo& b) { return a.name < b.name; });
  return true;
}

void Inventory::remove(const std::string& kind, const std::string& namespaceName, const std::string& name) {
  if (kind == "Namespace") {
    namespaces_.erase(name);
  } else if (kind == "PodDisruptionBudget") {
    std::erase_if(pdbs_[namespaceName], [&](const PdbInfo& p) { return p.name == name; });
  } else if (auto it = workloads_.find(kind); it != workloads_.end()) {
    it->second.erase({namespaceName, name});
  }
}

const json* Inventory::namespaceObject(const std::string& name) const {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : &it->second;
}

WorkloadRef Inventory::resolveOwner(const PodRecord& pod) const {
  const std::string& ns = pod.namespaceName;
  if (!pod.controller || pod.controller->kind.empty() || pod.controller->name.empty()) {
    return {"Pod", ns, pod.name};
  }
  const OwnerRef& owner = *pod.controller;
  auto lookup = [&](const std::string& kind, const std::string& name) -> const json* {
    auto k = workloads_.find(kind);
    if (k == workloads_.end()) {
      return nullptr;
    }
    auto it = k->second.find({ns, name});
    return it == k->second.end() ? nullptr : &it->second;
  };
  if (owner.kind == "ReplicaSet" || owner.kind == "Job") {
    if (const json* parent = lookup(owner.kind, owner.name)) {
      auto up = kube::controllerOf(member(*parent, "metadata"));
      if (up && !up->kind.empty() && !up->name.empty()) {
        return {up->kind, ns, up->name};
      }
      return {owner.kind, ns, owner.name};
    }
    if (owner.kind == "ReplicaSet") {
      std::string hash = stringMember(member(*pod.metadata, "labels"), "pod-template-hash");
      std::string suffix = "-" + hash;
      if (!hash.empty() && owner.name.size() > suffix.size() &&
          owner.name.compare(owner.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return {"Deployment", ns, owner.name.substr(0, owner.name.size() - suffix.size())};
      }
    }
  }
  return {owner.kind, ns, owner.name};
}

std::string Inventory::updateStrategy(const WorkloadRef& workload) const {
  auto k = workloads_.find(workload.kind);
  if (k == workloads_.end()) {
    return "RollingUpdate";
  }
  auto it = k->second.find({workload.namespaceName, workload.name});
  if (it == k->second.end()) {
    return "RollingUpdate";
  }
  std::string type = stringMember(member(member(it->second, "spec"), "updateStrategy"), "type");
  return type == "OnDelete" ? "OnDelete" : "RollingUpdate";
}

bool Inventory::autoRestartEnabled(const WorkloadRef& workload) const {
  if (const json* ns = namespaceObject(workload.namespaceName); ns != nullptr && annotationTrue(*ns)) {
    return true;
  }
  auto k = workloads_.find(workload.kind);
  if (k == workloads_.end()) {
    return false;
  }
  auto it = k->second.find({workload.namespaceName, workload.name});
  return it != k->second.end() && annotationTrue(it->second);
}

const json* Inventory::workload(const std::string& kind, const std::string& namespaceName,
                                const std::string& name) const {
  auto k = workloads_.find(kind);
  if (k == workloads_.end()) {
    return nullptr;
  }
  auto it = k->second.find({namespaceName, name});
  return it == k->second.end() ? nullptr : &it->second;
}

std::optional<std::string> Inventory::templateStatusOf(const json& workload) {
  if (auto status = statusIn(member(member(member(workload, "spec"), "template"), "metadata"))) {
    return status;
  }
  if (stringMember(workload, "kind") == "Job") {
    return statusIn(member(workload, "metadata"));
  }
  return std::nullopt;
}

std::optional<std::string> Inventory::templateStatus(const PodRecord& pod) const {
  if (!pod.controller || pod.controller->name.empty()) {
    return std::nullopt;
  }
  const json* owner = workload(pod.controller->kind, pod.namespaceName, pod.controller->name);
  return owner == nullptr ? std::nullopt : templateStatusOf(*owner);
}

const std::vector<PdbInfo>& Inventory::pdbs(const std::string& namespaceName) const {
  static const std::vector<PdbInfo> kNone;
  auto it = pdbs_.find(namespaceName);
  return it == pdbs_.end() ? kNone : it->second;
}

size_t Inventory::size() const {
  size_t n = namespaces_.size();
  for (const auto& [kind, objects] : workloads_) {
    n += objects.size();
  }
  for (const auto& [ns, list] : pdbs_) {
    n += list.size();
  }
  return n;
}

}  // namespace sidecar::drift
