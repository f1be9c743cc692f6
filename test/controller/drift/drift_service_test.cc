// The drift service against the in-process test API server: watches feed the tracker one
// object at a time (no relist of pods after start), config/namespace/webhook changes
// recompute what they affect, only the leader writes, and stop() is prompt.
//
// The service's own timing (debounce, maxDelay, interval, polls) runs on a FakeClock: a test
// moves time to an exact instant, settles (the worker has seen that time and parked again)
// and asserts what happened by then. Real waits (`eventually`, waitIdle) are only for what
// arrives over the test API server's sockets, always with a deadline.

#include "controller/drift/drift_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "drift_fixtures.h"
#include "test/apiserver/test_apiserver.h"
#include "test/common/fake_clock.h"

namespace sidecar::drift {
namespace {

using namespace testing;
using namespace std::chrono_literals;

// Polls `predicate` until it holds or `timeout` passes.
template <class F>
bool eventually(F predicate, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) {
      return true;
    }
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

class DriftServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testapi::TestApiServerOptions serverOptions;
    // Bookmarks would move a watch's resourceVersion past a compaction; tests decide when.
    serverOptions.bookmarkInterval = std::chrono::hours(1);
    auto s = testapi::TestApiServer::start(serverOptions);
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

    seed("POST", "/api/v1/namespaces", namespaceObject("shop", {{"istio-injection", "enabled"}}));
    seed("POST", "/api/v1/namespaces", namespaceObject("plain"));
    seed("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", webhookConfig());
    seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "api-a").injected(config_->version));
    seed("POST", "/api/v1/namespaces/plain/pods", PodBuilder("plain", "tool-a"));
    seed("POST", "/api/v1/namespaces/plain/pods", PodBuilder("plain", "tool-b"));
  }
  void TearDown() override {
    if (service_) {
      service_->stop();
    }
    if (server_) {
      server_->stop();
    }
  }
  json seed(const std::string& method, const std::string& path, const json& body = {},
            const std::string& contentType = "application/json") {
    auto r = server_->store().request(method, path, body.is_null() ? "" : body.dump(), contentType);
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // Starts a service with short timings, waits for its first complete view.
  void startService(DriftServiceOptions options = {}, bool shortTimings = true) {
    if (shortTimings) {
      options.debounce = 20ms;
      options.maxDelay = 200ms;
      options.pollPeriod = 20ms;
    }
    DriftServiceCallbacks callbacks;
    callbacks.onSync = [this](const SyncResult& r) {
      ++syncs_;
      if (r.wrote) {
        ++writes_;
      }
    };
    callbacks.onMetrics = [this](const DriftMetrics& m) {
      std::lock_guard lock(mutex_);
      metrics_ = m;
      ++metricsPublished_;
    };
    callbacks.onWarning = [this](const std::string& w) {
      std::lock_guard lock(mutex_);
      warnings_.push_back(w);
    };
    threadsBefore_ = threadCount();
    service_ = std::make_unique<DriftService>(
        *client_, options, [this] { return leader_.load(); }, callbacks, clock_);
    service_->setConfig(config_, "hash-1");
    service_->start();
    ASSERT_TRUE(service_->waitForSync(10s));
    ASSERT_TRUE(service_->waitIdle(10s));
    ASSERT_TRUE(clock_.settle());
  }

  // Moves the service's time by `d` and waits until its worker has acted on it.
  void advance(std::chrono::milliseconds d) {
    clock_.advance(d);
    ASSERT_TRUE(clock_.settle());
  }
  // Waits until the events the API server has sent are applied and the worker is parked.
  void quiesce() {
    ASSERT_TRUE(service_->waitIdle(5s));
    ASSERT_TRUE(clock_.settle());
  }

  std::optional<ReasonSet> reasons(const std::string& ns, const std::string& name) {
    return service_->inspect([&](const DriftTracker& t) -> std::optional<ReasonSet> {
      const PodDrift* p = t.find(ns, name);
      return p == nullptr ? std::nullopt : std::optional<ReasonSet>(p->reasons);
    });
  }
  size_t evaluations() {
    return service_->inspect([](const DriftTracker& t) { return t.stats().evaluations; });
  }
  // LISTs (not WATCHes) of a collection since the log was last cleared.
  size_t lists(const std::string& collection) {
    size_t n = 0;
    for (const auto& line : server_->requestLog()) {
      if (line.rfind("GET " + collection, 0) == 0 && line.find("watch=") == std::string::npos &&
          (line.size() == 4 + collection.size() || line[4 + collection.size()] == '?')) {
        ++n;
      }
    }
    return n;
  }
  size_t writes() {
    size_t n = 0;
    for (const auto& line : server_->requestLog()) {
      if (line.rfind("GET ", 0) != 0) {
        ++n;
      }
    }
    return n;
  }

  static size_t threadCount() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
      ++n;
    }
    return n;
  }

  std::unique_ptr<testapi::TestApiServer> server_;
  sidecar::testing::FakeClock clock_;
  size_t threadsBefore_ = 0;
  controller::RestClientPtr client_;
  inject::InjectionConfigPtr config_;
  std::unique_ptr<DriftService> service_;
  std::atomic<bool> leader_{false};
  std::atomic<int> syncs_{0};
  std::atomic<int> writes_{0};
  std::mutex mutex_;
  DriftMetrics metrics_;
  int metricsPublished_ = 0;
  std::vector<std::string> warnings_;
  ConfigSnapshot polled_;
};

