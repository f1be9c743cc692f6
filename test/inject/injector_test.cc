#include "inject/injector.h"

#include <gtest/gtest.h>

#include "inject/admission.h"
#include "inject/kube_inject.h"
#include "inject/workload_identity.h"
#include "kube/json_patch.h"
#include "kube/yaml.h"
#include "test_fixtures.h"

namespace sidecar::inject {
namespace {

using nlohmann::json;
using testing::compileOrDie;
using testing::kTemplateConfig;
using testing::yaml;

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: hello
  namespace: prod
  labels: {app: hello}
spec:
  containers:
  - name: app
    image: app:1
    ports:
    - {name: http, containerPort: 80}
    readinessProbe:
      httpGet: {path: /ready, port: http, scheme: HTTPS}
)";

json firstDocument(const std::string& out) {
  auto end = out.find("---\n");
  return yaml(out.substr(0, end));
}

json runKubeInject(const InjectionConfig& config, const std::string& input, std::string* warnings = nullptr) {
  std::string out, warn;
  auto r = kubeInject(config, input, out, warn);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  if (warnings != nullptr) {
    *warnings = warn;
  }
  return firstDocument(out);
}

TEST(KubeInject, PodGetsSidecarStatusLabelAndRedirectAnnotations) {
  auto config = compileOrDie(kTemplateConfig);
  json pod = runKubeInject(*config, kPod);
  const json& spec = pod["spec"];
  ASSERT_EQ(spec["containers"].size(), 2u);
  const json& proxy = spec["containers"][1];
  EXPECT_EQ(proxy["name"], "istio-proxy");
  EXPECT_EQ(proxy["image"], "example.com/proxy:1");
  // .DeploymentMeta of a Pod is the pod itself; durations through formatDuration; the
  // concurrency comes from the 1500m limit.
  EXPECT_EQ(proxy["args"], json({"proxy", "--statusPort", "15020", "--serviceCluster", "hello.prod", "--drain",
                                 "45s", "--concurrency", "2"}));
  EXPECT_EQ(proxy["env"][0]["value"], "Pod");
  EXPECT_EQ(proxy["env"][1]["value"], "REDIRECT");
  // An unquoted YAML integer in a string list becomes a string.
  EXPECT_EQ(spec["initContainers"][0]["args"], json({"-b", "80", "-u", "1337"}));
  EXPECT_EQ(spec["volumes"][0]["name"], "istio-envoy");
  EXPECT_FALSE(spec.contains("imagePullSecrets")) << "kube-inject does not add the template's pull secrets";
  const json& annotations = pod["metadata"]["annotations"];
  EXPECT_EQ(annotations["sidecar.istio.io/status"],
            "{\"version\":\"" + config->version +
                "\",\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"],"
                "\"volumes\":[\"istio-envoy\"],\"imagePullSecrets\":[\"pull-secret\"]}");
  EXPECT_EQ(config->version.size(), 64u);
  EXPECT_EQ(annotations["traffic.sidecar.istio.io/includeInboundPorts"], "80");
  EXPECT_EQ(annotations["sidecar.istio.io/interceptionMode"], "REDIRECT");
  EXPECT_EQ(pod["metadata"]["labels"]["security.istio.io/tlsMode"], "istio");
}

TEST(KubeInject, ProbeRewrite) {
  auto config = compileOrDie(kTemplateConfig);
  json pod = runKubeInject(*config, kPod);
  const json& app = pod["spec"]["containers"][0];
  EXPECT_EQ(app["readinessProbe"]["httpGet"], json({{"path", "/app-health/app/readyz"}, {"port", 15020}, {"scheme", "HTTP"}}));
  const json& env = pod["spec"]["containers"][1]["env"];
  ASSERT_EQ(env.size(), 3u);
  EXPECT_EQ(env[2]["name"], "ISTIO_KUBE_APP_PROBERS");
  EXPECT_EQ(env[2]["value"], R"({"/app-health/app/readyz":{"path":"/ready","port":80,"scheme":"HTTPS"}})");
}

