// The Deployment controller, driven pass by pass (reconcileAll) for determinism, plus one
// test of the running controller reacting to changes by itself.

#include "test/apiserver/deployment_controller.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "test/apiserver/fake_webhook.h"
#include "test/apiserver/service_account_admission.h"
#include "test/apiserver/test_apiserver.h"

namespace sidecar::testapi {
namespace {

using nlohmann::json;

json sleepDeployment(int replicas) {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"sleep","namespace":"demo"},
    "spec":{"replicas":)" +
                     std::to_string(replicas) + R"(,"selector":{"matchLabels":{"app":"sleep"}},
      "template":{"metadata":{"labels":{"app":"sleep"}},
        "spec":{"containers":[{"name":"sleep","image":"curlimages/curl"}]}}}})");
}

json ownerOf(const json& o) {
  return o["metadata"]["ownerReferences"][0];
}

class DeploymentControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = CertificateAuthority::create("webhook-ca");
    ASSERT_TRUE(ca);
    auto serving = ca->issue("hook", {"hook.hooks.svc"}, {}, false);
    ASSERT_TRUE(serving);
    caPem_ = ca->ca().certPem;
    webhook_ =
        std::make_unique<FakeWebhook>(*serving, [this](const json& r) { return handler_(r); });
    admission_ = std::make_unique<MutatingAdmission>(
        store_, std::map<std::string, std::string>{{"hooks/hook", webhook_->endpoint()}});
    controller_ = std::make_unique<DeploymentController>(store_, *admission_);
    setUpCluster(store_);
  }

  void setUpCluster(ObjectStore& store) {
    ASSERT_EQ(store
                  .request("POST", "/api/v1/namespaces",
                           R"({"metadata":{"name":"demo","labels":{"istio-injection":"enabled"}}})")
                  .status,
              201);
    json hook = {{"name", "inject.test"},
                 {"clientConfig",
                  {{"service", {{"namespace", "hooks"}, {"name", "hook"}, {"path", "/inject"}}},
                   {"caBundle", base64Encode(caPem_)}}},
                 {"rules",
                  {{{"operations", {"CREATE"}},
                    {"apiGroups", {""}},
                    {"apiVersions", {"v1"}},
                    {"resources", {"pods"}}}}},
                 {"namespaceSelector", {{"matchLabels", {{"istio-injection", "enabled"}}}}},
                 {"failurePolicy", "Fail"}};
    json config = {{"metadata", {{"name", "injector"}}}, {"webhooks", {hook}}};
    ASSERT_EQ(
        store
            .request("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
                     config.dump())
            .status,
        201);
  }

  std::vector<json> list(const std::string& path) {
    ApiResponse r = store_.request("GET", path);
    EXPECT_EQ(r.status, 200);
    return json::parse(r.body)["items"].get<std::vector<json>>();
  }
  std::vector<json> pods() { return list("/api/v1/namespaces/demo/pods"); }
  std::vector<json> replicaSets() { return list("/apis/apps/v1/namespaces/demo/replicasets"); }
  json deployment() {
    return json::parse(
        store_.request("GET", "/apis/apps/v1/namespaces/demo/deployments/sleep").body);
  }

  void createDeployment(int replicas) {
    ASSERT_EQ(store_
                  .request("POST", "/apis/apps/v1/namespaces/demo/deployments",
                           sleepDeployment(replicas).dump())
                  .status,
              201);
  }

  void restart(const std::string& when) {
    // What `kubectl rollout restart` sends.
    json patch = {
        {"spec",
         {{"template",
           {{"metadata", {{"annotations", {{"kubectl.kubernetes.io/restartedAt", when}}}}}}}}}};
    ASSERT_EQ(store_
                  .request("PATCH", "/apis/apps/v1/namespaces/demo/deployments/sleep", patch.dump(),
                           "application/strategic-merge-patch+json")
                  .status,
              200);
  }

  static json injectSidecar(const json&) {
    json patch = json::parse(R"([{"op":"add","path":"/spec/containers/-","value":{"name":"istio-proxy","image":"proxy"}}])");
    return json{
        {"allowed", true}, {"patchType", "JSONPatch"}, {"patch", base64Encode(patch.dump())}};
  }

  ObjectStore store_;
  std::string caPem_;
  std::function<json(const json&)> handler_ = injectSidecar;
  std::unique_ptr<FakeWebhook> webhook_;
  std::unique_ptr<MutatingAdmission> admission_;
  std::unique_ptr<DeploymentController> controller_;
};

