#include "controller/drift/auto_restart.h"

#include <gtest/gtest.h>

namespace sidecar::drift {
namespace {

using namespace std::chrono_literals;
using Time = std::chrono::steady_clock::time_point;

WorkloadDrift drifted(const std::string& ns, const std::string& name, int pods = 1,
                      RestartStrategy strategy = RestartStrategy::RolloutRestart, bool autoRestart = true) {
  WorkloadDrift w;
  w.ref = {"Deployment", ns, name};
  w.driftedPods = pods;
  w.totalPods = pods;
  w.reasons.add(DriftReason::StaleTemplate);
  w.strategy = strategy;
  w.autoRestart = autoRestart;
  if (strategy == RestartStrategy::DeletePodsOneByOne) {
    w.ref.kind = "StatefulSet";
    for (int i = pods - 1; i >= 0; --i) {
      w.pods.push_back(name + "-" + std::to_string(i));
    }
  }
  return w;
}

DriftSummary summaryOf(std::vector<WorkloadDrift> workloads) {
  DriftSummary s;
  std::sort(workloads.begin(), workloads.end(), impactOrder);
  s.workloads = std::move(workloads);
  return s;
}

class AutoRestartTest : public ::testing::Test {
 protected:
  AutoRestartPlanner planner(int perWindow = 10) {
    AutoRestartPolicy policy;
    policy.maxRestartsPerWindow = perWindow;
    policy.window = 60s;
    policy.restartTimeout = 600s;
    return AutoRestartPlanner(policy, [this] { return now_; });
  }
  Time now_{};
};

TEST_F(AutoRestartTest, OnlyOptedInWorkloads) {
  auto p = planner();
  auto actions = p.plan(summaryOf({drifted("a", "x", 1, RestartStrategy::RolloutRestart, false)}));
  EXPECT_TRUE(actions.empty());
  actions = p.plan(summaryOf({drifted("a", "y")}));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].workload.name, "y");
  EXPECT_EQ(actions[0].strategy, RestartStrategy::RolloutRestart);
}

TEST_F(AutoRestartTest, OneWorkloadPerNamespaceAtATime) {
  auto p = planner();
  auto summary = summaryOf({drifted("a", "big", 5), drifted("a", "small", 1), drifted("b", "other", 2)});
  auto actions = p.plan(summary);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].workload.name, "big");  // most impact first
  EXPECT_EQ(actions[1].workload.name, "other");
  EXPECT_EQ(p.inFlight(), 2u);
  // Still drifting (rollout in progress): nothing new in either namespace.
  now_ += 120s;
  EXPECT_TRUE(p.plan(summary).empty());
  // The caller reports the rollout done: the next workload of the namespace goes.
  p.finished({"Deployment", "a", "big"});
  actions = p.plan(summary);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].workload.name, "big");  // still drifted, so it is first again
  // Drift gone for a namespace releases it without finished().
  now_ += 120s;
  actions = p.plan(summaryOf({drifted("a", "small", 1), drifted("b", "other", 2)}));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].workload.name, "small");
}

TEST_F(AutoRestartTest, GlobalRateLimit) {
  auto p = planner(2);
  std::vector<WorkloadDrift> ws;
  for (int i = 0; i < 5; ++i) {
    ws.push_back(drifted("ns" + std::to_string(i), "w"));
  }
  auto summary = summaryOf(ws);
  EXPECT_EQ(p.plan(summary).size(), 2u);
  now_ += 30s;
  // Namespaces 0 and 1 are busy and the window is full.
  EXPECT_TRUE(p.plan(summaryOf({ws[2], ws[3], ws[4]})).empty());
  now_ += 31s;  // the window has passed
  auto actions = p.plan(summaryOf({ws[2], ws[3], ws[4]}));
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].workload.namespaceName, "ns2");
  EXPECT_EQ(actions[1].workload.namespaceName, "ns3");
}

TEST_F(AutoRestartTest, NeverWhenInjectionWouldFailOrForBarePodsAndJobs) {
  auto p = planner();
  auto failing = drifted("a", "broken");
  failing.reasons.add(DriftReason::InjectionWouldFail);
  auto bare = drifted("b", "pod", 1, RestartStrategy::Recreate);
  bare.ref.kind = "Pod";
  auto job = drifted("c", "job", 1, RestartStrategy::None);
  job.ref.kind = "Job";
  EXPECT_TRUE(p.plan(summaryOf({failing, bare, job})).empty());
  EXPECT_EQ(p.inFlight(), 0u);
}

TEST_F(AutoRestartTest, OneByOneDeletesOnePodAndRespectsThePdb) {
  auto p = planner();
  auto db = drifted("a", "db", 3, RestartStrategy::DeletePodsOneByOne);
  db.pdb = PdbRef{"db-pdb", 0};
  EXPECT_TRUE(p.plan(summaryOf({db})).empty());
  db.pdb->allowedDisruptions = 1;
  auto actions = p.plan(summaryOf({db}));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].pod, "db-2");
  // Same drift: the deleted pod has not been replaced yet.
  now_ += 10s;
  EXPECT_TRUE(p.plan(summaryOf({db})).empty());
  // db-2 replaced and clean: the next pod goes.
  db.pods = {"db-1", "db-0"};
  db.driftedPods = 2;
  actions = p.plan(summaryOf({db}));
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].pod, "db-1");
}

TEST_F(AutoRestartTest, StuckRestartTimesOut) {
  auto p = planner();
  auto summary = summaryOf({drifted("a", "x", 2), drifted("a", "y", 1)});
  ASSERT_EQ(p.plan(summary).size(), 1u);
  now_ += 599s;
  EXPECT_TRUE(p.plan(summary).empty());
  now_ += 1s;
  auto actions = p.plan(summary);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].workload.name, "x");
}

}  // namespace
}  // namespace sidecar::drift