TEST(KubeInject, ProbeRewriteAnnotationOverridesTemplate) {
  auto config = compileOrDie(kTemplateConfig);
  std::string input = kPod;
  input.replace(input.find("  labels:"), 0, "  annotations: {sidecar.istio.io/rewriteAppHTTPProbers: 'false'}\n");
  json pod = runKubeInject(*config, input);
  EXPECT_EQ(pod["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"], "/ready");
  EXPECT_EQ(pod["spec"]["containers"][1]["env"].size(), 2u);
}

TEST(KubeInject, ExistingTlsModeLabelIsKept) {
  auto config = compileOrDie(kTemplateConfig);
  std::string input = kPod;
  input.replace(input.find("{app: hello}"), 12, "{app: hello, security.istio.io/tlsMode: disabled}");
  json pod = runKubeInject(*config, input);
  EXPECT_EQ(pod["metadata"]["labels"]["security.istio.io/tlsMode"], "disabled");
}

TEST(KubeInject, InvalidAnnotationAbortsNamingDocument) {
  auto config = compileOrDie(kTemplateConfig);
  std::string bad = kPod;
  bad.replace(bad.find("  labels:"), 0, "  annotations: {traffic.sidecar.istio.io/excludeInboundPorts: 'x'}\n");
  std::string out, warnings;
  auto r = kubeInject(*config, std::string(kPod) + "---\n" + bad, out, warnings);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("document 2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("invalid value 'x' for annotation 'traffic.sidecar.istio.io/excludeInboundPorts'"),
            std::string::npos);
  EXPECT_NE(out.find("istio-proxy"), std::string::npos) << "the first document stays written";
}

TEST(KubeInject, UnknownKindsPassThroughVerbatim) {
  auto config = compileOrDie(kTemplateConfig);
  std::string service = "kind: Service\napiVersion: v1\nmetadata:\n  name: s   # comment kept\n";
  std::string out, warnings;
  ASSERT_TRUE(kubeInject(*config, service + "---\n" + kPod, out, warnings).has_value());
  EXPECT_EQ(out.substr(0, service.size() + 4), service + "---\n");
  EXPECT_EQ(out.substr(out.size() - 4), "---\n");
}

TEST(KubeInject, HostNetworkAndReinjectionAreSkipped) {
  auto config = compileOrDie(kTemplateConfig);
  std::string host = kPod;
  host.replace(host.find("spec:\n") + 6, 0, "  hostNetwork: true\n");
  std::string warnings;
  json pod = runKubeInject(*config, host, &warnings);
  EXPECT_EQ(pod["spec"]["containers"].size(), 1u);
  EXPECT_NE(warnings.find("Skipping injection because \"hello\" has host networking enabled"), std::string::npos);

  json once = runKubeInject(*config, kPod);
  json twice = runKubeInject(*config, kube::toYaml(once));
  EXPECT_EQ(once, twice) << "a pod with istio-proxy among several containers is left alone";
}

struct KindCase {
  const char* kind;
  const char* apiVersion;
  std::vector<std::string> templatePath;  // to the pod template (metadata + spec)
};

