// Mutating admission against a real HTTPS webhook: CA and hostname verification, failure
// policies, denials, patches, ordering, and the HTTP path of the test API server.

#include "test/apiserver/admission.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "test/apiserver/fake_webhook.h"
#include "test/apiserver/https_client.h"
#include "test/apiserver/test_apiserver.h"

namespace sidecar::testapi {
namespace {

using nlohmann::json;

json addProxyPatch() {
  return json::parse(R"([{"op":"add","path":"/spec/containers/-","value":{"name":"istio-proxy","image":"proxy"}},
                         {"op":"add","path":"/metadata/annotations","value":{"sidecar.istio.io/status":"{}"}}])");
}

json allowWithPatch(const json& patch) {
  return {{"allowed", true}, {"patchType", "JSONPatch"}, {"patch", base64Encode(patch.dump())}};
}

class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = CertificateAuthority::create("webhook-ca");
    ASSERT_TRUE(ca);
    ca_ = std::make_unique<CertificateAuthority>(std::move(*ca));
    auto serving = ca_->issue("hook", {"hook.hooks.svc"}, {"127.0.0.1"}, false);
    ASSERT_TRUE(serving);
    serving_ = *serving;
    webhook_ = std::make_unique<FakeWebhook>(serving_, [this](const json& request) { return handler_(request); });
    admission_ = std::make_unique<MutatingAdmission>(
        store_, std::map<std::string, std::string>{{"hooks/hook", webhook_->endpoint()}});
    createNamespace("demo", {{"istio-injection", "enabled"}});
    createNamespace("plain", json::object());
  }

  void createNamespace(const std::string& name, json labels) {
    json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}, {"labels", labels}}}};
    ASSERT_EQ(store_.request("POST", "/api/v1/namespaces", ns.dump()).status, 201);
  }

  json webhook(const std::string& name, const std::string& failurePolicy) {
    return {{"name", name},
            {"clientConfig",
             {{"service",
               {{"namespace", "hooks"}, {"name", "hook"}, {"path", "/inject"}, {"port", 443}}},
              {"caBundle", base64Encode(ca_->ca().certPem)}}},
            {"rules",
             {{{"operations", {"CREATE"}},
               {"apiGroups", {""}},
               {"apiVersions", {"v1"}},
               {"resources", {"pods"}}}}},
            {"namespaceSelector", {{"matchLabels", {{"istio-injection", "enabled"}}}}},
            {"failurePolicy", failurePolicy},
            {"sideEffects", "None"},
            {"admissionReviewVersions", {"v1", "v1beta1"}},
            {"timeoutSeconds", 5}};
  }

  void addConfiguration(const std::string& name, std::vector<json> webhooks) {
    json config = {{"apiVersion", "admissionregistration.k8s.io/v1"},
                   {"kind", "MutatingWebhookConfiguration"},
                   {"metadata", {{"name", name}}},
                   {"webhooks", webhooks}};
    ASSERT_EQ(store_.request("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
                             config.dump())
                  .status,
              201);
  }

  static json pod(const std::string& name) {
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"labels", {{"app", "sleep"}}}}},
            {"spec", {{"containers", {{{"name", "sleep"}, {"image", "curl"}}}}}}};
  }

  static std::string message(const ApiResponse& r) { return json::parse(r.body).value("message", ""); }

  ObjectStore store_;
  std::unique_ptr<CertificateAuthority> ca_;
  CertificatePair serving_;
  std::function<json(const json&)> handler_ = [](const json&) { return allowWithPatch(addProxyPatch()); };
  std::unique_ptr<FakeWebhook> webhook_;
  std::unique_ptr<MutatingAdmission> admission_;
};

TEST_F(AdmissionTest, PatchIsAppliedAndTheReviewIsComplete) {
  addConfiguration("injector", {webhook("hook.test", "Fail")});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_TRUE(out.allowed) << out.rejection.body;
  ASSERT_EQ(out.object["spec"]["containers"].size(), 2u);
  EXPECT_EQ(out.object["spec"]["containers"][1]["name"], "istio-proxy");
  EXPECT_EQ(out.object["metadata"]["annotations"]["sidecar.istio.io/status"], "{}");
  ASSERT_EQ(webhook_->calls(), 1);
  EXPECT_EQ(webhook_->targets()[0], "/inject?timeout=5s");
  const json request = webhook_->requests()[0];
  EXPECT_EQ(request["operation"], "CREATE");
  EXPECT_EQ(request["namespace"], "demo");
  EXPECT_EQ(request["kind"]["kind"], "Pod");
  EXPECT_EQ(request["resource"]["resource"], "pods");
  EXPECT_EQ(request["dryRun"], false);
  EXPECT_FALSE(request["uid"].get<std::string>().empty());
  EXPECT_EQ(request["object"]["metadata"]["name"], "p1");
  EXPECT_EQ(request["object"]["spec"]["containers"].size(), 1u);
  auto log = admission_->log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].webhook, "hook.test");
  EXPECT_TRUE(log[0].called);
  EXPECT_TRUE(log[0].allowed);
  EXPECT_TRUE(log[0].patched);
}

