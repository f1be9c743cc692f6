#pragma once

// kube-apiserver's ServiceAccount admission plugin, the part that changes a new pod. It runs
// before the mutating webhooks, so every webhook sees its result:
// - spec.serviceAccountName defaults to "default" (and the deprecated spec.serviceAccount,
//   which the v1 conversion mirrors from it);
// - unless automounting is off (the pod's automountServiceAccountToken, else the
//   ServiceAccount's), a projected volume "kube-api-access-<5 random chars>" (the token, the
//   cluster CA from ConfigMap kube-root-ca.crt, the namespace) is appended, mounted read-only
//   at /var/run/secrets/kubernetes.io/serviceaccount in every init container and container
//   that has nothing mounted there yet;
// - a pod without imagePullSecrets gets the ServiceAccount's.
// Mirror pods (annotation kubernetes.io/config.mirror) are left alone. A missing
// ServiceAccount is treated as one with defaults (a real cluster's controller creates
// "default" in every namespace; the test server does not).

#include <nlohmann/json.hpp>
#include <string>

namespace sidecar::testapi {

inline constexpr const char* kServiceAccountMountPath =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// serviceAccount: the pod's ServiceAccount object, or null when it does not exist.
// volumeSuffix: the 5 random characters of a new volume's name.
void admitServiceAccount(nlohmann::json& pod, const nlohmann::json& serviceAccount,
                         const std::string& volumeSuffix);

// The volume the plugin adds, named `name`.
nlohmann::json serviceAccountTokenVolume(const std::string& name);

}  // namespace sidecar::testapi