TEST_F(DriftServiceTest, InitialListComputesDrift) {
  startService();
  EXPECT_EQ(reasons("shop", "api-a"), ReasonSet{});
  // "plain" is not labelled: the webhook would not be called, and these pods have no sidecar.
  EXPECT_EQ(reasons("plain", "tool-a"), ReasonSet{});
  auto s = service_->stats();
  EXPECT_TRUE(s.synced);
  EXPECT_EQ(s.relistsApplied, 10u);
  EXPECT_TRUE(s.skippedResources.empty());
  EXPECT_EQ(s.objectErrors, 0u);
}

TEST_F(DriftServiceTest, PodEventsUpdateOnePodWithoutListingAgain) {
  startService();
  server_->clearRequestLog();
  const size_t before = evaluations();

  seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "late"));
  ASSERT_TRUE(eventually([&] {
    auto r = reasons("shop", "late");
    return r && r->has(DriftReason::MissingSidecar);
  }));
  EXPECT_EQ(evaluations() - before, 1u);  // that pod only

  seed("DELETE", "/api/v1/namespaces/shop/pods/late");
  ASSERT_TRUE(eventually([&] { return !reasons("shop", "late").has_value(); }));

  EXPECT_EQ(lists("/api/v1/pods"), 0u);
  EXPECT_EQ(lists("/api/v1/namespaces"), 0u);
  EXPECT_TRUE(eventually([&] { return server_->activeWatches() == 10; }));
}

TEST_F(DriftServiceTest, PodStatusUpdatesDoNotTriggerSyncs) {
  leader_ = true;
  DriftServiceOptions options;
  options.interval = 1h;
  startService(options);
  EXPECT_EQ(syncs_, 1);  // taking the lead syncs at once
  // A readiness flip changes nothing drift reports.
  json pod = seed("GET", "/api/v1/namespaces/shop/pods/api-a");
  pod["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "True"}}});
  seed("PUT", "/api/v1/namespaces/shop/pods/api-a/status", pod);
  ASSERT_TRUE(eventually([&] { return service_->stats().eventsApplied >= 1; }));
  quiesce();
  advance(200ms);  // debounce and maxDelay both passed
  EXPECT_EQ(syncs_, 1);

  // A new drifted pod does, once, exactly when the debounce has passed.
  seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "late"));
  ASSERT_TRUE(eventually([&] { return reasons("shop", "late").has_value(); }));
  quiesce();
  advance(19ms);
  EXPECT_EQ(syncs_, 1);
  advance(1ms);
  EXPECT_EQ(syncs_, 2);
  advance(1h - 20ms);  // up to the next interval: nothing changed, nothing synced
  EXPECT_EQ(syncs_, 2);
}

