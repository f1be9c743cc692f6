#include <gtest/gtest.h>

#include "kube/schema.h"
#include "kube/yaml.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

json typedFromYaml(const std::string& yaml, std::string_view type) {
  auto parsed = parseYaml(yaml);
  EXPECT_TRUE(parsed) << parsed.error().message;
  auto typed = decodeTyped(*parsed, type);
  EXPECT_TRUE(typed) << typed.error().message;
  return typed ? *typed : json();
}

std::string typedError(const std::string& yaml, std::string_view type) {
  auto parsed = parseYaml(yaml);
  EXPECT_TRUE(parsed);
  auto typed = decodeTyped(*parsed, type);
  EXPECT_FALSE(typed) << typed->dump();
  return typed ? "" : typed.error().message;
}

TEST(Schema, ContainerDropsUnknownFieldsLikeRestartPolicy) {
  const json c = typedFromYaml("name: istio-init\nimage: x\nrestartPolicy: Always\nbogus: {a: 1}\n", "v1.Container");
  EXPECT_EQ(c, json::parse(R"({"name":"istio-init","image":"x","resources":{}})"));
}

TEST(Schema, ScalarsInStringFieldsBecomeStrings) {
  const json c = typedFromYaml(
      "name: c\nargs: [-u, 1337, on, yes, false, 1.5, 0x10, 1e6, ~]\n"
      "env:\n- name: A\n  value: false\n- name: B\n  value: 15020\n- name: C\n  value: \"\"\n",
      "Container");
  EXPECT_EQ(c["args"], json::parse(R"(["-u","1337","true","true","false","1.5","16","1e+06",""])"));
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"A","value":"false"},{"name":"B","value":"15020"},{"name":"C"}])"));
}

TEST(Schema, FloatsBeyondFloat32InStringFieldsLikeSigsYaml) {
  // sigs.k8s.io/yaml formats a float bound for a string with FormatFloat(v, 'g', -1, 32).
  const json c = typedFromYaml(
      "name: c\nargs: [111111111111111111111111111111111111111111111111111111111111111110000, 1e39, -1e39, .inf, "
      ".nan, -0.0, 1e-40, 1e-50]\n",
      "Container");
  EXPECT_EQ(c["args"], json::parse(R"([".inf",".inf","-.inf",".inf",".nan","-0","1e-40","0"])"));
}

TEST(Schema, LabelsAndAnnotationsAreStringMaps) {
  const json m = typedFromYaml("name: x\nlabels: {version: 1, on: yes}\nannotations: {a: 1.0}\n", "v1.ObjectMeta");
  EXPECT_EQ(m["labels"], json::parse(R"({"version":"1","true":"true"})"));
  EXPECT_EQ(m["annotations"], json::parse(R"({"a":"1"})"));
  EXPECT_TRUE(m.contains("creationTimestamp"));
  EXPECT_TRUE(m["creationTimestamp"].is_null());
}

TEST(Schema, IntFields) {
  const json p = typedFromYaml("containerPort: 80.0\nhostPort: 0\nname: http\n", "v1.ContainerPort");
  EXPECT_EQ(p, json::parse(R"({"containerPort":80,"name":"http"})"));
  EXPECT_TRUE(p["containerPort"].is_number_integer());
  // containerPort has no omitempty.
  EXPECT_EQ(typedFromYaml("name: x\n", "ContainerPort"), json::parse(R"({"containerPort":0,"name":"x"})"));
}

TEST(Schema, ErrorsNameTheJsonPath) {
  const std::string e = typedError(
      "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
      "      - name: a\n        ports:\n        - containerPort: http\n",
      "Deployment");
  EXPECT_EQ(e, "spec.template.spec.containers[0].ports[0].containerPort: cannot unmarshal string into int32");
  EXPECT_NE(typedError("containerPort: 1.5\n", "ContainerPort").find("cannot unmarshal number 1.5 into int32"),
            std::string::npos);
  EXPECT_NE(typedError("containerPort: 4294967296\n", "ContainerPort").find("int32"), std::string::npos);
  EXPECT_NE(typedError("name: x\nstdin: yes please\n", "Container").find("stdin: cannot unmarshal string into bool"),
            std::string::npos);
  EXPECT_NE(typedError("name: [a]\n", "Container").find("name: cannot unmarshal array into string"),
            std::string::npos);
  EXPECT_NE(typedError("spec: {containers: {}}\n", "Pod").find("spec.containers: cannot unmarshal object"),
            std::string::npos);
  EXPECT_NE(typedError("spec: {containers: [{name: a, resources: {limits: {cpu: lots}}}]}\n", "Pod")
                .find("spec.containers[0].resources.limits.cpu: quantities must match"),
            std::string::npos);
}

