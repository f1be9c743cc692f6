#include "controller/reflector.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "controller/cache_kinds.h"
#include "test/controller/fakes.h"
#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

using testing::configMap;
using testing::FakeClock;
using testing::FakeRandom;

// Records every handler call so tests can check nothing was lost or repeated.
class Recorder {
 public:
  explicit Recorder(ConfigMapCache& cache) {
    cache.addHandlers({[this](const ConfigMapInfo& o) { record("add", o); },
                       [this](const ConfigMapInfo&, const ConfigMapInfo& n) { record("update", n); },
                       [this](const ConfigMapInfo& o) { record("delete", o); }});
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  int count(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& e : events_) {
      n += e.rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return n;
  }

 private:
  void record(const char* what, const ConfigMapInfo& o) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::string(what) + " " + o.meta.name + " " + (o.value("v") ? *o.value("v") : ""));
  }
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
};

class ReflectorTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    createNamespace("watched");
  }

  ReflectorOptions options(int pageSize = 500) {
    ReflectorOptions o;
    o.resource = resources::kConfigMaps;
    o.ns = "watched";
    o.pageSize = pageSize;
    o.watchTimeoutSeconds = 60;
    o.backoff = {Millis(20), Millis(200), 0.0};
    return o;
  }

  void put(const std::string& name, const std::string& value) {
    auto r = server_->store().request("GET", "/api/v1/namespaces/watched/configmaps/" + name);
    if (r.status == 404) {
      serverRequest("POST", "/api/v1/namespaces/watched/configmaps", configMap("watched", name, {{"v", value}}));
    } else {
      serverRequest("PATCH", "/api/v1/namespaces/watched/configmaps/" + name, {{"data", {{"v", value}}}},
                    "application/merge-patch+json");
    }
  }
  void del(const std::string& name) { serverRequest("DELETE", "/api/v1/namespaces/watched/configmaps/" + name); }

  // The cache holds exactly what the server holds.
  bool matchesServer(const ConfigMapCache& cache) {
    auto list = server_->store().request("GET", "/api/v1/namespaces/watched/configmaps");
    auto items = nlohmann::json::parse(list.body)["items"];
    if (items.size() != cache.size()) {
      return false;
    }
    for (const auto& item : items) {
      auto cached = cache.get("watched", item["metadata"]["name"]);
      if (!cached || cached->meta.resourceVersion != item["metadata"]["resourceVersion"]) {
        return false;
      }
    }
    return true;
  }

  int countRequests(const std::string& needle) {
    int n = 0;
    for (const auto& line : server_->requestLog()) {
      n += line.find(needle) != std::string::npos ? 1 : 0;
    }
    return n;
  }
};

TEST_F(ReflectorTest, PaginatedListThenWatch) {
  for (int i = 0; i < 25; ++i) {
    put("cm" + std::to_string(i), "0");
  }
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  Recorder rec(cache);
  Reflector reflector(*c, options(10), cache);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  EXPECT_EQ(cache.size(), 25u);
  EXPECT_EQ(countRequests("limit=10"), 3);
  EXPECT_EQ(countRequests("continue="), 2);
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  put("cm3", "1");
  del("cm4");
  put("new", "x");
  ASSERT_TRUE(eventually([&] { return matchesServer(cache); }));
  EXPECT_EQ(rec.count("add"), 26);
  EXPECT_EQ(rec.count("update"), 1);
  EXPECT_EQ(rec.count("delete"), 1);
  auto watchLine = server_->requestLog().back();
  EXPECT_NE(watchLine.find("allowWatchBookmarks=true"), std::string::npos) << watchLine;
  EXPECT_NE(watchLine.find("timeoutSeconds=60"), std::string::npos) << watchLine;
  reflector.stop();
}

TEST_F(ReflectorTest, DroppedStreamResumesWithoutLossOrDuplicates) {
  put("a", "0");
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  Recorder rec(cache);
  Reflector reflector(*c, options(), cache);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  for (int round = 0; round < 5; ++round) {
    put("a", std::to_string(round + 1));
    put("r" + std::to_string(round), "x");
    server_->dropWatches();
    // Changes while the reflector is disconnected are replayed from the resourceVersion.
    put("b" + std::to_string(round), "y");
    ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  }
  ASSERT_TRUE(eventually([&] { return matchesServer(cache); }));
  const auto events = rec.events();
  std::set<std::string> unique(events.begin(), events.end());
  EXPECT_EQ(unique.size(), events.size()) << "a handler event was delivered twice";
  EXPECT_EQ(rec.count("add"), 11);    // a, r0..r4, b0..b4
  EXPECT_EQ(rec.count("update"), 5);  // a=1..5, each once
  auto s = reflector.stats();
  EXPECT_EQ(s.lists, 1u);  // resumed, never relisted
  EXPECT_GE(s.watches, 6u);
  int resumed = 0;
  for (const auto& line : server_->requestLog()) {
    if (line.find("watch=true") != std::string::npos && line.find("resourceVersion=") != std::string::npos) {
      ++resumed;
    }
  }
  EXPECT_GE(resumed, 6);
  reflector.stop();
}