TEST_F(DriftServiceTest, ChurnIsSyncedAfterMaxDelayAtTheLatest) {
  leader_ = true;
  DriftServiceOptions options;
  options.interval = 1h;
  startService(options);  // debounce 20ms, maxDelay 200ms
  ASSERT_EQ(syncs_, 1);
  // A change every 10ms keeps the cluster from ever being quiet for the 20ms debounce...
  for (int i = 0; i < 20; ++i) {
    seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "churn-" + std::to_string(i)));
    ASSERT_TRUE(
        eventually([&] { return reasons("shop", "churn-" + std::to_string(i)).has_value(); }));
    quiesce();
    EXPECT_EQ(syncs_, 1) << "at " << i * 10 << "ms";
    advance(i < 19 ? 10ms : 9ms);
  }
  // ...so the sync comes maxDelay after the first change (200ms), not a debounce after the
  // last one (210ms).
  EXPECT_EQ(syncs_, 1);
  advance(1ms);
  EXPECT_EQ(syncs_, 2);
}

TEST_F(DriftServiceTest, TheLeaderAlsoSyncsOnTheInterval) {
  leader_ = true;
  DriftServiceOptions options;
  options.interval = 100ms;
  startService(options);
  ASSERT_EQ(syncs_, 1);
  server_->clearRequestLog();
  // Nothing changes, yet the timer keeps syncing (Events and restarts progress on it),
  // exactly every interval, without listing any watched kind again.
  advance(99ms);
  EXPECT_EQ(syncs_, 1);
  advance(1ms);
  EXPECT_EQ(syncs_, 2);
  for (int i = 0; i < 3; ++i) {
    advance(100ms);
  }
  EXPECT_EQ(syncs_, 5);
  EXPECT_EQ(lists("/api/v1/pods"), 0u);
}

TEST_F(DriftServiceTest, ConfigChangeRecomputesEveryPod) {
  startService();
  ASSERT_EQ(reasons("shop", "api-a"), ReasonSet{});
  const size_t before = evaluations();
  server_->clearRequestLog();

  service_->setConfig(compileOrDie(kInjectConfig, kUpgradedValues), "hash-2");
  ASSERT_TRUE(eventually([&] {
    auto r = reasons("shop", "api-a");
    return r && r->has(DriftReason::StaleProxyImage);
  }));
  EXPECT_EQ(evaluations() - before, 3u);
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.configHash(); }), "hash-2");
  EXPECT_EQ(lists("/api/v1/pods"), 0u);
}

TEST_F(DriftServiceTest, AConfigChangeIsSyncedWithoutTheDebounce) {
  leader_ = true;
  DriftServiceOptions options;
  options.interval = 60s;
  options.debounce = 30s;
  options.maxDelay = 60s;
  options.pollPeriod = 20ms;
  startService(options, false);
  ASSERT_EQ(syncs_, 1);  // taking the lead syncs at once
  // A pod change waits for the cluster to be quiet...
  seed("POST", "/api/v1/namespaces/plain/pods", PodBuilder("plain", "tool-new"));
  ASSERT_TRUE(eventually([&] { return reasons("plain", "tool-new").has_value(); }));
  quiesce();
  advance(29s);
  EXPECT_EQ(syncs_, 1);
  // ...a config change does not: the report shows the edit's effect at the same instant.
  const SteadyTime edited = clock_.now();
  service_->setConfig(compileOrDie(kInjectConfig, kUpgradedValues), "hash-2");
  quiesce();
  EXPECT_EQ(syncs_, 2);
  EXPECT_EQ(clock_.now(), edited);
  // The pod change was part of that sync: the debounce has nothing left to do.
  advance(1s);
  EXPECT_EQ(syncs_, 2);
}

