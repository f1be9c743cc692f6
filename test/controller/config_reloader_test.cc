#include "controller/config_reloader.h"

#include <unistd.h>

#include <filesystem>
#include <map>

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
                  configMap("istio-system", "istio-sidecar-injector",
                            {{"config", "policy: enabled"}, {"values", "{}"}}));
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
  ASSERT_TRUE(
      eventually([&] { return *reloader.current() == "policy: disabled|{}|defaultConfig: {}"; }));
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
  serverRequest("PATCH", "/api/v1/namespaces/istio-system/configmaps/istio",
                {{"data", {{"mesh", "a: 1"}}}}, "application/merge-patch+json");
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
  ConfigReloader reloader(
      *client_, {}, [](const ConfigSources&) -> Expected<std::shared_ptr<const void>> {
        return std::static_pointer_cast<const void>(std::make_shared<const int>(1));
      });
  reloader.start();
  ASSERT_TRUE(
      eventually([&] { return reloader.status().failuresByReason["missing_configmap"] == 1; }));
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
  serverRequest("POST", "/api/v1/namespaces/mesh/configmaps",
                configMap("mesh", "inj", {{"tmpl", "x"}}));
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
  ConfigReloader reloader(*client_, {},
                          [&](const ConfigSources& s) -> Expected<std::shared_ptr<const void>> {
                            if (s.injectConfig == "slow") {
                              inCompile = true;
                              while (!release) {
                                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                              }
                            }
                            return std::static_pointer_cast<const void>(
                                std::make_shared<const std::string>(s.injectConfig));
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

// The journal of a pod whose previous process died compiling `poison` after `good` had
// compiled: what a restarted replica finds in its emptyDir.
class QuarantineTest : public ConfigReloaderTest {
 protected:
  void SetUp() override {
    ConfigReloaderTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("quarantine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    ConfigReloaderTest::TearDown();
  }

  static ConfigSources withConfig(const std::string& config) {
    return ConfigSources{config, "{}", "defaultConfig: {}", true, true};
  }

  // Leaves the journal as a process that crashed while compiling `crashed` leaves it.
  void crashWhileCompiling(const std::string& crashed, const std::optional<std::string>& lastGood) {
    std::string warning;
    auto j = CompileJournal::open(dir_.string(), &warning);
    ASSERT_EQ(warning, "");
    if (lastGood) {
      ASSERT_TRUE(j->succeeded(CompileRecord{sha256Hex(withConfig(*lastGood)), {}, 0},
                               withConfig(*lastGood)));
    }
    const std::string rv = serverRequest(
        "GET",
        "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector")["metadata"]
                                                                            ["resourceVersion"];
    ASSERT_TRUE(j->begin(
        CompileRecord{sha256Hex(withConfig(crashed)),
                      {{"istio-system/istio-sidecar-injector", rv}, {"istio-system/istio", "1"}},
                      0}));
    crashedVersion_ = rv;
  }

  std::unique_ptr<CompileJournal> restartedJournal() {
    std::string warning;
    auto j = CompileJournal::open(dir_.string(), &warning);
    EXPECT_EQ(warning, "");
    EXPECT_TRUE(j->crashedLastRun());
    return j;
  }

  // Counts compiles per config text: a quarantined config must never be compiled again.
  CompileFunction countingCompile() {
    return [this](const ConfigSources& s) -> Expected<std::shared_ptr<const void>> {
      {
        std::lock_guard lock(mutex_);
        ++compiles_[s.injectConfig];
      }
      return std::static_pointer_cast<const void>(
          std::make_shared<const std::string>(s.injectConfig));
    };
  }
  int compiles(const std::string& config) {
    std::lock_guard lock(mutex_);
    return compiles_[config];
  }

  std::filesystem::path dir_;
  std::string crashedVersion_;
  std::mutex mutex_;
  std::map<std::string, int> compiles_;
};

TEST_F(QuarantineTest, ARestartedReplicaServesTheLastGoodConfigAndSaysWhy) {
  editInjector("poison");
  crashWhileCompiling("poison", "policy: enabled");
  auto journal = restartedJournal();
  ConfigReloaderOptions o;
  o.journal = journal.get();
  ConfigReloader reloader(*client_, o, countingCompile(), events_.get());
  std::vector<std::optional<QuarantineStatus>> seen;
  std::mutex seenMutex;
  reloader.setOnQuarantine([&](const std::optional<QuarantineStatus>& q) {
    std::lock_guard lock(seenMutex);
    seen.push_back(q);
  });
  auto seenCount = [&] {
    std::lock_guard lock(seenMutex);
    return seen.size();
  };
  reloader.start();
  ASSERT_TRUE(reloader.waitUntilReady(Millis(5000)));
  EXPECT_EQ(*std::static_pointer_cast<const std::string>(reloader.current()), "policy: enabled");
  // The quarantine is complete when it has been announced.
  ASSERT_TRUE(eventually([&] { return seenCount() == 1; }));
  const auto q = *reloader.status().quarantine;
  EXPECT_EQ(q.record.hash, sha256Hex(withConfig("poison")));
  EXPECT_EQ(q.record.versions[0].resourceVersion, crashedVersion_);
  EXPECT_NE(q.serving.find("last good"), std::string::npos) << q.serving;
  EXPECT_EQ(compiles("poison"), 0);

  ASSERT_TRUE(eventually([&] { return !warningEvents().empty(); }));
  auto event = warningEvents()[0];
  EXPECT_EQ(event["reason"], "ConfigQuarantined");
  EXPECT_EQ(event["involvedObject"]["resourceVersion"], crashedVersion_);
  EXPECT_NE(event["message"].get<std::string>().find("resourceVersion " + crashedVersion_),
            std::string::npos)
      << event["message"];
  {
    std::lock_guard lock(seenMutex);
    EXPECT_TRUE(seen[0].has_value());
  }

  // A resync or an unrelated edit neither compiles the poison nor repeats the Event.
  serverRequest("PATCH", "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector",
                {{"metadata", {{"labels", {{"touched", "yes"}}}}}}, "application/merge-patch+json");
  editInjector("policy: disabled");  // the next edit lifts the quarantine
  ASSERT_TRUE(eventually([&] {
    return *std::static_pointer_cast<const std::string>(reloader.current()) == "policy: disabled";
  }));
  ASSERT_TRUE(eventually([&] { return !reloader.status().quarantine.has_value(); }));
  EXPECT_EQ(compiles("poison"), 0);
  EXPECT_EQ(warningEvents().size(), 1u);
  EXPECT_EQ(warningEvents()[0]["count"], 1);
  ASSERT_TRUE(eventually([&] { return seenCount() == 2; }));
  {
    std::lock_guard lock(seenMutex);
    EXPECT_FALSE(seen[1].has_value());
  }
  reloader.stop();

  // Going back to exactly the poison keeps it quarantined: it crashed once.
  editInjector("poison");
  ConfigReloader again(*client_, o, countingCompile(), events_.get());
  again.start();
  ASSERT_TRUE(eventually([&] { return again.status().quarantine.has_value(); }));
  ASSERT_TRUE(again.waitUntilReady(Millis(5000)));
  EXPECT_EQ(compiles("poison"), 0);
  EXPECT_EQ(*std::static_pointer_cast<const std::string>(again.current()), "policy: disabled");
  again.stop();
}

TEST_F(QuarantineTest, WithoutALastGoodConfigTheFallbackServesOnlyWhenAllowed) {
  editInjector("poison");
  crashWhileCompiling("poison", std::nullopt);
  {
    auto journal = restartedJournal();
    ConfigReloaderOptions o;
    o.journal = journal.get();
    ConfigReloader reloader(*client_, o, countingCompile(), events_.get());
    reloader.start();
    ASSERT_TRUE(eventually([&] { return reloader.status().quarantine.has_value(); }));
    EXPECT_FALSE(reloader.status().ready);
    EXPECT_NE(reloader.status().quarantine->serving.find("nothing"), std::string::npos);
    reloader.stop();
  }
  std::string warning;
  auto journal = CompileJournal::open(dir_.string(), &warning);
  ConfigReloaderOptions o;
  o.journal = journal.get();
  o.fallback = withConfig("built-in");
  ConfigReloader reloader(*client_, o, countingCompile(), events_.get());
  reloader.start();
  ASSERT_TRUE(reloader.waitUntilReady(Millis(5000)));
  EXPECT_EQ(*std::static_pointer_cast<const std::string>(reloader.current()), "built-in");
  EXPECT_TRUE(reloader.status().quarantine.has_value());
  EXPECT_EQ(compiles("poison"), 0);
  reloader.stop();
}

TEST_F(QuarantineTest, ACompileThatThrowsIsAFailureNotACrash) {
  auto journal = CompileJournal::inMemory();
  ConfigReloaderOptions o;
  o.journal = journal.get();
  ConfigReloader reloader(
      *client_, o,
      [](const ConfigSources& s) -> Expected<std::shared_ptr<const void>> {
        if (s.injectConfig == "throws") {
          throw std::runtime_error("bug");
        }
        return std::static_pointer_cast<const void>(
            std::make_shared<const std::string>(s.injectConfig));
      },
      events_.get());
  reloader.start();
  ASSERT_TRUE(reloader.waitUntilReady(Millis(5000)));
  editInjector("throws");
  ASSERT_TRUE(eventually([&] { return reloader.status().failures == 1; }));
  EXPECT_NE(reloader.status().lastError.find("internal error while compiling: bug"),
            std::string::npos);
  EXPECT_EQ(*std::static_pointer_cast<const std::string>(reloader.current()), "policy: enabled");
  reloader.stop();
}

}  // namespace
}  // namespace sidecar::controller
