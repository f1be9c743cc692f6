// The Kubernetes 1.35 era of the type table (Istio 1.30) beside the 1.16 one (Istio 1.4).

#include <gtest/gtest.h>

#include "kube/schema.h"
#include "kube/schema_types.h"
#include "kube/yaml.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

json typed(const std::string& yaml, std::string_view type, SchemaVersion version) {
  auto parsed = parseYaml(yaml);
  EXPECT_TRUE(parsed) << parsed.error().message;
  auto out = decodeTyped(*parsed, type, version);
  EXPECT_TRUE(out) << out.error().message;
  return out ? *out : json();
}

constexpr const char* kNativeSidecarPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: p
  clusterName: old
spec:
  initContainers:
  - name: istio-proxy
    image: proxyv2
    restartPolicy: Always
    resizePolicy:
    - resourceName: cpu
      restartPolicy: NotRequired
    startupProbe:
      grpc:
        port: 15021
      terminationGracePeriodSeconds: 5
    lifecycle:
      preStop:
        sleep:
          seconds: 10
    securityContext:
      seccompProfile:
        type: RuntimeDefault
  containers:
  - name: app
    image: app
)";

TEST(SchemaK8s135, NativeSidecarFieldsSurvive) {
  const json pod = typed(kNativeSidecarPod, "Pod", SchemaVersion::Kubernetes135);
  const json& proxy = pod["spec"]["initContainers"][0];
  EXPECT_EQ(proxy["restartPolicy"], "Always");
  EXPECT_EQ(proxy["resizePolicy"],
            json::parse(R"([{"resourceName":"cpu","restartPolicy":"NotRequired"}])"));
  // GRPCAction.service has no omitempty: a nil *string marshals as null.
  EXPECT_EQ(
      proxy["startupProbe"],
      json::parse(R"({"grpc":{"port":15021,"service":null},"terminationGracePeriodSeconds":5})"));
  EXPECT_EQ(proxy["lifecycle"], json::parse(R"({"preStop":{"sleep":{"seconds":10}}})"));
  EXPECT_EQ(proxy["securityContext"],
            json::parse(R"({"seccompProfile":{"type":"RuntimeDefault"}})"));
}

TEST(SchemaK8s135, Kubernetes116DropsThemAsBefore) {
  const json pod = typed(kNativeSidecarPod, "Pod", SchemaVersion::Kubernetes116);
  const json& proxy = pod["spec"]["initContainers"][0];
  EXPECT_FALSE(proxy.contains("restartPolicy"));
  EXPECT_FALSE(proxy.contains("resizePolicy"));
  EXPECT_EQ(proxy["startupProbe"], json::object());  // neither grpc nor the grace period existed
  EXPECT_EQ(proxy["lifecycle"], json::parse(R"({"preStop":{}})"));
  EXPECT_EQ(proxy["securityContext"], json::object());
  EXPECT_EQ(pod["metadata"]["clusterName"], "old");
}

TEST(SchemaK8s135, ZeroCreationTimestampIsOmitted) {
  const json modern = typed(kNativeSidecarPod, "Pod", SchemaVersion::Kubernetes135);
  EXPECT_FALSE(modern["metadata"].contains("creationTimestamp"));
  EXPECT_FALSE(modern["metadata"].contains("clusterName"));
  EXPECT_EQ(modern["status"], json::object());
  const json old = typed(kNativeSidecarPod, "Pod", SchemaVersion::Kubernetes116);
  EXPECT_TRUE(old["metadata"]["creationTimestamp"].is_null());

  const json set = typed("name: x\ncreationTimestamp: 2024-01-02T03:04:05+01:00\n", "ObjectMeta",
                         SchemaVersion::Kubernetes135);
  EXPECT_EQ(set["creationTimestamp"], "2024-01-02T02:04:05Z");
}

TEST(SchemaK8s135, NewPodSpecAndVolumeFields) {
  const json spec = typed(R"(containers: [{name: a}]
os: {name: linux}
hostUsers: false
schedulingGates: [{name: g}]
ephemeralContainers: [{name: debug, image: busybox, targetContainerName: a, bogus: 1}]
volumes:
- name: img
  image: {reference: "quay.io/x:1", pullPolicy: IfNotPresent}
- name: pt
  projected:
    sources:
    - clusterTrustBundle: {signerName: "x/y", path: ca.pem}
)",
                          "PodSpec", SchemaVersion::Kubernetes135);
  EXPECT_EQ(spec["os"], json::parse(R"({"name":"linux"})"));
  EXPECT_EQ(spec["hostUsers"], false);  // *bool keeps an explicit false
  EXPECT_EQ(spec["schedulingGates"], json::parse(R"([{"name":"g"}])"));
  // Pass-through, as in the 1.16 era.
  EXPECT_EQ(
      spec["ephemeralContainers"],
      json::parse(R"([{"name":"debug","image":"busybox","targetContainerName":"a","bogus":1}])"));
  EXPECT_EQ(spec["volumes"][0]["image"],
            json::parse(R"({"reference":"quay.io/x:1","pullPolicy":"IfNotPresent"})"));
  EXPECT_EQ(spec["volumes"][1]["projected"]["sources"][0]["clusterTrustBundle"],
            json::parse(R"({"signerName":"x/y","path":"ca.pem"})"));
}