TEST(KubeInject, EveryWorkloadKind) {
  auto config = compileOrDie(kTemplateConfig);
  const KindCase cases[] = {
      {"Deployment", "apps/v1", {"spec", "template"}},
      {"DaemonSet", "apps/v1", {"spec", "template"}},
      {"ReplicaSet", "apps/v1", {"spec", "template"}},
      {"StatefulSet", "apps/v1", {"spec", "template"}},
      {"Job", "batch/v1", {"spec", "template"}},
      {"ReplicationController", "v1", {"spec", "template"}},
      {"DeploymentConfig", "apps.openshift.io/v1", {"spec", "template"}},
      {"Deployment", "extensions/v1beta1", {"spec", "template"}},
  };
  for (const auto& c : cases) {
    std::string input = std::string("apiVersion: ") + c.apiVersion + "\nkind: " + c.kind +
                        "\nmetadata: {name: wl, namespace: ns}\nspec:\n  template:\n    metadata:\n      labels: {app: a}\n"
                        "    spec:\n      containers:\n      - name: app\n        image: app:1\n";
    json obj = runKubeInject(*config, input);
    EXPECT_EQ(obj["apiVersion"], c.apiVersion);
    json* node = &obj;
    for (const auto& key : c.templatePath) {
      node = &(*node)[key];
    }
    ASSERT_EQ((*node)["spec"]["containers"].size(), 2u) << c.kind;
    EXPECT_EQ((*node)["spec"]["containers"][1]["args"][4], "wl.ns") << c.kind << ": DeploymentMeta is the workload";
    EXPECT_EQ((*node)["spec"]["containers"][1]["env"][0]["value"], c.kind) << c.kind;
    EXPECT_TRUE((*node)["metadata"]["annotations"].contains("sidecar.istio.io/status")) << c.kind;
    EXPECT_EQ((*node)["metadata"]["labels"]["security.istio.io/tlsMode"], "istio") << c.kind;
  }
}

TEST(KubeInject, CronJobUsesJobTemplateMetadata) {
  auto config = compileOrDie(kTemplateConfig);
  json obj = runKubeInject(*config, R"(apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: cron, namespace: ns}
spec:
  schedule: "* * * * *"
  jobTemplate:
    metadata:
      labels: {job: yes-label}
    spec:
      template:
        metadata:
          labels: {pod: label}
        spec:
          restartPolicy: OnFailure
          containers:
          - name: app
            image: app:1
)");
  const json& jobTemplate = obj["spec"]["jobTemplate"];
  EXPECT_TRUE(jobTemplate["metadata"]["annotations"].contains("sidecar.istio.io/status"));
  EXPECT_EQ(jobTemplate["metadata"]["labels"]["security.istio.io/tlsMode"], "istio");
  const json& podTemplate = jobTemplate["spec"]["template"];
  EXPECT_FALSE(podTemplate["metadata"].contains("annotations"));
  EXPECT_EQ(podTemplate["spec"]["containers"].size(), 2u);
  EXPECT_EQ(podTemplate["spec"]["containers"][1]["args"][4], "cron.ns");
}

TEST(KubeInject, ListItemsAreInjectedRecursively) {
  auto config = compileOrDie(kTemplateConfig);
  json list = runKubeInject(*config, R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: svc}
  spec: {ports: [{port: 80}]}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: d}
  spec:
    template:
      spec:
        containers:
        - {name: app, image: app:1}
)");
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][0], yaml("apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 80}]}\n"));
  EXPECT_EQ(list["items"][1]["spec"]["template"]["spec"]["containers"].size(), 2u);
}

TEST(KubeInject, LegacyConfigUsesSquareDelimitersAndNoTlsLabel) {
  auto config = compileOrDie(R"(policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: proxy
    args:
    - --port
    - [[ .MeshConfig.ProxyListenPort ]]
    - --statsd
    - [[ .ProxyConfig.StatsdUdpAddress ]]
    - [[ annotation .ObjectMeta "status.sidecar.istio.io/port" 0 ]]
)");
  ASSERT_NE(config, nullptr);
  EXPECT_TRUE(config->legacy);
  json pod = runKubeInject(*config, kPod);
  const json& proxy = pod["spec"]["containers"][1];
  EXPECT_EQ(proxy["args"], json({"--port", "15001", "--statsd", "", "0"}));
  EXPECT_FALSE(pod["metadata"]["labels"].contains("security.istio.io/tlsMode"));
  // 1.1 templates have no .Values.
  auto withValues = compileConfig("template: |\n  containers: [[ .Values.x ]]\n", "", "");
  ASSERT_TRUE(withValues.has_value());
  std::string out, warnings;
  auto r = kubeInject(**withValues, kPod, out, warnings);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("Values"), std::string::npos);
}

