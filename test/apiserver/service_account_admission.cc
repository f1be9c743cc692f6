#include "test/apiserver/service_account_admission.h"

namespace sidecar::testapi {

using nlohmann::json;

namespace {

constexpr std::string_view kVolumePrefix = "kube-api-access-";
constexpr int kTokenExpirationSeconds = 3607;  // an hour and 7 s: kube's "warn only" bound token
constexpr int kDefaultMode = 0644;

bool shouldAutomount(const json& spec, const json& serviceAccount) {
  if (spec.contains("automountServiceAccountToken") &&
      spec["automountServiceAccountToken"].is_boolean()) {
    return spec["automountServiceAccountToken"].get<bool>();
  }
  if (serviceAccount.is_object() && serviceAccount.contains("automountServiceAccountToken") &&
      serviceAccount["automountServiceAccountToken"].is_boolean()) {
    return serviceAccount["automountServiceAccountToken"].get<bool>();
  }
  return true;
}

// Mounts the volume in every container of `list` lacking a mount at the token path; true when
// at least one needed it.
bool mountInto(json& containers, const json& mount) {
  bool mounted = false;
  if (!containers.is_array()) {
    return false;
  }
  for (json& c : containers) {
    if (!c.is_object()) {
      continue;
    }
    json& mounts = c["volumeMounts"];
    if (!mounts.is_array()) {
      mounts = json::array();
    }
    bool taken = false;
    for (const json& m : mounts) {
      taken = taken || (m.is_object() && m.value("mountPath", "") == kServiceAccountMountPath);
    }
    if (!taken) {
      mounts.push_back(mount);
      mounted = true;
    }
  }
  return mounted;
}

}  // namespace

json serviceAccountTokenVolume(const std::string& name) {
  return {
      {"name", name},
      {"projected",
       {{"sources",
         {{{"serviceAccountToken",
            {{"expirationSeconds", kTokenExpirationSeconds}, {"path", "token"}}}},
          {{"configMap",
            {{"name", "kube-root-ca.crt"}, {"items", {{{"key", "ca.crt"}, {"path", "ca.crt"}}}}}}},
          {{"downwardAPI",
            {{"items",
              {{{"path", "namespace"},
                {"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}}}}}}}},
        {"defaultMode", kDefaultMode}}}};
}

void admitServiceAccount(json& pod, const json& serviceAccount, const std::string& volumeSuffix) {
  if (!pod.is_object()) {
    return;
  }
  const json& meta = pod.value("metadata", json::object());
  if (meta.is_object() && meta.contains("annotations") && meta["annotations"].is_object() &&
      meta["annotations"].contains("kubernetes.io/config.mirror")) {
    return;
  }
  json& spec = pod["spec"];
  if (!spec.is_object()) {
    spec = json::object();
  }
  if (spec.value("serviceAccountName", "").empty()) {
    spec["serviceAccountName"] = "default";
  }
  spec["serviceAccount"] = spec["serviceAccountName"];

  if (shouldAutomount(spec, serviceAccount)) {
    json& volumes = spec["volumes"];
    if (!volumes.is_array()) {
      volumes = json::array();
    }
    // A volume from an earlier pass (a re-created pod's copy, say) is reused, not doubled.
    std::string volumeName;
    for (const json& v : volumes) {
      const std::string name = v.is_object() ? v.value("name", "") : "";
      if (name.rfind(kVolumePrefix, 0) == 0) {
        volumeName = name;
        break;
      }
    }
    const bool hasVolume = !volumeName.empty();
    if (!hasVolume) {
      volumeName = std::string(kVolumePrefix) + volumeSuffix;
    }
    const json mount = {
        {"name", volumeName}, {"readOnly", true}, {"mountPath", kServiceAccountMountPath}};
    bool needed = false;
    for (const char* list : {"initContainers", "containers"}) {
      if (spec.contains(list)) {
        needed = mountInto(spec[list], mount) || needed;
      }
    }
    if (!hasVolume && needed) {
      volumes.push_back(serviceAccountTokenVolume(volumeName));
    }
    if (volumes.empty()) {
      spec.erase("volumes");
    }
  }

  const bool hasPullSecrets = spec.contains("imagePullSecrets") &&
                              spec["imagePullSecrets"].is_array() &&
                              !spec["imagePullSecrets"].empty();
  if (!hasPullSecrets && serviceAccount.is_object() &&
      serviceAccount.contains("imagePullSecrets") &&
      serviceAccount["imagePullSecrets"].is_array() &&
      !serviceAccount["imagePullSecrets"].empty()) {
    spec["imagePullSecrets"] = serviceAccount["imagePullSecrets"];
  }
}

}  // namespace sidecar::testapi