TEST_F(ReflectorTest, GoneErrorEventTriggersRelist) {
  put("keep", "0");
  put("doomed", "0");
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  Recorder rec(cache);
  Reflector reflector(*c, options(), cache);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  server_->setLatency(std::chrono::milliseconds(300));  // keep the reflector away while we edit
  server_->dropWatches();
  del("doomed");
  put("keep", "1");
  put("fresh", "0");
  server_->store().compact();
  server_->setLatency(std::chrono::milliseconds(0));
  ASSERT_TRUE(eventually([&] { return reflector.stats().relistsOnGone >= 1 && matchesServer(cache); }));
  EXPECT_EQ(reflector.stats().lists, 2u);
  // The relist is turned into exactly the events it implies.
  EXPECT_EQ(rec.count("delete doomed"), 1);
  EXPECT_EQ(rec.count("update keep 1"), 1);
  EXPECT_EQ(rec.count("add fresh"), 1);
  reflector.stop();
}

TEST_F(ReflectorTest, GoneHttpStatusTriggersRelist) {
  server_->store().setGoneAsStatus(true);
  put("x", "0");
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  Reflector reflector(*c, options(), cache);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  server_->setLatency(std::chrono::milliseconds(300));
  server_->dropWatches();
  put("y", "0");
  server_->store().compact();
  server_->setLatency(std::chrono::milliseconds(0));
  ASSERT_TRUE(eventually([&] { return reflector.stats().relistsOnGone >= 1 && matchesServer(cache); }));
  EXPECT_GE(reflector.stats().lists, 2u);
  reflector.stop();
}

TEST_F(ReflectorTest, WatchTimeoutIsRenewedAndBookmarksAdvance) {
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  auto o = options();
  o.watchTimeoutSeconds = 1;
  Reflector reflector(*c, o, cache);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  ASSERT_TRUE(eventually([&] { return reflector.stats().watches >= 3; }, std::chrono::milliseconds(6000)));
  EXPECT_GT(reflector.stats().bookmarks, 0u);
  EXPECT_EQ(reflector.stats().errors, 0u);
  EXPECT_EQ(reflector.stats().lists, 1u);
  // An unrelated change moves the global resourceVersion; the bookmark carries it.
  serverRequest("POST", "/api/v1/namespaces/default/configmaps", configMap("default", "elsewhere", {}));
  const std::string rv = std::to_string(server_->store().resourceVersion());
  ASSERT_TRUE(eventually([&] { return reflector.stats().lastResourceVersion == rv; }));
  put("late", "1");
  ASSERT_TRUE(eventually([&] { return cache.get("watched", "late") != nullptr; }));
  reflector.stop();
}

TEST_F(ReflectorTest, WatchFailuresBackOffWithInjectedClock) {
  FakeClock clock;
  FakeRandom random(0.5);
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  auto o = options();
  o.backoff = {Millis(100), Millis(30000), 0.2};
  // Failures go to the injected logger, leveled and scoped, not to stderr.
  Logger logger;
  std::mutex linesMutex;
  std::vector<std::string> lines;
  logger.setSink([&](std::string_view line) {
    std::lock_guard lock(linesMutex);
    lines.emplace_back(line);
  });
  o.log = ScopedLogger("reflector", logger);
  server_->failNext(3, 500, -1, "watch=true");
  Reflector reflector(*c, o, cache, clock, random);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  EXPECT_EQ(clock.sleeps(), (std::vector<Millis>{Millis(110), Millis(220), Millis(440)}));
  EXPECT_EQ(reflector.stats().errors, 3u);
  reflector.stop();
  std::lock_guard lock(linesMutex);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\twarn\treflector\tconfigmaps: "), std::string::npos) << lines[0];
}

TEST_F(ReflectorTest, BackoffIsCappedAtThirtySeconds) {
  FakeClock clock;
  FakeRandom random(0.9);
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  auto o = options();
  o.backoff = {Millis(800), Millis(30000), 0.2};
  server_->failNext(9, 503, -1, "watch=true");
  Reflector reflector(*c, o, cache, clock, random);
  reflector.start();
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }, std::chrono::milliseconds(8000)));
  const auto sleeps = clock.sleeps();
  ASSERT_EQ(sleeps.size(), 9u);
  EXPECT_EQ(sleeps[0], Millis(944));
  EXPECT_EQ(sleeps[5], Millis(30000));
  EXPECT_EQ(sleeps[8], Millis(30000));
  reflector.stop();
}

TEST_F(ReflectorTest, StopIsPromptMidWatchAndMidBackoff) {
  auto c = client();
  ConfigMapCache cache(toConfigMapInfo);
  auto o = options();
  o.backoff = {Millis(20000), Millis(30000), 0.0};
  Reflector reflector(*c, o, cache);
  reflector.start();
  ASSERT_TRUE(reflector.waitForSync(Millis(5000)));
  ASSERT_TRUE(eventually([&] { return server_->activeWatches() == 1; }));
  auto start = std::chrono::steady_clock::now();
  reflector.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));

  server_->failNext(100, 500, -1, "watch=true");
  Reflector failing(*c, o, cache);
  failing.start();
  ASSERT_TRUE(eventually([&] { return failing.stats().errors >= 1; }));
  start = std::chrono::steady_clock::now();
  failing.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  server_->failNext(0, 500);
}

}  // namespace
}  // namespace sidecar::controller