TEST(KubeInject, SdsSetsPodFsGroupAndDnsConfigIsReplaced) {
  std::string cfg = kTemplateConfig;
  cfg += "  dnsConfig:\n    searches: [a.svc]\n";
  auto config = compileOrDie(cfg, "sdsUdsPath: unix:/var/run/sds/uds_path\n");
  std::string input = kPod;
  input += "  securityContext: {runAsUser: 5}\n  dnsConfig: {searches: [old]}\n";
  json pod = runKubeInject(*config, input);
  EXPECT_EQ(pod["spec"]["securityContext"], json({{"fsGroup", 1337}}));
  EXPECT_EQ(pod["spec"]["dnsConfig"], json({{"searches", {"a.svc"}}}));

  auto plain = compileOrDie(kTemplateConfig);
  json noDns = runKubeInject(*plain, input);
  EXPECT_FALSE(noDns["spec"].contains("dnsConfig")) << "kube-inject replaces dnsConfig even with nothing";
  EXPECT_EQ(noDns["spec"]["securityContext"], json({{"runAsUser", 5}}));
}

// --- webhook path -----------------------------------------------------------------------

json podJson(const char* text) {
  json pod = yaml(text);
  return pod;
}

json mergedByWebhook(const InjectionConfig& config, json pod, const std::string& ns) {
  PodInput input;
  json metadata = pod["metadata"];
  if (!metadata.contains("namespace")) {
    metadata["namespace"] = ns;
  }
  input.metadata = std::make_shared<const json>(metadata);
  input.spec = std::make_shared<const json>(pod["spec"]);
  input.deploymentMeta = input.metadata;
  input.apiVersion = "v1";
  input.kind = "Pod";
  input.frontend = Frontend::Webhook;
  auto result = injectPod(config, input);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  mergeIntoPod(config, *result, Frontend::Webhook, pod["metadata"], pod["spec"]);
  return pod;
}

TEST(Webhook, PatchAppliedEqualsMergedPod) {
  auto config = compileOrDie(std::string(kTemplateConfig) + "injectedAnnotations:\n  example.com/injected: 'yes'\n");
  for (const char* text : {kPod,
                           "apiVersion: v1\nkind: Pod\nmetadata: {name: bare}\nspec:\n  containers:\n  - {name: app, image: a}\n",
                           "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sa\n  annotations: {sidecar.istio.io/status: ''}\n"
                           "spec:\n  initContainers: [{name: prep, image: p}]\n  imagePullSecrets: [{name: mine}]\n"
                           "  volumes: [{name: v, emptyDir: {}}]\n  containers:\n  - name: app\n    image: a\n"
                           "    volumeMounts: [{name: tok, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]\n"}) {
    json pod = podJson(text);
    auto outcome = admitPod(*config, pod.dump(), "prod");
    ASSERT_EQ(outcome.kind, AdmissionOutcome::Kind::Patched) << outcome.message;
    json patch = json::parse(outcome.patch);
    auto patched = kube::applyPatch(pod, patch);
    ASSERT_TRUE(patched.has_value()) << patched.error().message << "\n" << patch.dump(2);
    json merged = mergedByWebhook(*config, pod, "prod");
    EXPECT_EQ(*patched, merged) << "patch: " << patch.dump(2);
    EXPECT_EQ((*patched)["metadata"]["annotations"]["example.com/injected"], "yes");
    EXPECT_EQ((*patched)["spec"]["imagePullSecrets"].back()["name"], "pull-secret");
  }
}

TEST(Webhook, ServiceAccountMountIsAddedToProxy) {
  auto config = compileOrDie(kTemplateConfig);
  json pod = podJson("metadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: a\n"
                     "    volumeMounts: [{name: tok, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}]\n");
  json merged = mergedByWebhook(*config, pod, "default");
  const json& mounts = merged["spec"]["containers"][1]["volumeMounts"];
  ASSERT_TRUE(mounts.is_array());
  EXPECT_EQ(mounts.back()["name"], "tok");
}