TEST_F(DeploymentControllerTest, CreateMakesAReplicaSetAndInjectedRunningPods) {
  createDeployment(2);
  ASSERT_TRUE(controller_->reconcileAll());
  const json d = deployment();
  const std::string hash = podTemplateHash(d["spec"]["template"]);
  EXPECT_EQ(hash.size(), 10u);

  auto rs = replicaSets();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0]["metadata"]["name"], "sleep-" + hash);
  EXPECT_EQ(ownerOf(rs[0])["kind"], "Deployment");
  EXPECT_EQ(ownerOf(rs[0])["uid"], d["metadata"]["uid"]);
  EXPECT_EQ(ownerOf(rs[0])["controller"], true);
  EXPECT_EQ(rs[0]["metadata"]["labels"]["pod-template-hash"], hash);
  EXPECT_EQ(rs[0]["spec"]["template"]["metadata"]["labels"]["pod-template-hash"], hash);
  EXPECT_EQ(rs[0]["spec"]["replicas"], 2);
  EXPECT_EQ(rs[0]["status"]["readyReplicas"], 2);

  auto ps = pods();
  ASSERT_EQ(ps.size(), 2u);
  for (const auto& p : ps) {
    const std::string name = p["metadata"]["name"];
    ASSERT_EQ(name.size(), ("sleep-" + hash + "-").size() + 5);
    EXPECT_EQ(name.rfind("sleep-" + hash + "-", 0), 0u);
    EXPECT_EQ(
        name.substr(name.size() - 5).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"),
        std::string::npos);
    EXPECT_EQ(ownerOf(p)["kind"], "ReplicaSet");
    EXPECT_EQ(ownerOf(p)["uid"], rs[0]["metadata"]["uid"]);
    EXPECT_EQ(p["metadata"]["labels"]["pod-template-hash"], hash);
    EXPECT_EQ(p["status"]["phase"], "Running");
    EXPECT_EQ(p["spec"]["nodeName"], "test-node");
    ASSERT_EQ(p["spec"]["containers"].size(), 2u) << "not injected: " << p.dump();
    EXPECT_EQ(p["spec"]["containers"][1]["name"], "istio-proxy");
  }
  EXPECT_EQ(webhook_->calls(), 2);

  const json status = deployment()["status"];
  EXPECT_EQ(status["observedGeneration"], 1);
  EXPECT_EQ(status["replicas"], 2);
  EXPECT_EQ(status["updatedReplicas"], 2);
  EXPECT_EQ(status["readyReplicas"], 2);
  EXPECT_EQ(status["availableReplicas"], 2);
  std::multiset<std::string> reasons;
  for (const auto& e : list("/api/v1/namespaces/demo/events")) {
    reasons.insert(e["reason"].get<std::string>());
  }
  EXPECT_EQ(reasons.count("ScalingReplicaSet"), 1u);
  EXPECT_EQ(reasons.count("SuccessfulCreate"), 2u);

  // Converged: another pass writes nothing (so the running controller does not spin).
  const uint64_t rv = store_.resourceVersion();
  ASSERT_TRUE(controller_->reconcileAll());
  EXPECT_EQ(store_.resourceVersion(), rv);
  EXPECT_EQ(webhook_->calls(), 2);
}

