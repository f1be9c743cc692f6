// The reconciler against the in-process test API server: relist, events, opt-in restarts,
// leader gating and write rate limiting over the real client.

#include "controller/drift/reconciler.h"

#include <gtest/gtest.h>

#include "drift_fixtures.h"
#include "test/apiserver/test_apiserver.h"

namespace sidecar::drift {
namespace {

using namespace testing;
using namespace std::chrono_literals;

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testapi::TestApiServer::start();
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    controller::ClusterConnection c;
    c.server = server_->url();
    c.caPem = server_->caPem();
    c.bearerToken = "test-token";
    auto client = controller::RestClient::create(c);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
    config_ = compileOrDie();
    ASSERT_NE(config_, nullptr);

    seed("POST", "/api/v1/namespaces",
         namespaceObject("shop", {{"istio-injection", "enabled"}}, {{"sidecar.injector.dev/auto-restart", "true"}}));
    seed("POST", "/api/v1/namespaces", namespaceObject("plain"));
    seed("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", webhookConfig());
    json deployment = workload("Deployment", "shop", "api");
    deployment["spec"] = {{"selector", {{"matchLabels", {{"app", "api"}}}}},
                          {"template", {{"metadata", {{"labels", {{"app", "api"}}}}}, {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "app:1"}}})}}}}}};
    seed("POST", "/apis/apps/v1/namespaces/shop/deployments", deployment);
    seed("POST", "/apis/apps/v1/namespaces/shop/replicasets", ownedBy(workload("ReplicaSet", "shop", "api-5d"), "Deployment", "api"));
    for (const char* name : {"api-5d-a", "api-5d-b"}) {
      seed("POST", "/api/v1/namespaces/shop/pods",
           PodBuilder("shop", name).owner("ReplicaSet", "api-5d").label("app", "api").label("pod-template-hash", "5d"));
    }
    seed("POST", "/api/v1/namespaces/plain/pods", PodBuilder("plain", "tool").injected(config_->version));
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
    }
  }
  json seed(const std::string& method, const std::string& path, const json& body = {}) {
    auto r = server_->store().request(method, path, body.is_null() ? "" : body.dump());
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  std::unique_ptr<DriftReconciler> reconciler() {
    ReconcilerOptions options;
    options.minWriteInterval = 30s;
    auto r = std::make_unique<DriftReconciler>(
        *client_, options, [this] { return leader_; }, [this] { return now_; },
        [] { return std::chrono::system_clock::from_time_t(1795000000); });
    r->setConfig(config_);
    return r;
  }

  std::unique_ptr<testapi::TestApiServer> server_;
  controller::RestClientPtr client_;
  inject::InjectionConfigPtr config_;
  bool leader_ = false;
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(ReconcilerTest, RelistComputesDriftFromTheCluster) {
  auto r = reconciler();
  auto listed = r->relist();
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  EXPECT_EQ(r->tracker().pods().size(), 3u);
  EXPECT_TRUE(r->tracker().find("shop", "api-5d-a")->reasons.has(DriftReason::MissingSidecar));
  // "plain" is not labelled for injection, so the webhook would not be called.
  EXPECT_TRUE(r->tracker().find("plain", "tool")->reasons.has(DriftReason::UnexpectedSidecar));
  DriftSummary s = summarize(r->tracker());
  ASSERT_EQ(s.workloads.size(), 2u);
  EXPECT_EQ(s.workloads[0].ref, (WorkloadRef{"Deployment", "shop", "api"}));
  EXPECT_TRUE(s.workloads[0].autoRestart);
}

TEST_F(ReconcilerTest, LeaderWritesEventsAndRestartsOptedInWorkloads) {
  auto r = reconciler();
  ASSERT_TRUE(r->relist().has_value());
  EXPECT_FALSE(r->sync(true).wrote);  // not leader

  leader_ = true;
  SyncResult first = r->sync();
  EXPECT_TRUE(first.wrote);
  EXPECT_EQ(first.events, 2u);
  ASSERT_EQ(first.restarts.size(), 1u);
  EXPECT_EQ(first.restarts[0].workload, (WorkloadRef{"Deployment", "shop", "api"}));
  for (const auto& e : first.errors) {
    // The test API server does not serve the SidecarDriftReport CRD; everything else must work.
    EXPECT_NE(e.find("sidecardriftreports"), std::string::npos) << e;
  }
  json deployment = seed("GET", "/apis/apps/v1/namespaces/shop/deployments/api");
  EXPECT_EQ(deployment["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-11-18T11:06:40Z");
  json events = seed("GET", "/api/v1/namespaces/shop/events");
  ASSERT_EQ(events["items"].size(), 1u);
  EXPECT_EQ(events["items"][0]["reason"], "SidecarDrift");
  EXPECT_NE(events["items"][0]["message"].get<std::string>().find("2/2 pods drifted"), std::string::npos);

  // Rate-limited until the interval passes; then no repeated events and no second restart.
  EXPECT_FALSE(r->sync().wrote);
  now_ += 31s;
  SyncResult second = r->sync();
  EXPECT_TRUE(second.wrote);
  EXPECT_EQ(second.events, 0u);
  EXPECT_TRUE(second.restarts.empty());
}

TEST_F(ReconcilerTest, EventsFeedIncrementalChanges) {
  auto r = reconciler();
  ASSERT_TRUE(r->relist().has_value());
  ASSERT_TRUE(r->onUpsert(PodBuilder("shop", "api-5d-a")
                              .owner("ReplicaSet", "api-5d")
                              .label("app", "api")
                              .label("pod-template-hash", "5d")
                              .injected(config_->version))
                  .has_value());
  EXPECT_FALSE(r->tracker().find("shop", "api-5d-a")->drifted());
  r->onDelete("Pod", "plain", "tool");
  EXPECT_EQ(r->tracker().find("plain", "tool"), nullptr);
  r->onDelete("MutatingWebhookConfiguration", "", "istio-sidecar-injector");
  ASSERT_TRUE(r->onUpsert(PodBuilder("plain", "other")).has_value());
  // Without the webhook config the webhook is assumed to be called.
  EXPECT_TRUE(r->tracker().find("plain", "other")->reasons.has(DriftReason::MissingSidecar));
  auto bad = r->onUpsert(json{{"kind", "Pod"}, {"metadata", json::object()}});
  EXPECT_FALSE(bad.has_value());
}

}  // namespace
}  // namespace sidecar::drift