TEST(Webhook, InjectingTwiceEqualsInjectingOnce) {
  auto config = compileOrDie(kTemplateConfig);
  json pod = podJson(kPod);
  json once = mergedByWebhook(*config, pod, "prod");
  json twice = mergedByWebhook(*config, once, "prod");
  // The probe of the twice-injected pod was already rewritten; everything else is equal.
  EXPECT_EQ(once["spec"]["containers"].size(), twice["spec"]["containers"].size());
  EXPECT_EQ(once["spec"]["initContainers"], twice["spec"]["initContainers"]);
  EXPECT_EQ(once["spec"]["volumes"], twice["spec"]["volumes"]);
  EXPECT_EQ(once["spec"]["imagePullSecrets"], twice["spec"]["imagePullSecrets"]);
  EXPECT_EQ(once["metadata"], twice["metadata"]);

  // And the patch for an already injected pod removes the old pieces first.
  auto outcome = admitPod(*config, once.dump(), "prod");
  ASSERT_EQ(outcome.kind, AdmissionOutcome::Kind::Patched);
  json patch = json::parse(outcome.patch);
  EXPECT_EQ(patch[0], json({{"op", "remove"}, {"path", "/spec/initContainers/0"}}));
  EXPECT_EQ(patch[1], json({{"op", "remove"}, {"path", "/spec/containers/1"}}));
  EXPECT_EQ(patch[2], json({{"op", "remove"}, {"path", "/spec/volumes/0"}}));
  EXPECT_EQ(patch[3], json({{"op", "remove"}, {"path", "/spec/imagePullSecrets/0"}}));
  auto reapplied = kube::applyPatch(once, patch);
  ASSERT_TRUE(reapplied.has_value()) << reapplied.error().message;
  EXPECT_EQ((*reapplied)["spec"]["containers"].size(), 2u);
  EXPECT_EQ((*reapplied)["spec"]["volumes"], once["spec"]["volumes"]);
}

TEST(Webhook, PatchShapeForEmptyLists) {
  auto config = compileOrDie(kTemplateConfig);
  json pod = podJson("metadata: {name: p}\nspec:\n  containers: [{name: app, image: a}]\n");
  auto outcome = admitPod(*config, pod.dump(), "default");
  ASSERT_EQ(outcome.kind, AdmissionOutcome::Kind::Patched);
  json patch = json::parse(outcome.patch);
  std::vector<std::string> paths;
  for (const auto& op : patch) {
    paths.push_back(op["path"]);
  }
  std::vector<std::string> expected = {"/spec/initContainers", "/spec/containers/-", "/spec/volumes",
                                       "/spec/imagePullSecrets", "/metadata/annotations", "/metadata/labels",
                                       "/spec/containers/0/readinessProbe/httpGet"};
  // The pod has no probe, so no probe op.
  expected.pop_back();
  EXPECT_EQ(paths, expected);
  EXPECT_TRUE(patch[0]["value"].is_array());
  EXPECT_TRUE(patch[1]["value"].is_object());
}

TEST(Webhook, PolicyOutcomes) {
  auto config = compileOrDie(kTemplateConfig);
  auto skipped = admitPod(*config, R"({"metadata":{"annotations":{"sidecar.istio.io/inject":"false"}},"spec":{}})", "x");
  EXPECT_EQ(skipped.kind, AdmissionOutcome::Kind::Skipped);
  EXPECT_EQ(outcomeReason(skipped), "annotation_disabled");
  auto system = admitPod(*config, R"({"metadata":{},"spec":{}})", "kube-system");
  EXPECT_EQ(outcomeReason(system), "ignored_namespace");
  auto invalid = admitPod(*config, R"({"metadata":{"annotations":{"status.sidecar.istio.io/port":"x"}},"spec":{}})", "x");
  EXPECT_EQ(invalid.kind, AdmissionOutcome::Kind::Failed);
  EXPECT_EQ(outcomeReason(invalid), "invalid_annotation");
  auto garbage = admitPod(*config, "[1,", "x");
  EXPECT_EQ(garbage.kind, AdmissionOutcome::Kind::Failed);
  EXPECT_EQ(outcomeReason(garbage), "invalid_pod");
}