// What a mutating webhook receives for a controller's pod, as kube-apiserver sends it: no
// name yet (it is generated after admission), generateName, the namespace, managedFields of
// the controller stamped to the second, and the ServiceAccount plugin's token volume mounted
// in every container. The stored pod then has the generated name.
TEST_F(DeploymentControllerTest, WebhookSeesThePodAsKubeApiserverSendsIt) {
  createDeployment(2);
  ASSERT_TRUE(controller_->reconcileAll());
  const std::string generateName =
      "sleep-" + podTemplateHash(deployment()["spec"]["template"]) + "-";
  const auto requests = webhook_->requests();
  ASSERT_EQ(requests.size(), 2u);
  std::set<std::string> volumeNames;
  for (const json& request : requests) {
    EXPECT_EQ(request["name"], "");
    EXPECT_EQ(request["namespace"], "demo");
    const json& pod = request["object"];
    const json& meta = pod["metadata"];
    EXPECT_FALSE(meta.contains("name")) << meta.dump();
    EXPECT_EQ(meta["generateName"], generateName);
    EXPECT_EQ(meta["namespace"], "demo");
    ASSERT_EQ(meta["managedFields"].size(), 1u) << meta.dump();
    const json& managed = meta["managedFields"][0];
    EXPECT_EQ(managed["manager"], "kube-controller-manager");
    EXPECT_EQ(managed["operation"], "Update");
    EXPECT_EQ(managed["apiVersion"], "v1");
    EXPECT_EQ(managed["fieldsType"], "FieldsV1");
    EXPECT_TRUE(std::regex_match(managed["time"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
        << managed["time"];
    EXPECT_TRUE(managed["fieldsV1"]["f:metadata"].contains("f:generateName")) << managed.dump();
    EXPECT_TRUE(managed["fieldsV1"]["f:spec"]["f:containers"].contains(R"(k:{"name":"sleep"})"))
        << managed.dump();

    const json& spec = pod["spec"];
    EXPECT_EQ(spec["serviceAccountName"], "default");
    ASSERT_EQ(spec["volumes"].size(), 1u) << spec.dump();
    const json& volume = spec["volumes"][0];
    const std::string volumeName = volume["name"];
    EXPECT_TRUE(std::regex_match(volumeName, std::regex("kube-api-access-[a-z0-9]{5}")))
        << volumeName;
    volumeNames.insert(volumeName);
    const json& sources = volume["projected"]["sources"];
    ASSERT_EQ(sources.size(), 3u) << volume.dump();
    EXPECT_EQ(sources[0]["serviceAccountToken"],
              json::parse(R"({"expirationSeconds":3607,"path":"token"})"));
    EXPECT_EQ(sources[1]["configMap"]["name"], "kube-root-ca.crt");
    EXPECT_EQ(sources[2]["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"], "metadata.namespace");
    EXPECT_EQ(volume["projected"]["defaultMode"], 420);
    ASSERT_EQ(spec["containers"].size(), 1u);
    EXPECT_EQ(
        spec["containers"][0]["volumeMounts"],
        json::parse(
            R"([{"name":")" + volumeName +
            R"(","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}])"));
  }
  EXPECT_EQ(volumeNames.size(), 2u) << "each pod gets its own random volume name";

  // Named after admission: generateName plus five characters, in the store and in the log.
  std::set<std::string> stored;
  for (const json& p : pods()) {
    const std::string name = p["metadata"]["name"];
    EXPECT_TRUE(std::regex_match(name, std::regex(generateName + "[a-z0-9]{5}"))) << name;
    stored.insert(name);
  }
  std::set<std::string> logged;
  for (const AdmissionRecord& r : admission_->log()) {
    logged.insert(r.podName);
  }
  EXPECT_EQ(logged, stored);
}

// A pod that opts out of the token, or already mounts something at its path, keeps its own.
TEST(ServiceAccountAdmission, RespectsOptOutAndExistingMounts) {
  json optOut =
      json::parse(R"({"spec":{"automountServiceAccountToken":false,"containers":[{"name":"a"}]}})");
  admitServiceAccount(optOut, json(), "abcde");
  EXPECT_FALSE(optOut["spec"].contains("volumes")) << optOut.dump();
  EXPECT_EQ(optOut["spec"]["serviceAccountName"], "default");

  json saOptOut =
      json::parse(R"({"spec":{"serviceAccountName":"robot","containers":[{"name":"a"}]}})");
  admitServiceAccount(saOptOut, json::parse(R"({"automountServiceAccountToken":false,
                                                "imagePullSecrets":[{"name":"registry"}]})"),
                      "abcde");
  EXPECT_FALSE(saOptOut["spec"].contains("volumes"));
  EXPECT_EQ(saOptOut["spec"]["serviceAccount"], "robot");
  EXPECT_EQ(saOptOut["spec"]["imagePullSecrets"], json::parse(R"([{"name":"registry"}])"));

  json mounted = json::parse(R"({"spec":{"initContainers":[{"name":"init"}],"containers":[
      {"name":"own","volumeMounts":[{"name":"mine","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]},
      {"name":"plain"}]}})");
  admitServiceAccount(mounted, json(), "xyz12");
  ASSERT_EQ(mounted["spec"]["volumes"].size(), 1u);
  EXPECT_EQ(mounted["spec"]["volumes"][0]["name"], "kube-api-access-xyz12");
  EXPECT_EQ(mounted["spec"]["initContainers"][0]["volumeMounts"][0]["name"],
            "kube-api-access-xyz12");
  EXPECT_EQ(mounted["spec"]["containers"][0]["volumeMounts"].size(), 1u);
  EXPECT_EQ(mounted["spec"]["containers"][0]["volumeMounts"][0]["name"], "mine");
  EXPECT_EQ(mounted["spec"]["containers"][1]["volumeMounts"][0]["name"], "kube-api-access-xyz12");
}

TEST_F(DeploymentControllerTest, TemplateChangeReplacesThePods) {
  createDeployment(1);
  ASSERT_TRUE(controller_->reconcileAll());
  const std::string oldPod = pods()[0]["metadata"]["name"];
  const std::string oldRs = replicaSets()[0]["metadata"]["name"];

  restart("2026-01-01T00:00:00Z");
  ASSERT_TRUE(controller_->reconcileAll());
  auto ps = pods();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_NE(ps[0]["metadata"]["name"], oldPod);
  EXPECT_EQ(ps[0]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-01-01T00:00:00Z");
  EXPECT_EQ(ps[0]["spec"]["containers"].size(), 2u);
  auto rs = replicaSets();
  ASSERT_EQ(rs.size(), 2u);
  for (const auto& r : rs) {
    if (r["metadata"]["name"] == oldRs) {
      EXPECT_EQ(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
      EXPECT_EQ(r["spec"]["replicas"], 0);
      EXPECT_EQ(r["status"]["replicas"], 0);
    } else {
      EXPECT_EQ(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
      EXPECT_EQ(ps[0]["metadata"]["ownerReferences"][0]["uid"], r["metadata"]["uid"]);
    }
  }
  EXPECT_EQ(deployment()["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
  const json status = deployment()["status"];
  EXPECT_EQ(status["observedGeneration"], 2);
  EXPECT_EQ(status["updatedReplicas"], 1);
  EXPECT_EQ(status["replicas"], 1);
}

TEST_F(DeploymentControllerTest, ScaleDownDeletesSurplusPods) {
  createDeployment(3);
  ASSERT_TRUE(controller_->reconcileAll());
  ASSERT_EQ(pods().size(), 3u);
  // Through the Scale subresource, as `kubectl scale` does.
  const std::string scalePath = "/apis/apps/v1/namespaces/demo/deployments/sleep/scale";
  json scale = json::parse(store_.request("GET", scalePath).body);
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ(scale["spec"]["replicas"], 3);
  EXPECT_EQ(scale["status"]["replicas"], 3);
  EXPECT_EQ(scale["status"]["selector"], "app=sleep");
  ApiResponse patched = store_.request("PATCH", scalePath, R"({"spec":{"replicas":1}})",
                                       "application/merge-patch+json");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["spec"]["replicas"], 1);
  EXPECT_EQ(store_
                .request("PATCH", scalePath, R"({"spec":{"replicas":-1}})",
                         "application/merge-patch+json")
                .status,
            422);
  ASSERT_TRUE(controller_->reconcileAll());
  EXPECT_EQ(pods().size(), 1u);
  EXPECT_EQ(replicaSets()[0]["spec"]["replicas"], 1);
  EXPECT_EQ(deployment()["status"]["replicas"], 1);
}

TEST_F(DeploymentControllerTest, DeleteCascadesToReplicaSetsAndPods) {
  createDeployment(2);
  ASSERT_TRUE(controller_->reconcileAll());
  restart("2026-01-01T00:00:00Z");
  ASSERT_TRUE(controller_->reconcileAll());
  ASSERT_EQ(replicaSets().size(), 2u);
  // A pod the controller does not manage must survive the cascade.
  ASSERT_EQ(
      store_
          .request(
              "POST", "/api/v1/namespaces/demo/pods",
              R"({"metadata":{"name":"bystander","ownerReferences":[{"kind":"ReplicaSet","name":"x",
                               "uid":"not-ours","controller":true}]},"spec":{"containers":[]}})")
          .status,
      201);
  ASSERT_EQ(store_.request("DELETE", "/apis/apps/v1/namespaces/demo/deployments/sleep").status,
            200);
  ASSERT_TRUE(controller_->reconcileAll());
  EXPECT_TRUE(replicaSets().empty());
  auto ps = pods();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]["metadata"]["name"], "bystander");
}

