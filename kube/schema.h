#pragma once

// Go-typed normalisation of Kubernetes objects: the result of decoding JSON into the
// Kubernetes Go structs of an era (1.16 by default; SchemaVersion::Kubernetes135 for Istio
// 1.30, whose marshaller omits a zero creationTimestamp) (through sigs.k8s.io/yaml, which first
// coerces YAML scalars into string fields) and marshalling them back with encoding/json. This is
// what `istioctl kube-inject` prints for every object it knows.

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "kube/schema_version.h"

namespace sidecar::kube {

// goType: a struct name, optionally with its package ("v1.Container" == "Container"):
// Container, Volume, PodDNSConfig, LocalObjectReference, PodSpec, ObjectMeta,
// PodTemplateSpec, ContainerPort, ... or a kind: Pod, Deployment, DaemonSet, ReplicaSet,
// StatefulSet, ReplicationController, Job, CronJob, DeploymentConfig, List.
//
// Semantics, as Go applies them:
//  * unknown fields are dropped; field names match exactly, else ASCII case-insensitively;
//  * numbers/bools landing in string fields become strings (1337 -> "1337", 1.5 -> "1.5"
//    via Go's 32-bit %g, true -> "true"); ints stay ints; an integral float is accepted by
//    an int field; a string in an int/bool field is an error naming the path, e.g.
//    "spec.containers[0].ports[0].containerPort: cannot unmarshal string into int32";
//  * IntOrString keeps number vs string; Quantity fields print canonically ("2000m" -> "2");
//  * omitempty zero values vanish (false, 0, "", empty list/map, nil pointers); pointer
//    fields keep explicit zeros (runAsUser: 0, optional: false); non-pointer struct fields
//    are always printed (resources: {}, strategy: {}, status: {...},
//    creationTimestamp: null); non-omitempty nil lists/maps print as null;
//  * metav1.Time fields accept RFC 3339 text and print it in UTC ("...T10:00:00Z"), zero as
//    null;
//  * List items (runtime.RawExtension) and a few rarely used leaves (the exotic volume
//    sources such as rbd/iscsi/cephfs, status conditions, managedFields, ephemeral
//    containers, DeploymentConfig strategy params) are kept as given.
Expected<nlohmann::json> decodeTyped(const nlohmann::json& in, std::string_view goType,
                                     SchemaVersion version = SchemaVersion::Kubernetes116);

// True for the kinds kube-inject decodes into typed objects (the ten listed above).
bool isKnownKind(std::string_view kind);

}  // namespace sidecar::kube