TEST(Webhook, DeploymentMetaFromReplicaSetOwner) {
  auto config = compileOrDie(kTemplateConfig);
  json pod = json::parse(R"({"metadata":{"generateName":"web-5d4f8-","labels":{"pod-template-hash":"5d4f8"},
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4f8","controller":true}]},
    "spec":{"containers":[{"name":"app","image":"a"}]}})");
  auto outcome = admitPod(*config, pod.dump(), "shop");
  ASSERT_EQ(outcome.kind, AdmissionOutcome::Kind::Patched) << outcome.message;
  json patch = json::parse(outcome.patch);
  const json& proxy = patch[1]["value"];
  EXPECT_EQ(proxy["args"][4], "web.shop");
  EXPECT_EQ(proxy["env"][0]["value"], "Deployment");
}

}  // namespace
}  // namespace sidecar::inject

namespace sidecar::inject {
namespace {

TEST(Webhook, TemplatesStillSeeAppContainerEnv) {
  // The webhook reader keeps env lists as raw bytes; a template that reads them must not
  // notice.
  auto config = compileOrDie(R"(policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: proxy
    env:
    - name: SEEN
      value: "{{ range (index .Spec.Containers 0).Env }}{{ .Name }}={{ .Value }};{{ end }}"
    - name: WHOLE
      value: '{{ structToJSON (index .Spec.Containers 0).Env }}|{{ len (index .Spec.Containers 0).EnvFrom }}'
)");
  json pod = json::parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"a",
    "env":[{"name":"A","value":"1"},{"name":"B","value":"x<y"}],"envFrom":[{"configMapRef":{"name":"cm"}}]}]}})");
  auto outcome = admitPod(*config, pod.dump(), "default");
  ASSERT_EQ(outcome.kind, AdmissionOutcome::Kind::Patched) << outcome.message;
  json patch = json::parse(outcome.patch);
  const json& env = patch[0]["value"]["env"];
  EXPECT_EQ(env[0]["value"], "A=1;B=x<y;");
  EXPECT_EQ(env[1]["value"], R"([{"name":"A","value":"1"},{"name":"B","value":"x\u003cy"}]|1)");
  // The app container itself is never part of the patch, so its env never needs re-encoding.
  for (const auto& op : patch) {
    EXPECT_EQ(op["value"].dump().find("configMapRef"), std::string::npos);
  }
}

TEST(Webhook, MalformedPodJsonFailsCleanly) {
  auto config = compileOrDie(kTemplateConfig);
  for (const char* bad : {"", "{", "[]", "{\"spec\":{\"containers\":[{\"env\":[1,]}]}}", "{\"metadata\":nul}"}) {
    auto outcome = admitPod(*config, bad, "default");
    EXPECT_EQ(outcome.kind, AdmissionOutcome::Kind::Failed) << bad;
    EXPECT_EQ(outcomeReason(outcome), "invalid_pod") << bad;
  }
}

}  // namespace
}  // namespace sidecar::inject

