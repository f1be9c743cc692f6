#include "inject/workload_identity.h"

#include "kube/json_access.h"
#include "kube/owner_ref.h"

namespace sidecar::inject {

WorkloadIdentity workloadOf(const nlohmann::json& podMetadata) {
  WorkloadIdentity out;
  if (!kube::stringMember(podMetadata, "generateName").empty()) {
    if (auto owner = kube::controllerOf(podMetadata)) {
      out.apiVersion = owner->apiVersion;
      out.kind = owner->kind;
      out.name = owner->name;
      // strings.HasSuffix(name, hash) then TrimSuffix(name, "-"+hash), as Istio does: an
      // empty hash still makes the owner a Deployment.
      const std::string hash =
          kube::stringMember(kube::member(podMetadata, "labels"), "pod-template-hash");
      if (out.kind == "ReplicaSet" && out.name.ends_with(hash)) {
        if (out.name.ends_with("-" + hash)) {
          out.name.resize(out.name.size() - hash.size() - 1);
        }
        out.kind = "Deployment";
      }
    }
  }
  if (out.name.empty()) {
    out.name = kube::stringMember(podMetadata, "name");
  }
  return out;
}

}  // namespace sidecar::inject
