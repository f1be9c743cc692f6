#include "controller/leader_election.h"

#include <gtest/gtest.h>

#include "test/controller/fakes.h"
#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

using testing::FakeClock;

class LeaderElectionTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    createNamespace("istio-system");
  }

  LeaderElectionOptions options(const std::string& id) {
    LeaderElectionOptions o;
    o.identity = id;
    o.leaseDuration = Millis(15000);
    o.renewDeadline = Millis(10000);
    o.retryPeriod = Millis(2000);
    return o;
  }

  nlohmann::json lease() { return serverRequest("GET", "/apis/coordination.k8s.io/v1/namespaces/istio-system/leases/istio-sidecar-injector"); }
};

TEST(LeaderElectionOptionsTest, ValidationNamesTheBrokenRule) {
  LeaderElectionOptions o;
  EXPECT_FALSE(validateLeaderElectionOptions(o));  // no identity
  o.identity = "pod-a";
  EXPECT_TRUE(validateLeaderElectionOptions(o));
  o.renewDeadline = Millis(20000);
  auto r = validateLeaderElectionOptions(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lease duration (15000ms) must be greater than the renew deadline (20000ms)"),
            std::string::npos)
      << r.error().message;
  o.renewDeadline = Millis(1000);
  r = validateLeaderElectionOptions(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("retry period"), std::string::npos);
}

TEST_F(LeaderElectionTest, HandOverWhenTheLeaderStopsRenewing) {
  auto c = client();
  FakeClock clock;
  std::vector<std::string> log;
  LeaderElector a(*c, options("a"),
                  {[&] { log.push_back("a started"); }, [&] { log.push_back("a stopped"); }, nullptr}, clock);
  LeaderElector b(*c, options("b"),
                  {[&] { log.push_back("b started"); }, [&] { log.push_back("b stopped"); }, nullptr}, clock);
  a.step();
  EXPECT_TRUE(a.isLeader());
  b.step();
  EXPECT_FALSE(b.isLeader());
  EXPECT_EQ(b.observedLeader(), "a");
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "a");
  EXPECT_EQ(lease()["spec"]["leaseDurationSeconds"], 15);

  // a keeps renewing: b never takes over, however long it waits.
  for (int i = 0; i < 10; ++i) {
    clock.advance(Millis(2000));
    a.step();
    b.step();
  }
  EXPECT_TRUE(a.isLeader());
  EXPECT_FALSE(b.isLeader());

  // a stops renewing (hangs). Just short of a lease duration b still waits...
  clock.advance(Millis(14999));
  b.step();
  EXPECT_FALSE(b.isLeader());
  // ...and takes over once the record stayed unchanged for the full duration.
  clock.advance(Millis(1));
  b.step();
  EXPECT_TRUE(b.isLeader());
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "b");
  EXPECT_EQ(lease()["spec"]["leaseTransitions"], 1);

  // a wakes up, sees b's renewed record and steps down.
  a.step();
  EXPECT_FALSE(a.isLeader());
  EXPECT_EQ(log, (std::vector<std::string>{"a started", "b started", "a stopped"}));
}

TEST_F(LeaderElectionTest, LeaderStepsDownAfterRenewDeadline) {
  RestOptions noRetries;
  noRetries.maxRetries = 0;
  auto c = client(noRetries);
  FakeClock clock;
  int stopped = 0;
  LeaderElector a(*c, options("a"), {nullptr, [&] { ++stopped; }, nullptr}, clock);
  a.step();
  ASSERT_TRUE(a.isLeader());
  server_->failNext(1000, 500);  // the API server is unreachable for the leader
  clock.advance(Millis(5000));
  a.step();
  EXPECT_TRUE(a.isLeader());
  clock.advance(Millis(5000));
  a.step();
  EXPECT_FALSE(a.isLeader());
  EXPECT_EQ(stopped, 1);
  server_->failNext(0, 500);
}

TEST_F(LeaderElectionTest, ConcurrentCandidatesWithRealClockAndReleaseOnStop) {
  auto c = client();
  auto fast = [&](const std::string& id) {
    LeaderElectionOptions o = options(id);
    o.leaseDuration = Millis(1000);
    o.renewDeadline = Millis(800);
    o.retryPeriod = Millis(50);
    return o;
  };
  std::atomic<int> leaders{0};
  std::atomic<int> maxLeaders{0};
  auto callbacks = [&] {
    return LeaderCallbacks{[&] {
                             int n = ++leaders;
                             int prev = maxLeaders.load();
                             while (n > prev && !maxLeaders.compare_exchange_weak(prev, n)) {
                             }
                           },
                           [&] { --leaders; }, nullptr};
  };
  auto a = std::make_unique<LeaderElector>(*c, fast("a"), callbacks());
  LeaderElector b(*c, fast("b"), callbacks());
  a->start();
  ASSERT_TRUE(eventually([&] { return a->isLeader(); }));
  b.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(a->isLeader());
  EXPECT_FALSE(b.isLeader());
  const auto handover = std::chrono::steady_clock::now();
  a->stop();  // releases the lease
  ASSERT_TRUE(eventually([&] { return b.isLeader(); }));
  // The released lease is taken within about one lease duration of observing it.
  EXPECT_LT(std::chrono::steady_clock::now() - handover, std::chrono::milliseconds(1500));
  EXPECT_EQ(maxLeaders.load(), 1);
  b.stop();
  EXPECT_EQ(leaders.load(), 0);
}

TEST_F(LeaderElectionTest, CrashedLeaderIsReplacedAfterLeaseDuration) {
  auto c = client();
  LeaderElectionOptions oa = options("a");
  oa.leaseDuration = Millis(800);
  oa.renewDeadline = Millis(600);
  oa.retryPeriod = Millis(50);
  oa.releaseOnStop = false;  // a crash does not release
  LeaderElectionOptions ob = oa;
  ob.identity = "b";
  LeaderElector a(*c, oa, {});
  LeaderElector b(*c, ob, {});
  a.start();
  ASSERT_TRUE(eventually([&] { return a.isLeader(); }));
  b.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  a.stop();
  const auto crashed = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return b.isLeader(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - crashed, std::chrono::milliseconds(400));
  b.stop();
}

}  // namespace
}  // namespace sidecar::controller
