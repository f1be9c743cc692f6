#include "controller/config_reloader.h"

#include <gtest/gtest.h>

#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

using testing::configMap;

// A stand-in for inject::compileConfig: "config" must not contain "invalid"; the compiled
// value records which inputs it saw.
Expected<std::shared_ptr<const std::string>> compileForTest(const ConfigSources& s) {
  if (s.injectConfig.find("invalid") != std::string::npos) {
    return fail("config: line 2: policy: unknown value \"invalid\"");
  }
  return std::make_shared<const std::string>(s.injectConfig + "|" + s.values + "|" + s.mesh);
}

class ConfigReloaderTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    createNamespace("istio-system");
    serverRequest("POST", "/api/v1/namespaces/istio-system/configmaps",
                  configMap("istio-system", "istio-sidecar-injector", {{"config", "policy: enabled"}, {"values", "{}"}}));
    serverRequest("POST", "/api/v1/namespaces/istio-system/configmaps",
                  configMap("istio-system", "istio", {{"mesh", "defaultConfig: {}"}}));
    client_ = client();
    events_ = std::make_unique<EventRecorder>(*client_, "sidecar-injector");
  }

  void editInjector(const std::string& config) {
    serverRequest("PATCH", "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector",
                  {{"data", {{"config", config}}}}, "application/merge-patch+json");
  }

  nlohmann::json warningEvents() {
    auto list = serverRequest("GET", "/api/v1/namespaces/istio-system/events");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : list["items"]) {
      if (e["type"] == "Warning" && e["involvedObject"]["name"] == "istio-sidecar-injector") {
        out.push_back(e);
      }
    }
    return out;
  }

  RestClientPtr client_;
  std::unique_ptr<EventRecorder> events_;
};

TEST_F(ConfigReloaderTest, EditsReachTheActiveConfigAndInvalidEditsKeepTheOld) {
  TypedConfigReloader<std::string> reloader(*client_, {}, compileForTest, events_.get());
  reloader.reloader().start();
  ASSERT_TRUE(reloader.reloader().waitUntilReady(Millis(5000)));
  ASSERT_NE(reloader.current(), nullptr);
  EXPECT_EQ(*reloader.current(), "policy: enabled|{}|defaultConfig: {}");
  auto st = reloader.reloader().status();
  EXPECT_EQ(st.generation, 1u);
  ConfigSources first{"policy: enabled", "{}", "defaultConfig: {}", true, true};
  EXPECT_EQ(st.configHash, sha256Hex(first));
  EXPECT_TRUE(st.lastSuccess.has_value());

  editInjector("policy: disabled");
  ASSERT_TRUE(eventually([&] { return *reloader.current() == "policy: disabled|{}|defaultConfig: {}"; }));
  EXPECT_EQ(reloader.reloader().status().generation, 2u);

  // Invalid: the old config stays, the failure is counted and a Warning Event appears.
  editInjector("policy: invalid");
  ASSERT_TRUE(eventually([&] { return reloader.reloader().status().failures == 1; }));
  EXPECT_EQ(*reloader.current(), "policy: disabled|{}|defaultConfig: {}");
  st = reloader.reloader().status();
  EXPECT_EQ(st.generation, 2u);
  EXPECT_EQ(st.failuresByReason["compile_error"], 1u);
  EXPECT_NE(st.lastError.find("line 2: policy"), std::string::npos) << st.lastError;
  ASSERT_TRUE(eventually([&] { return warningEvents().size() == 1; }));
  auto event = warningEvents()[0];
  EXPECT_EQ(event["reason"], "InvalidInjectorConfig");
  EXPECT_EQ(event["involvedObject"]["kind"], "ConfigMap");
  EXPECT_NE(event["message"].get<std::string>().find("line 2: policy"), std::string::npos);

  // The next valid edit recovers.
  editInjector("policy: enabled\nneverInjectSelector: []");
  ASSERT_TRUE(eventually([&] { return reloader.reloader().status().generation == 3; }));
  EXPECT_EQ(*reloader.current(), "policy: enabled\nneverInjectSelector: []|{}|defaultConfig: {}");
  EXPECT_EQ(reloader.reloader().status().successes, 3u);
  reloader.reloader().stop();
}