TEST_F(DriftServiceTest, TheSameConfigAgainIsANoOp) {
  startService();
  const size_t before = evaluations();
  const uint64_t applied = service_->stats().configsApplied;
  // serve hands the config over at start and from every reload; a repeat must not re-render.
  service_->setConfig(config_, "hash-1");
  ASSERT_TRUE(service_->waitIdle(5s));
  EXPECT_EQ(evaluations(), before);
  EXPECT_EQ(service_->stats().configsApplied, applied);
  // A new hash for the same compiled config is a new generation and is applied.
  service_->setConfig(config_, "hash-1b");
  ASSERT_TRUE(service_->waitIdle(5s));
  EXPECT_EQ(service_->stats().configsApplied, applied + 1);
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.configHash(); }), "hash-1b");
}

TEST_F(DriftServiceTest, PolledConfigSourceIsApplied) {
  {
    std::lock_guard lock(mutex_);
    polled_ = {config_, "a"};
  }
  DriftServiceCallbacks callbacks;
  callbacks.configSource = [this] {
    std::lock_guard lock(mutex_);
    return polled_;
  };
  DriftServiceOptions options;
  options.pollPeriod = 10ms;
  service_ = std::make_unique<DriftService>(
      *client_, options, [] { return false; }, callbacks, clock_);
  service_->start();
  ASSERT_TRUE(service_->waitForSync(10s));
  quiesce();
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.configHash(); }), "a");
  {
    std::lock_guard lock(mutex_);
    polled_ = {compileOrDie(kInjectConfig, kUpgradedValues), "b"};
  }
  // The source is looked at once per pollPeriod, not before.
  advance(9ms);
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.configHash(); }), "a");
  advance(1ms);
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.configHash(); }), "b");
  auto r = reasons("shop", "api-a");
  EXPECT_TRUE(r && r->has(DriftReason::StaleProxyImage));
  EXPECT_EQ(service_->stats().configsApplied, 2u);
}

TEST_F(DriftServiceTest, NamespaceLabelChangeRecomputesThatNamespaceOnly) {
  startService();
  ASSERT_EQ(reasons("plain", "tool-a"), ReasonSet{});
  const size_t before = evaluations();

  seed("PATCH", "/api/v1/namespaces/plain", json{{"metadata", {{"labels", {{"istio-injection", "enabled"}}}}}},
       "application/merge-patch+json");
  ASSERT_TRUE(eventually([&] {
    auto a = reasons("plain", "tool-a");
    auto b = reasons("plain", "tool-b");
    return a && b && a->has(DriftReason::MissingSidecar) && b->has(DriftReason::MissingSidecar);
  }));
  EXPECT_EQ(evaluations() - before, 2u);  // the two pods of "plain", not shop's

  // An annotation edit keeps the labels: nothing is re-evaluated.
  seed("PATCH", "/api/v1/namespaces/plain", json{{"metadata", {{"annotations", {{"team", "tools"}}}}}},
       "application/merge-patch+json");
  ASSERT_TRUE(eventually([&] { return service_->stats().eventsApplied >= 2; }));
  ASSERT_TRUE(service_->waitIdle(5s));
  EXPECT_EQ(evaluations() - before, 2u);
}