namespace sidecar::inject {
namespace {

TEST(Webhook, MistypedPodFieldIsABadRequestNamingTheField) {
  // Odd pod data used to reach the catch-all and come back as the server's template error.
  auto config = compileOrDie(kTemplateConfig);
  const std::pair<const char*, const char*> cases[] = {
      {R"({"metadata":{"name":"p"},"spec":{"containers":{"name":"app"}}})", "spec.containers"},
      {R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"app","args":"-x"}]}})",
       "spec.containers[0].args"},
      {R"({"metadata":{"labels":{"app":3}},"spec":{"containers":[]}})", "metadata.labels.app"},
      {R"({"metadata":{"ownerReferences":{"kind":"ReplicaSet"}},"spec":{}})",
       "metadata.ownerReferences"},
      {R"({"metadata":{},"spec":{"containers":[{"name":"a","readinessProbe":{"httpGet":{"port":[80]}}}]}})",
       "spec.containers[0].readinessProbe.httpGet.port"},
  };
  for (auto [pod, field] : cases) {
    auto outcome = admitPod(*config, pod, "default");
    EXPECT_EQ(outcome.kind, AdmissionOutcome::Kind::Failed) << pod;
    EXPECT_EQ(outcomeReason(outcome), "invalid_pod") << pod;
    EXPECT_EQ(outcome.code, ErrorCode::InvalidArgument) << pod;
    EXPECT_NE(outcome.message.find(std::string(field) + ": cannot unmarshal"), std::string::npos)
        << outcome.message;
  }
}

TEST(Webhook, FailureCodesSayWhoseFaultItIs) {
  auto config = compileOrDie(kTemplateConfig);
  auto annotation = admitPod(
      *config, R"({"metadata":{"annotations":{"status.sidecar.istio.io/port":"x"}},"spec":{}})",
      "x");
  EXPECT_EQ(outcomeReason(annotation), "invalid_annotation");
  EXPECT_EQ(annotation.code, ErrorCode::InvalidArgument);
  // A template that cannot render is the configuration's fault, not the caller's.
  auto broken = compileOrDie(R"(policy: enabled
template: |
  containers: {{ index .Spec.Containers 5 }}
)");
  auto rendered = admitPod(*broken, R"({"metadata":{"name":"p"},"spec":{"containers":[]}})", "x");
  EXPECT_EQ(rendered.kind, AdmissionOutcome::Kind::Failed);
  EXPECT_EQ(outcomeReason(rendered), "template_error") << rendered.message;
  EXPECT_EQ(rendered.code, ErrorCode::FailedPrecondition);
  auto garbage = admitPod(*config, "[1,", "x");
  EXPECT_EQ(garbage.code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace sidecar::inject

namespace sidecar::inject {
namespace {

TEST(WorkloadIdentity, FollowsIstiosDeploymentHeuristic) {
  auto meta = [](const char* text) { return json::parse(text); };
  const WorkloadIdentity bare = workloadOf(meta(R"({"name":"p"})"));
  EXPECT_EQ(bare.kind, "Pod");
  EXPECT_EQ(bare.apiVersion, "v1");
  EXPECT_EQ(bare.name, "p");
  const WorkloadIdentity deployment =
      workloadOf(meta(R"({"name":"web-5d4f8-x","generateName":"web-5d4f8-",
    "labels":{"pod-template-hash":"5d4f8"},
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4f8","controller":true}]})"));
  EXPECT_EQ(deployment.kind, "Deployment");
  EXPECT_EQ(deployment.apiVersion, "apps/v1");
  EXPECT_EQ(deployment.name, "web");
  // strings.HasSuffix(name, "") holds: without the label the owner is still taken for a
  // Deployment, under its full name.
  const WorkloadIdentity noHash = workloadOf(meta(R"({"generateName":"rs-",
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","controller":true}]})"));
  EXPECT_EQ(noHash.kind, "Deployment");
  EXPECT_EQ(noHash.name, "rs");
  // Only the controller owner counts, and only for generated pods.
  const WorkloadIdentity job = workloadOf(meta(R"({"name":"j-1","generateName":"j-",
    "ownerReferences":[{"kind":"Other","name":"o"},{"apiVersion":"batch/v1","kind":"Job","name":"j","controller":true}]})"));
  EXPECT_EQ(job.kind, "Job");
  EXPECT_EQ(job.name, "j");
  const WorkloadIdentity named = workloadOf(meta(R"({"name":"fixed",
    "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"j","controller":true}]})"));
  EXPECT_EQ(named.kind, "Pod");
  EXPECT_EQ(named.name, "fixed");
}

}  // namespace
}  // namespace sidecar::inject