TEST_F(DeploymentControllerTest, RejectedPodsLeaveAReplicaFailureAndAreRetried) {
  handler_ = [](const json&) {
    return json{{"allowed", false}, {"status", {{"message", "quota exceeded"}}}};
  };
  createDeployment(1);
  EXPECT_FALSE(controller_->reconcileAll());
  EXPECT_TRUE(pods().empty());
  auto rs = replicaSets();
  ASSERT_EQ(rs.size(), 1u);
  const json cond = rs[0]["status"]["conditions"][0];
  EXPECT_EQ(cond["type"], "ReplicaFailure");
  EXPECT_EQ(cond["status"], "True");
  EXPECT_NE(cond["message"].get<std::string>().find(
                "admission webhook \"inject.test\" denied the request: quota exceeded"),
            std::string::npos)
      << cond.dump();
  EXPECT_EQ(deployment()["status"]["updatedReplicas"], 0);

  // Retries do not repeat the Warning.
  EXPECT_FALSE(controller_->reconcileAll());
  int failedCreate = 0;
  for (const auto& e : list("/api/v1/namespaces/demo/events")) {
    if (e["reason"] == "FailedCreate") {
      ++failedCreate;
      EXPECT_EQ(e["type"], "Warning");
      EXPECT_EQ(e["involvedObject"]["kind"], "ReplicaSet");
      EXPECT_EQ(e["message"], cond["message"]);
    }
  }
  EXPECT_EQ(failedCreate, 1);

  handler_ = injectSidecar;
  EXPECT_TRUE(controller_->reconcileAll());
  ASSERT_EQ(pods().size(), 1u);
  EXPECT_FALSE(replicaSets()[0]["status"].contains("conditions"));
}