TEST_F(DriftServiceTest, WebhookConfigChangesRecompute) {
  startService();
  ASSERT_EQ(reasons("plain", "tool-a"), ReasonSet{});
  // Without the injector's webhook config the webhook is assumed to be called everywhere.
  seed("DELETE", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-sidecar-injector");
  ASSERT_TRUE(eventually([&] {
    auto r = reasons("plain", "tool-a");
    return r && r->has(DriftReason::MissingSidecar);
  }));
  seed("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", webhookConfig());
  ASSERT_TRUE(eventually([&] { return reasons("plain", "tool-a") == ReasonSet{}; }));

  // A caBundle rotation does not change selection: no re-evaluation.
  ASSERT_TRUE(service_->waitIdle(5s));
  const size_t before = evaluations();
  const uint64_t events = service_->stats().eventsApplied;
  json mwc = seed("GET", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-sidecar-injector");
  mwc["webhooks"][0]["clientConfig"] = {{"caBundle", "Zm9v"}};
  seed("PUT", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-sidecar-injector", mwc);
  ASSERT_TRUE(eventually([&] { return service_->stats().eventsApplied > events; }));
  EXPECT_EQ(evaluations(), before);

  // Webhook configurations of other products are ignored.
  json other = webhookConfig();
  other["metadata"]["name"] = "linkerd-proxy-injector";
  other["webhooks"][0]["namespaceSelector"] = json::object();
  seed("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", other);
  ASSERT_TRUE(eventually([&] { return service_->stats().eventsApplied > events + 1; }));
  EXPECT_EQ(reasons("plain", "tool-a"), ReasonSet{});
}

TEST_F(DriftServiceTest, OnlyTheLeaderWrites) {
  startService();
  seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "late"));
  ASSERT_TRUE(eventually([&] { return reasons("shop", "late").has_value(); }));
  quiesce();
  server_->clearRequestLog();
  advance(200ms);  // past the debounce and maxDelay
  EXPECT_EQ(writes(), 0u);
  EXPECT_EQ(syncs_, 0);

  // Leadership is looked at on the next poll.
  leader_ = true;
  advance(20ms);
  EXPECT_EQ(syncs_, 1);
  EXPECT_EQ(writes_, 1);
  ASSERT_TRUE(eventually([&] {
    json events = seed("GET", "/api/v1/namespaces/shop/events");
    return events["items"].size() == 1 && events["items"][0]["reason"] == "SidecarDrift";
  }));
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(metrics_.podsByNamespaceReason[std::make_pair(std::string("shop"), std::string("MissingSidecar"))], 1);
  }

  // Stepping down withdraws the gauges and stops writing.
  leader_ = false;
  advance(20ms);
  {
    std::lock_guard lock(mutex_);
    EXPECT_TRUE(metrics_.podsByNamespaceReason.empty());
  }
  server_->clearRequestLog();
  seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "later"));
  ASSERT_TRUE(eventually([&] { return reasons("shop", "later").has_value(); }));
  quiesce();
  advance(200ms);
  EXPECT_EQ(writes(), 0u);
  EXPECT_EQ(syncs_, 1);
}

TEST_F(DriftServiceTest, RelistsOnlyThroughTheReflectorsGoneHandling) {
  startService();
  seed("DELETE", "/api/v1/namespaces/plain/pods/tool-b");
  ASSERT_TRUE(eventually([&] { return !reasons("plain", "tool-b").has_value(); }));
  const uint64_t relists = service_->stats().relistsApplied;
  server_->clearRequestLog();
  // Dropped streams resume from their resourceVersion without a LIST...
  server_->dropWatches();
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 10; }));
  EXPECT_EQ(lists("/api/v1/pods"), 0u);
  // ...unless that version was compacted away: then the reflector relists (410 Gone).
  seed("POST", "/api/v1/namespaces/plain/configmaps", json{{"metadata", {{"name", "bump"}}}});
  server_->store().compact();
  server_->dropWatches();
  ASSERT_TRUE(eventually([&] { return service_->stats().relistsApplied >= relists + 10; }));
  EXPECT_EQ(lists("/api/v1/pods"), 1u);
  EXPECT_TRUE(reasons("plain", "tool-a").has_value());
  EXPECT_FALSE(reasons("plain", "tool-b").has_value());
}