TEST_F(ConfigReloaderTest, MeshEditReloadsAndRepeatedFailureBumpsTheEventCount) {
  TypedConfigReloader<std::string> reloader(*client_, {}, compileForTest, events_.get());
  reloader.reloader().start();
  ASSERT_TRUE(reloader.reloader().waitUntilReady(Millis(5000)));
  serverRequest("PATCH", "/api/v1/namespaces/istio-system/configmaps/istio", {{"data", {{"mesh", "a: 1"}}}},
                "application/merge-patch+json");
  ASSERT_TRUE(eventually([&] { return *reloader.current() == "policy: enabled|{}|a: 1"; }));

  editInjector("invalid one");
  ASSERT_TRUE(eventually([&] { return reloader.reloader().status().failures == 1; }));
  // An unrelated edit on the same bad input is not a new failure.
  serverRequest("PATCH", "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector",
                {{"metadata", {{"labels", {{"touched", "yes"}}}}}}, "application/merge-patch+json");
  editInjector("invalid one\n");
  ASSERT_TRUE(eventually([&] { return reloader.reloader().status().failures == 2; }));
  // Same reason and message twice: one Event with count 2.
  ASSERT_TRUE(eventually([&] {
    auto w = warningEvents();
    return w.size() == 1 && w[0]["count"] == 2;
  }));
  EXPECT_EQ(reloader.reloader().status().failures, 2u);
  reloader.reloader().stop();
}

TEST_F(ConfigReloaderTest, MissingConfigMapIsAFailureNotACrash) {
  serverRequest("DELETE", "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector");
  ConfigReloader reloader(*client_, {}, [](const ConfigSources&) -> Expected<std::shared_ptr<const void>> {
    return std::static_pointer_cast<const void>(std::make_shared<const int>(1));
  });
  reloader.start();
  ASSERT_TRUE(eventually([&] { return reloader.status().failuresByReason["missing_configmap"] == 1; }));
  EXPECT_FALSE(reloader.status().ready);
  EXPECT_EQ(reloader.current(), nullptr);
  serverRequest("POST", "/api/v1/namespaces/istio-system/configmaps",
                configMap("istio-system", "istio-sidecar-injector", {{"values", "{}"}}));
  ASSERT_TRUE(eventually([&] { return reloader.status().failuresByReason["missing_key"] == 1; }));
  serverRequest("PATCH", "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector",
                {{"data", {{"config", "ok"}}}}, "application/merge-patch+json");
  ASSERT_TRUE(reloader.waitUntilReady(Millis(5000)));
  EXPECT_NE(reloader.current(), nullptr);
  reloader.stop();
}

TEST_F(ConfigReloaderTest, CustomNamesAndNamespace) {
  createNamespace("mesh");
  serverRequest("POST", "/api/v1/namespaces/mesh/configmaps", configMap("mesh", "inj", {{"tmpl", "x"}}));
  ConfigReloaderOptions o;
  o.ns = "mesh";
  o.injectorConfigMap = "inj";
  o.configKey = "tmpl";
  o.meshConfigMap = "meshcfg";
  TypedConfigReloader<std::string> reloader(*client_, o, compileForTest);
  reloader.reloader().start();
  ASSERT_TRUE(reloader.reloader().waitUntilReady(Millis(5000)));
  EXPECT_EQ(*reloader.current(), "x||");
  reloader.reloader().stop();
}

TEST_F(ConfigReloaderTest, ReadersNeverWaitForACompile) {
  std::atomic<bool> inCompile{false};
  std::atomic<bool> release{false};
  ConfigReloader reloader(*client_, {}, [&](const ConfigSources& s) -> Expected<std::shared_ptr<const void>> {
    if (s.injectConfig == "slow") {
      inCompile = true;
      while (!release) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    return std::static_pointer_cast<const void>(std::make_shared<const std::string>(s.injectConfig));
  });
  reloader.start();
  ASSERT_TRUE(reloader.waitUntilReady(Millis(5000)));
  editInjector("slow");
  ASSERT_TRUE(eventually([&] { return inCompile.load(); }));
  const auto start = std::chrono::steady_clock::now();
  auto cfg = std::static_pointer_cast<const std::string>(reloader.current());
  auto st = reloader.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(*cfg, "policy: enabled");
  EXPECT_EQ(st.generation, 1u);
  release = true;
  ASSERT_TRUE(eventually([&] { return reloader.status().generation == 2; }));
  reloader.stop();
}

}  // namespace
}  // namespace sidecar::controller