TEST(Schema, IntOrStringKeepsItsKind) {
  const json p = typedFromYaml("httpGet: {port: 15020, path: /x}\ntcpSocket: {port: http}\n", "v1.Probe");
  EXPECT_TRUE(p["httpGet"]["port"].is_number_integer());
  EXPECT_EQ(p["httpGet"]["port"], 15020);
  EXPECT_EQ(p["tcpSocket"]["port"], "http");
  EXPECT_EQ(typedFromYaml("httpGet: {port: '8080'}\n", "Probe")["httpGet"]["port"], "8080");
}

TEST(Schema, OmitEmptyAndPointerZeros) {
  const json sc = typedFromYaml(
      "runAsUser: 0\nrunAsNonRoot: false\nprivileged: false\nreadOnlyRootFilesystem: true\n"
      "capabilities: {add: [NET_ADMIN], drop: []}\n",
      "SecurityContext");
  EXPECT_EQ(sc, json::parse(R"({"runAsUser":0,"runAsNonRoot":false,"privileged":false,
                                 "readOnlyRootFilesystem":true,"capabilities":{"add":["NET_ADMIN"]}})"));
  const json vm = typedFromYaml("name: v\nmountPath: /x\nreadOnly: false\nsubPath: ''\n", "VolumeMount");
  EXPECT_EQ(vm, json::parse(R"({"name":"v","mountPath":"/x"})"));
  const json probe = typedFromYaml("initialDelaySeconds: 0\nperiodSeconds: 2\nexec: {command: [a]}\n", "Probe");
  EXPECT_EQ(probe, json::parse(R"({"periodSeconds":2,"exec":{"command":["a"]}})"));
  const json vol = typedFromYaml("name: certs\nsecret: {secretName: s, optional: false}\n", "v1.Volume");
  EXPECT_EQ(vol, json::parse(R"({"name":"certs","secret":{"secretName":"s","optional":false}})"));
  const json emptyDir = typedFromYaml("name: e\nemptyDir: {}\n", "Volume");
  EXPECT_EQ(emptyDir, json::parse(R"({"name":"e","emptyDir":{}})"));
}

TEST(Schema, QuantitiesAreCanonicalised) {
  const json c = typedFromYaml(
      "name: p\nresources:\n  limits: {cpu: 2000m, memory: 1024Mi}\n  requests: {cpu: 0.1, memory: 128Mi}\n",
      "Container");
  EXPECT_EQ(c["resources"], json::parse(R"({"limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"100m","memory":"128Mi"}})"));
  const json e = typedFromYaml("name: A\nvalueFrom: {resourceFieldRef: {resource: limits.cpu}}\n", "EnvVar");
  EXPECT_EQ(e["valueFrom"]["resourceFieldRef"], json::parse(R"({"resource":"limits.cpu","divisor":"0"})"));
}

TEST(Schema, FieldNamesMatchCaseInsensitively) {
  const json c = typedFromYaml("Name: a\nIMAGE: b\nimagepullpolicy: Always\n", "Container");
  EXPECT_EQ(c, json::parse(R"({"name":"a","image":"b","imagePullPolicy":"Always","resources":{}})"));
}

TEST(Schema, DnsConfigAndLocalObjectReference) {
  const json d = typedFromYaml("nameservers: [1.2.3.4]\nsearches: [a.global]\noptions: [{name: ndots, value: 5}]\n",
                               "v1.PodDNSConfig");
  EXPECT_EQ(d, json::parse(R"({"nameservers":["1.2.3.4"],"searches":["a.global"],"options":[{"name":"ndots","value":"5"}]})"));
  EXPECT_EQ(typedFromYaml("name: regcred\nextra: 1\n", "v1.LocalObjectReference"), json::parse(R"({"name":"regcred"})"));
}

TEST(Schema, WholeObjectsGetGoZeroValues) {
  const json pod = typedFromYaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "Pod");
  EXPECT_EQ(pod, json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","creationTimestamp":null},
                                  "spec":{"containers":null},"status":{}})"));
  const json ds = typedFromYaml("kind: DaemonSet\nspec: {template: {spec: {containers: []}}}\n", "DaemonSet");
  EXPECT_EQ(ds["status"], json::parse(R"({"currentNumberScheduled":0,"desiredNumberScheduled":0,
                                          "numberMisscheduled":0,"numberReady":0})"));
  EXPECT_EQ(ds["spec"]["updateStrategy"], json::object());
  EXPECT_EQ(ds["spec"]["template"]["spec"]["containers"], json::array());
  const json dep = typedFromYaml("kind: Deployment\nspec: {replicas: 0, paused: false}\n", "Deployment");
  EXPECT_EQ(dep["spec"]["strategy"], json::object());
  EXPECT_EQ(dep["spec"]["replicas"], 0);
  EXPECT_FALSE(dep["spec"].contains("paused"));
  EXPECT_EQ(dep["status"], json::object());
  EXPECT_EQ(typedFromYaml("kind: ReplicaSet\n", "ReplicaSet")["status"], json::parse(R"({"replicas":0})"));
  EXPECT_EQ(typedFromYaml("kind: StatefulSet\n", "StatefulSet")["status"], json::parse(R"({"replicas":0})"));
  EXPECT_EQ(typedFromYaml("kind: ReplicationController\n", "ReplicationController")["status"],
            json::parse(R"({"replicas":0})"));
  const json dc = typedFromYaml("kind: DeploymentConfig\nspec: {paused: false, minReadySeconds: 0}\n", "DeploymentConfig");
  EXPECT_EQ(dc["spec"], json::parse(R"({"replicas":0,"strategy":{"resources":{}},"test":false,"triggers":null})"));
  EXPECT_EQ(dc["status"], json::parse(R"({"availableReplicas":0,"latestVersion":0,"observedGeneration":0,
                                         "replicas":0,"unavailableReplicas":0,"updatedReplicas":0})"));
  const json cron = typedFromYaml(
      "kind: CronJob\napiVersion: batch/v1beta1\nspec:\n  schedule: '*/1 * * * *'\n  jobTemplate:\n    metadata: {labels: {a: b}}\n"
      "    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: c}]\n",
      "CronJob");
  EXPECT_EQ(cron["spec"]["jobTemplate"]["metadata"], json::parse(R"({"labels":{"a":"b"},"creationTimestamp":null})"));
  EXPECT_EQ(cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"], "OnFailure");
}