TEST_F(DriftServiceTest, MalformedObjectsAreReportedNotFatal) {
  DriftServiceOptions options;
  options.watch = false;
  DriftServiceCallbacks callbacks;
  callbacks.onWarning = [this](const std::string& w) {
    std::lock_guard lock(mutex_);
    warnings_.push_back(w);
  };
  service_ = std::make_unique<DriftService>(*client_, options, [] { return false; }, callbacks);
  service_->setConfig(config_);
  service_->start();
  auto* pods = service_->sinkFor("pods");
  ASSERT_NE(pods, nullptr);
  pods->apply(controller::WatchEventType::Added, json{{"metadata", {{"namespace", "shop"}}}});
  pods->apply(controller::WatchEventType::Added, json::array());
  pods->apply(controller::WatchEventType::Added, PodBuilder("shop", "fine"));
  ASSERT_TRUE(service_->waitIdle(5s));
  EXPECT_EQ(service_->stats().objectErrors, 2u);
  EXPECT_TRUE(reasons("shop", "fine").has_value());
  std::lock_guard lock(mutex_);
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_NE(warnings_[0].find("metadata.name"), std::string::npos) << warnings_[0];
  EXPECT_EQ(service_->sinkFor("secrets"), nullptr);
}

TEST_F(DriftServiceTest, ReplaceDropsObjectsTheListNoLongerHolds) {
  DriftServiceOptions options;
  options.watch = false;
  service_ = std::make_unique<DriftService>(*client_, options, [] { return false; });
  service_->setConfig(config_);
  service_->start();
  auto* pods = service_->sinkFor("pods");
  auto* deployments = service_->sinkFor("deployments");
  pods->replace({PodBuilder("a", "one"), PodBuilder("a", "two")}, "5");
  deployments->replace({workload("Deployment", "a", "web")}, "5");
  ASSERT_TRUE(service_->waitIdle(5s));
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.pods().size(); }), 2u);
  pods->replace({PodBuilder("a", "two")}, "9");
  deployments->replace({}, "9");
  ASSERT_TRUE(service_->waitIdle(5s));
  EXPECT_FALSE(reasons("a", "one").has_value());
  EXPECT_TRUE(reasons("a", "two").has_value());
  EXPECT_EQ(service_->inspect([](const DriftTracker& t) { return t.inventory().size(); }), 0u);
}

TEST_F(DriftServiceTest, StopIsPromptAndClosesTheWatches) {
  startService();
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 10; }));
  const auto started = std::chrono::steady_clock::now();
  service_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  // Every thread the service started (10 reflectors, the worker) is gone.
  EXPECT_EQ(threadCount(), threadsBefore_);
  // Nothing reaches the tracker any more: the threads that could apply it are gone (above).
  const uint64_t applied = service_->stats().eventsApplied;
  seed("POST", "/api/v1/namespaces/shop/pods", PodBuilder("shop", "after-stop"));
  EXPECT_EQ(service_->stats().eventsApplied, applied);
  EXPECT_FALSE(reasons("shop", "after-stop").has_value());
  service_->stop();  // idempotent
  // Events after stop are queued but never applied, and nothing crashes.
  service_->setConfig(config_);
  EXPECT_FALSE(service_->waitIdle(50ms));
}

TEST_F(DriftServiceTest, MissingOptionalApisAreSkipped) {
  // An older cluster without policy/v1: the probe's 404 skips PDBs instead of blocking sync.
  server_->failNext(1, 404, -1, "poddisruptionbudgets");
  DriftServiceCallbacks callbacks;
  callbacks.onWarning = [this](const std::string& w) {
    std::lock_guard lock(mutex_);
    warnings_.push_back(w);
  };
  service_ = std::make_unique<DriftService>(*client_, DriftServiceOptions{}, [] { return false; }, callbacks);
  service_->start();
  ASSERT_TRUE(service_->waitForSync(10s));
  auto s = service_->stats();
  EXPECT_EQ(s.skippedResources, std::vector<std::string>{"poddisruptionbudgets"});
  EXPECT_TRUE(eventually([&] { return server_->activeWatches() == 9; }));
  std::lock_guard lock(mutex_);
  ASSERT_FALSE(warnings_.empty());
  EXPECT_NE(warnings_[0].find("policy/v1"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::drift
