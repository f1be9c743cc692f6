#pragma once

namespace sidecar::kube {

// Which Kubernetes Go types an object is decoded into and marshalled from. Each Istio era
// keeps the types it was built with, so its output stays what its istioctl printed.
enum class SchemaVersion {
  Kubernetes116,  // Istio 1.1 / 1.4: k8s.io/api v0.16 (creationTimestamp: null is printed)
  Kubernetes135,  // Istio 1.30: k8s.io/api v0.35 (includes 1.34's fields; zero times omitted)
};

}  // namespace sidecar::kube