TEST_F(AdmissionTest, UnselectedNamespaceIsNotSentToTheWebhook) {
  addConfiguration("injector", {webhook("hook.test", "Fail")});
  AdmissionOutcome out = admission_->admitPodCreate("plain", pod("p1"), false);
  ASSERT_TRUE(out.allowed);
  EXPECT_EQ(out.object["spec"]["containers"].size(), 1u);
  EXPECT_EQ(webhook_->calls(), 0);
  EXPECT_TRUE(admission_->log().empty());
}

TEST_F(AdmissionTest, WrongCaFailsClosedOrIsIgnored) {
  auto other = CertificateAuthority::create("someone-else");
  ASSERT_TRUE(other);
  json failing = webhook("hook.fail", "Fail");
  failing["clientConfig"]["caBundle"] = base64Encode(other->ca().certPem);
  addConfiguration("injector", {failing});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_EQ(out.rejection.status, 500);
  const std::string msg = message(out.rejection);
  EXPECT_NE(msg.find("failed calling webhook \"hook.fail\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("tls: failed to verify certificate"), std::string::npos) << msg;
  EXPECT_NE(msg.find("https://hook.hooks.svc:443/inject"), std::string::npos) << msg;
  EXPECT_EQ(webhook_->calls(), 0);

  ObjectStore store;
  ASSERT_EQ(store.request("POST", "/api/v1/namespaces",
                          R"({"metadata":{"name":"demo","labels":{"istio-injection":"enabled"}}})")
                .status,
            201);
  failing["failurePolicy"] = "Ignore";
  json config = {{"metadata", {{"name", "injector"}}}, {"webhooks", {failing}}};
  store.request("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", config.dump());
  MutatingAdmission ignoring(store, {{"hooks/hook", webhook_->endpoint()}});
  AdmissionOutcome ignored = ignoring.admitPodCreate("demo", pod("p1"), false);
  ASSERT_TRUE(ignored.allowed);
  EXPECT_EQ(ignored.object["spec"]["containers"].size(), 1u);
  ASSERT_EQ(ignoring.log().size(), 1u);
  EXPECT_FALSE(ignoring.log()[0].called);
  EXPECT_NE(ignoring.log()[0].error.find("tls"), std::string::npos);
}

TEST_F(AdmissionTest, CertificateMustNameTheService) {
  json hook = webhook("hook.mismatch", "Fail");
  hook["clientConfig"]["service"]["name"] = "other";
  admission_ = std::make_unique<MutatingAdmission>(
      store_, std::map<std::string, std::string>{{"hooks/other", webhook_->endpoint()}});
  addConfiguration("injector", {hook});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_NE(message(out.rejection).find("hostname mismatch"), std::string::npos) << message(out.rejection);
}

TEST_F(AdmissionTest, MissingCaBundleWithFailRejectsWithATlsError) {
  json hook = webhook("hook.nobundle", "Fail");
  hook["clientConfig"].erase("caBundle");
  addConfiguration("injector", {hook});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_NE(message(out.rejection).find("tls: failed to verify certificate"), std::string::npos)
      << message(out.rejection);
}

TEST_F(AdmissionTest, DenialCarriesTheWebhookMessage) {
  handler_ = [](const json&) {
    return json{{"allowed", false}, {"status", {{"message", "no sidecars today"}, {"code", 403}}}};
  };
  addConfiguration("injector", {webhook("hook.deny", "Ignore")});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_EQ(out.rejection.status, 403);
  EXPECT_EQ(message(out.rejection), "admission webhook \"hook.deny\" denied the request: no sidecars today");
  ASSERT_EQ(admission_->log().size(), 1u);
  EXPECT_FALSE(admission_->log()[0].allowed);
}

TEST_F(AdmissionTest, TimeoutFollowsTheFailurePolicy) {
  handler_ = [](const json&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return json{{"allowed", true}};
  };
  json hook = webhook("hook.slow", "Fail");
  hook["timeoutSeconds"] = 1;
  addConfiguration("a", {hook});
  const auto started = std::chrono::steady_clock::now();
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1450));
  ASSERT_FALSE(out.allowed);
  EXPECT_NE(message(out.rejection).find("timeout"), std::string::npos) << message(out.rejection);

  hook["failurePolicy"] = "Ignore";
  ASSERT_EQ(store_.request("DELETE", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/a").status,
            200);
  addConfiguration("a", {hook});
  EXPECT_TRUE(admission_->admitPodCreate("demo", pod("p2"), false).allowed);
}

TEST_F(AdmissionTest, InvalidPatchRejectsEvenWithIgnore) {
  handler_ = [](const json&) {
    return allowWithPatch(json::parse(R"([{"op":"remove","path":"/spec/nothing"}])"));
  };
  addConfiguration("injector", {webhook("hook.broken", "Ignore")});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_NE(
      message(out.rejection).find("returned an invalid patch: patch op 0 (remove /spec/nothing)"),
      std::string::npos)
      << message(out.rejection);

  handler_ = [](const json&) { return allowWithPatch(json::parse(R"([{"op":"remove","path":"/metadata"}])")); };
  out = admission_->admitPodCreate("demo", pod("p2"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_NE(message(out.rejection).find("the patched pod has no metadata object"), std::string::npos);
}

TEST_F(AdmissionTest, UnmappedServiceNamesTheFlag) {
  json hook = webhook("hook.unmapped", "Fail");
  hook["clientConfig"]["service"]["name"] = "nowhere";
  addConfiguration("injector", {hook});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_FALSE(out.allowed);
  EXPECT_NE(message(out.rejection).find("--service-endpoint hooks/nowhere=HOST:PORT"), std::string::npos);
}

TEST_F(AdmissionTest, ConfigurationsRunInNameOrderAndSeeEarlierPatches) {
  int n = 0;
  handler_ = [&n](const json&) {
    ++n;
    json patch = json::array({{{"op", "add"}, {"path", "/metadata/labels/step" + std::to_string(n)}, {"value", "x"}}});
    return allowWithPatch(patch);
  };
  addConfiguration("b-second", {webhook("second", "Fail")});
  addConfiguration("a-first", {webhook("first", "Fail")});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_TRUE(out.allowed) << out.rejection.body;
  EXPECT_TRUE(out.object["metadata"]["labels"].contains("step1"));
  EXPECT_TRUE(out.object["metadata"]["labels"].contains("step2"));
  auto log = admission_->log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].webhook, "first");
  EXPECT_EQ(log[1].webhook, "second");
  // The second webhook received the first one's mutation.
  EXPECT_TRUE(webhook_->requests()[1]["object"]["metadata"]["labels"].contains("step1"));
}

TEST_F(AdmissionTest, UrlClientConfigVerifiesTheUrlHost) {
  json hook = webhook("hook.url", "Fail");
  hook["clientConfig"] = {
      {"url", "https://127.0.0.1:" + std::to_string(webhook_->port()) + "/by-url"},
      {"caBundle", base64Encode(ca_->ca().certPem)}};
  addConfiguration("injector", {hook});
  AdmissionOutcome out = admission_->admitPodCreate("demo", pod("p1"), false);
  ASSERT_TRUE(out.allowed) << out.rejection.body;
  EXPECT_EQ(webhook_->targets()[0], "/by-url?timeout=5s");
}

// The whole HTTP path: a pod POST to the server goes through the webhook, which itself
// calls back into the API server while answering (as serve does) without deadlocking.
TEST_F(AdmissionTest, HttpPodCreateIsMutatedAndLogged) {
  TestApiServerOptions options;
  options.serviceEndpoints = {{"hooks/hook", webhook_->endpoint()}};
  auto server = TestApiServer::start(options);
  ASSERT_TRUE(server) << server.error().message;
  TestApiServer& api = **server;
  auto call = [&](const std::string& method, const std::string& path, const std::string& body) {
    HttpsRequest req;
    req.host = "127.0.0.1";
    req.port = api.port();
    req.caPem = api.caPem();
    req.method = method;
    req.target = path;
    req.body = body;
    req.headers = {{"Authorization", "Bearer test-token"}, {"Content-Type", "application/json"}};
    auto res = httpsRequest(req);
    EXPECT_TRUE(res) << res.error().message;
    return res ? *res : HttpsResponse{};
  };
  int callbacks = 0;
  handler_ = [&](const json&) {
    callbacks += call("GET", "/api/v1/namespaces/demo", "").status == 200 ? 1 : 0;
    return allowWithPatch(addProxyPatch());
  };
  api.store().request("POST", "/api/v1/namespaces", R"({"metadata":{"name":"demo","labels":{"istio-injection":"enabled"}}})");
  json config = {{"metadata", {{"name", "injector"}}}, {"webhooks", {webhook("hook.http", "Fail")}}};
  api.store().request("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", config.dump());

  HttpsResponse created = call("POST", "/api/v1/namespaces/demo/pods", pod("web").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["spec"]["containers"].size(), 2u);
  EXPECT_EQ(callbacks, 1);
  ApiResponse stored = api.store().request("GET", "/api/v1/namespaces/demo/pods/web");
  EXPECT_EQ(json::parse(stored.body)["spec"]["containers"][1]["name"], "istio-proxy");
  ASSERT_EQ(api.admissionLog().size(), 1u);
  EXPECT_TRUE(api.admissionLog()[0].patched);
  HttpsResponse log = call("GET", "/testcontrol/admission-log", "");
  EXPECT_EQ(json::parse(log.body)[0]["webhook"], "hook.http");

  handler_ = [](const json&) { return json{{"allowed", false}, {"status", {{"message", "nope"}}}}; };
  HttpsResponse denied = call("POST", "/api/v1/namespaces/demo/pods", pod("web2").dump());
  EXPECT_EQ(denied.status, 400);
  EXPECT_NE(denied.body.find("admission webhook \\\"hook.http\\\" denied the request: nope"), std::string::npos)
      << denied.body;
  EXPECT_EQ(api.store().request("GET", "/api/v1/namespaces/demo/pods/web2").status, 404);
}

}  // namespace
}  // namespace sidecar::testapi