TEST(SchemaK8s135, AppendedFieldsFollowThe116Ones) {
  const StructDef* modern = findStruct("VolumeSource", SchemaVersion::Kubernetes135);
  const StructDef* old = findStruct("VolumeSource", SchemaVersion::Kubernetes116);
  ASSERT_EQ(modern->fields.size(), old->fields.size() + 2);
  EXPECT_EQ(modern->fields[old->fields.size() - 1].name, "csi");
  EXPECT_EQ(modern->fields.back().name, "image");
  EXPECT_EQ(
      findField(*findStruct("SecurityContext", SchemaVersion::Kubernetes135), "seccompProfile")
          ->goName,
      "SeccompProfile");
  EXPECT_EQ(
      findField(*findStruct("SecurityContext", SchemaVersion::Kubernetes116), "seccompProfile"),
      nullptr);
}

TEST(SchemaK8s135, TypeErrorsNameThePath) {
  auto parsed = parseYaml(
      "containers:\n- name: a\n  lifecycle:\n    preStop:\n      sleep: {seconds: ten}\n");
  ASSERT_TRUE(parsed);
  auto out = decodeTyped(*parsed, "PodSpec", SchemaVersion::Kubernetes135);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "containers[0].lifecycle.preStop.sleep.seconds: cannot unmarshal string into int64");
}

TEST(SchemaK8s135, PatchMetadataFromStructTags) {
  for (auto version : {SchemaVersion::Kubernetes116, SchemaVersion::Kubernetes135}) {
    const StructDef* spec = findStruct("v1.PodSpec", version);
    ASSERT_NE(spec, nullptr);
    const FieldDef* containers = findField(*spec, "containers");
    ASSERT_NE(containers, nullptr);
    EXPECT_EQ(containers->patchStrategy, "merge");
    EXPECT_EQ(containers->patchMergeKey, "name");
    EXPECT_EQ(findField(*spec, "volumes")->patchStrategy, "merge,retainKeys");
    EXPECT_EQ(findField(*spec, "tolerations")->patchStrategy, "");  // atomic: replaced whole
    const StructDef* container = findStruct("Container", version);
    EXPECT_EQ(findField(*container, "ports")->patchMergeKey, "containerPort");
    EXPECT_EQ(findField(*container, "ports")->listMapKeys, "containerPort,protocol");
    EXPECT_EQ(findField(*container, "volumeMounts")->patchMergeKey, "mountPath");
    EXPECT_EQ(findField(*findStruct("ObjectMeta", version), "finalizers")->patchStrategy, "merge");
    EXPECT_EQ(findField(*findStruct("DeploymentSpec", version), "strategy")->patchStrategy,
              "retainKeys");
  }
}

TEST(SchemaK8s135, GoFieldNames) {
  const StructDef* spec = findStruct("PodSpec", SchemaVersion::Kubernetes135);
  EXPECT_EQ(findField(*spec, "serviceAccount")->goName, "DeprecatedServiceAccount");
  EXPECT_EQ(findField(*spec, "dnsPolicy")->goName, "DNSPolicy");
  EXPECT_EQ(findField(*spec, "containers")->goName, "Containers");
  EXPECT_EQ(findField(*spec, "os")->goName, "OS");
  // Fields of inlined structs are flattened with their own names.
  const StructDef* probe = findStruct("Probe", SchemaVersion::Kubernetes135);
  EXPECT_EQ(findField(*probe, "grpc")->goName, "GRPC");
  EXPECT_EQ(findField(*probe, "HTTPGET")->name, "httpGet");  // encoding/json's case folding
  EXPECT_EQ(findField(*probe, "nope"), nullptr);
}

TEST(SchemaK8s135, ElementTypes) {
  EXPECT_EQ(elementType("[]Container"), "Container");
  EXPECT_EQ(elementType("*Probe"), "Probe");
  EXPECT_EQ(elementType("map[string]Quantity"), "Quantity");
  EXPECT_EQ(elementType("string"), "string");
}

}  // namespace
}  // namespace sidecar::kube