TEST_F(DeploymentControllerTest, RejectedRolloutKeepsTheOldPods) {
  createDeployment(1);
  ASSERT_TRUE(controller_->reconcileAll());
  const std::string oldPod = pods()[0]["metadata"]["name"];
  handler_ = [](const json&) {
    return json{{"allowed", false}, {"status", {{"message", "closed"}}}};
  };
  restart("2026-01-01T00:00:00Z");
  EXPECT_FALSE(controller_->reconcileAll());
  auto ps = pods();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0]["metadata"]["name"], oldPod);
  EXPECT_EQ(deployment()["status"]["updatedReplicas"], 0);
  EXPECT_EQ(deployment()["status"]["replicas"], 1);
}

TEST_F(DeploymentControllerTest, RunningControllerReactsToChanges) {
  TestApiServerOptions options;
  options.controllers = true;
  options.serviceEndpoints = {{"hooks/hook", webhook_->endpoint()}};
  auto server = TestApiServer::start(options);
  ASSERT_TRUE(server) << server.error().message;
  ObjectStore& store = (*server)->store();
  setUpCluster(store);
  ASSERT_EQ(
      store.request("POST", "/apis/apps/v1/namespaces/demo/deployments", sleepDeployment(1).dump())
          .status,
      201);
  auto waitForPod = [&](const std::string& notNamed) -> json {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto items = json::parse(store.request("GET", "/api/v1/namespaces/demo/pods").body)["items"];
      if (items.size() == 1 && items[0]["metadata"]["name"] != notNamed) {
        return items[0];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nullptr;
  };
  json first = waitForPod("");
  ASSERT_TRUE(first.is_object()) << "no pod appeared";
  EXPECT_EQ(first["spec"]["containers"].size(), 2u);
  json patch = {
      {"spec",
       {{"template",
         {{"metadata", {{"annotations", {{"kubectl.kubernetes.io/restartedAt", "now"}}}}}}}}}};
  ASSERT_EQ(store
                .request("PATCH", "/apis/apps/v1/namespaces/demo/deployments/sleep", patch.dump(),
                         "application/strategic-merge-patch+json")
                .status,
            200);
  json second = waitForPod(first["metadata"]["name"]);
  ASSERT_TRUE(second.is_object()) << "the pod was not replaced";
  EXPECT_EQ(second["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"], "now");
  (*server)->stop();
}

}  // namespace
}  // namespace sidecar::testapi