TEST(Schema, ListItemsStayRaw) {
  const json list = typedFromYaml(
      "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  bogus: 1\n  spec: {containers: [{name: a, restartPolicy: x}]}\n",
      "List");
  EXPECT_EQ(list["metadata"], json::object());
  EXPECT_EQ(list["items"][0]["bogus"], 1);
  EXPECT_EQ(list["items"][0]["spec"]["containers"][0]["restartPolicy"], "x");
}

TEST(Schema, StatefulSetClaimTemplates) {
  const json ss = typedFromYaml(
      "kind: StatefulSet\nspec:\n  serviceName: s\n  volumeClaimTemplates:\n  - metadata: {name: data}\n"
      "    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1024Mi}}}\n",
      "StatefulSet");
  EXPECT_EQ(ss["spec"]["volumeClaimTemplates"][0],
            json::parse(R"({"metadata":{"name":"data","creationTimestamp":null},
                            "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}},
                            "status":{}})"));
}

TEST(Schema, BadTopLevelInput) {
  EXPECT_FALSE(decodeTyped(json::array(), "Pod"));
  EXPECT_FALSE(decodeTyped(json::object(), "v1.NoSuchType"));
  EXPECT_TRUE(isKnownKind("CronJob"));
  EXPECT_FALSE(isKnownKind("Service"));
}

TEST(Schema, DecodeIsIdempotent) {
  const json once = typedFromYaml(
      "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        args: [1, true]\n"
      "        resources: {limits: {cpu: 1500m}}\n      volumes: [{name: v, emptyDir: {medium: Memory}}]\n",
      "Deployment");
  auto twice = decodeTyped(once, "Deployment");
  ASSERT_TRUE(twice);
  EXPECT_EQ(*twice, once);
}

}  // namespace
}  // namespace sidecar::kube

namespace sidecar::kube {
namespace {

TEST(Schema, TimesPrintInUtc) {
  const json m = typedFromYaml(
      "name: x\ncreationTimestamp: 2019-10-01T12:30:00.25+02:00\ndeletionTimestamp: '2020-02-29T23:59:59Z'\n",
      "ObjectMeta");
  EXPECT_EQ(m["creationTimestamp"], "2019-10-01T10:30:00Z");
  EXPECT_EQ(m["deletionTimestamp"], "2020-02-29T23:59:59Z");
  EXPECT_EQ(typedFromYaml("creationTimestamp: 2019-12-31T23:00:00-01:30\n", "ObjectMeta")["creationTimestamp"],
            "2020-01-01T00:30:00Z");
  EXPECT_NE(typedError("creationTimestamp: yesterday\n", "ObjectMeta").find("creationTimestamp: parsing time"),
            std::string::npos);
  EXPECT_NE(typedError("creationTimestamp: '2019-02-29T00:00:00Z'\n", "ObjectMeta").find("parsing time"),
            std::string::npos);
}

TEST(Schema, AffinityIsTyped) {
  const json a = typedFromYaml(
      "nodeAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n    nodeSelectorTerms:\n"
      "    - matchExpressions: [{key: zone, operator: In, values: [a, 1]}]\n"
      "podAntiAffinity:\n  preferredDuringSchedulingIgnoredDuringExecution:\n"
      "  - weight: 100\n    podAffinityTerm: {topologyKey: host, bogus: 1}\n",
      "Affinity");
  EXPECT_EQ(a, json::parse(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":
      [{"matchExpressions":[{"key":"zone","operator":"In","values":["a","1"]}]}]}},
      "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":
      [{"weight":100,"podAffinityTerm":{"topologyKey":"host"}}]}})"));
}

}  // namespace
}  // namespace sidecar::kube
