// The shared CA Secret and the caBundle upkeep behind `serve --self-signed`, against the test
// API server over TLS.

#include "controller/ca_bundle_keeper.h"

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "controller/webhook_ca.h"
#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

using namespace std::chrono_literals;
using testing::ServerTest;

const char* kWebhookConfigs = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";

nlohmann::json webhookConfig(const std::string& bundle) {
  nlohmann::json clientConfig = {{"service", {{"name", "sidecar-injector"}, {"namespace", "sidecar-injector"}}}};
  if (!bundle.empty()) {
    clientConfig["caBundle"] = bundle;
  }
  nlohmann::json hook = {{"name", "sidecar-injector.example.dev"},
                         {"clientConfig", clientConfig},
                         {"sideEffects", "None"},
                         {"admissionReviewVersions", {"v1"}}};
  nlohmann::json second = hook;
  second["name"] = "second.example.dev";
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "MutatingWebhookConfiguration"},
          {"metadata", {{"name", "sidecar-injector"}}},
          {"webhooks", {hook, second}}};
}

class CaBundleKeeperTest : public ServerTest {
 protected:
  std::vector<std::string> bundles() {
    auto object = server_->store().request("GET", std::string(kWebhookConfigs) + "/sidecar-injector", "", "");
    std::vector<std::string> out;
    if (object.status != 200) {
      return out;
    }
    const auto parsed = nlohmann::json::parse(object.body);
    for (const auto& hook : parsed["webhooks"]) {
      out.push_back(hook["clientConfig"].value("caBundle", ""));
    }
    return out;
  }
  bool bundlesAre(const std::string& expected) {
    auto b = bundles();
    return b.size() == 2 && b[0] == expected && b[1] == expected;
  }
  // Re-applying the manifests: the caBundle goes back to empty.
  void resetBundle() {
    auto current = nlohmann::json::parse(
        server_->store().request("GET", std::string(kWebhookConfigs) + "/sidecar-injector", "", "").body);
    auto reset = webhookConfig("");
    reset["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
    serverRequest("PUT", std::string(kWebhookConfigs) + "/sidecar-injector", reset);
  }
};

TEST_F(CaBundleKeeperTest, SharedCaIsCreatedOnceAndReused) {
  createNamespace("sidecar-injector");
  auto c = client();
  int generated = 0;
  auto generate = [&]() -> Expected<CaMaterial> {
    ++generated;
    return CaMaterial{"-----BEGIN CERTIFICATE-----\nMIIB" + std::to_string(generated) + "\n-----END CERTIFICATE-----\n",
                      "key-" + std::to_string(generated)};
  };
  auto first = loadOrCreateSharedCa(*c, "sidecar-injector", "sidecar-injector-ca", generate);
  ASSERT_TRUE(first) << first.error().message;
  auto second = loadOrCreateSharedCa(*c, "sidecar-injector", "sidecar-injector-ca", generate);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(generated, 1);
  EXPECT_EQ(second->certPem, first->certPem);
  EXPECT_EQ(second->keyPem, first->keyPem);
}

TEST_F(CaBundleKeeperTest, EnsureCaBundlePatchesEveryWebhookOnce) {
  serverRequest("POST", kWebhookConfigs, webhookConfig(""));
  auto c = client();
  const std::string ca = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  auto changed = ensureCaBundle(*c, "sidecar-injector", ca);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_TRUE(bundlesAre(base64Encode(ca)));
  auto again = ensureCaBundle(*c, "sidecar-injector", ca);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto missing = ensureCaBundle(*c, "nope", ca);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().status, 404);
}

TEST_F(CaBundleKeeperTest, ReappliedManifestsGetTheBundleBackWithoutWaitingForResync) {
  serverRequest("POST", kWebhookConfigs, webhookConfig(""));
  auto c = client();
  const std::string ca = "-----BEGIN CERTIFICATE-----\nkeeper\n-----END CERTIFICATE-----\n";
  std::atomic<int> failures{0};
  CaBundleKeeper keeper(*c, {"sidecar-injector", ca, std::chrono::minutes(10), 50ms},
                        [&](bool ok, const std::string&) { failures += ok ? 0 : 1; });
  keeper.start();
  ASSERT_TRUE(eventually([&] { return bundlesAre(base64Encode(ca)); }));
  for (int round = 0; round < 3; ++round) {
    resetBundle();
    const auto reset = std::chrono::steady_clock::now();
    ASSERT_TRUE(eventually([&] { return bundlesAre(base64Encode(ca)); }, 3000ms)) << "round " << round;
    // The resync is 10 minutes: only the watch can explain a quick repair.
    EXPECT_LT(std::chrono::steady_clock::now() - reset, 3000ms);
  }
  // The repaired bundle is visible on the server before the keeper has counted its own
  // PATCH response; wait for the count rather than read it at once.
  EXPECT_TRUE(eventually([&] { return keeper.patches() == 4u; }, 3000ms)) << keeper.patches();
  EXPECT_EQ(failures.load(), 0);
  const auto stopping = std::chrono::steady_clock::now();
  keeper.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2000ms);
}

TEST_F(CaBundleKeeperTest, MissingConfigIsReportedAndPatchedOnceCreated) {
  auto c = client();
  const std::string ca = "-----BEGIN CERTIFICATE-----\nlate\n-----END CERTIFICATE-----\n";
  std::atomic<int> failures{0};
  CaBundleKeeper keeper(*c, {"sidecar-injector", ca, std::chrono::minutes(10), 50ms},
                        [&](bool ok, const std::string&) { failures += ok ? 0 : 1; });
  keeper.start();
  ASSERT_TRUE(eventually([&] { return failures.load() > 0; }));
  serverRequest("POST", kWebhookConfigs, webhookConfig(""));
  EXPECT_TRUE(eventually([&] { return bundlesAre(base64Encode(ca)); }));
  keeper.stop();
}

}  // namespace
}  // namespace sidecar::controller
