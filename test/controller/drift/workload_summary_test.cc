#include "controller/drift/workload_summary.h"

#include <gtest/gtest.h>

#include "drift_fixtures.h"

namespace sidecar::drift {
namespace {

using namespace testing;

class WorkloadSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = compileOrDie();
    ASSERT_NE(config_, nullptr);
    tracker_.setConfig(config_);
  }
  void add(const json& object) {
    auto r = object.value("kind", "") == "Pod" ? tracker_.upsertPod(object) : Expected<void>();
    if (object.value("kind", "") != "Pod") {
      auto o = tracker_.upsertObject(object);
      ASSERT_TRUE(o.has_value()) << o.error().message;
      ASSERT_TRUE(*o);
    }
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  const WorkloadDrift* find(const DriftSummary& s, const std::string& kind, const std::string& name) {
    for (const auto& w : s.workloads) {
      if (w.ref.kind == kind && w.ref.name == name) {
        return &w;
      }
    }
    return nullptr;
  }
  WorkloadRef ownerOf(const json& pod) {
    auto rec = makePodRecord(pod);
    EXPECT_TRUE(rec.has_value());
    return tracker_.inventory().resolveOwner(*rec);
  }

  inject::InjectionConfigPtr config_;
  DriftTracker tracker_;
};

TEST_F(WorkloadSummaryTest, OwnerChains) {
  add(ownedBy(workload("ReplicaSet", "ns", "api-7d9f"), "Deployment", "api"));
  add(workload("ReplicaSet", "ns", "orphan-rs"));
  add(ownedBy(workload("Job", "ns", "backup-123"), "CronJob", "backup"));
  add(workload("Job", "ns", "once"));

  EXPECT_EQ(ownerOf(PodBuilder("ns", "api-7d9f-x").owner("ReplicaSet", "api-7d9f")),
            (WorkloadRef{"Deployment", "ns", "api"}));
  // ReplicaSet not supplied: the pod-template-hash suffix names the Deployment.
  EXPECT_EQ(ownerOf(PodBuilder("ns", "web-5c6b8-q").owner("ReplicaSet", "web-5c6b8").label("pod-template-hash", "5c6b8")),
            (WorkloadRef{"Deployment", "ns", "web"}));
  // Unknown ReplicaSet without the hash label, and a known one without owner: the ReplicaSet.
  EXPECT_EQ(ownerOf(PodBuilder("ns", "x").owner("ReplicaSet", "loose")), (WorkloadRef{"ReplicaSet", "ns", "loose"}));
  EXPECT_EQ(ownerOf(PodBuilder("ns", "y").owner("ReplicaSet", "orphan-rs")),
            (WorkloadRef{"ReplicaSet", "ns", "orphan-rs"}));
  EXPECT_EQ(ownerOf(PodBuilder("ns", "backup-123-z").owner("Job", "backup-123")),
            (WorkloadRef{"CronJob", "ns", "backup"}));
  EXPECT_EQ(ownerOf(PodBuilder("ns", "once-z").owner("Job", "once")), (WorkloadRef{"Job", "ns", "once"}));
  EXPECT_EQ(ownerOf(PodBuilder("ns", "db-0").owner("StatefulSet", "db")), (WorkloadRef{"StatefulSet", "ns", "db"}));
  EXPECT_EQ(ownerOf(PodBuilder("ns", "agent-k").owner("DaemonSet", "agent")),
            (WorkloadRef{"DaemonSet", "ns", "agent"}));
  EXPECT_EQ(ownerOf(PodBuilder("ns", "bare")), (WorkloadRef{"Pod", "ns", "bare"}));
}

TEST_F(WorkloadSummaryTest, RestartStrategiesByKindAndUpdateStrategy) {
  add(ownedBy(workload("ReplicaSet", "ns", "api-1"), "Deployment", "api"));
  add(PodBuilder("ns", "api-1-a").owner("ReplicaSet", "api-1"));
  add(workload("StatefulSet", "ns", "web", "RollingUpdate"));
  add(PodBuilder("ns", "web-0").owner("StatefulSet", "web"));
  add(workload("StatefulSet", "ns", "db", "OnDelete"));
  for (int i : {0, 2, 10, 1}) {
    add(PodBuilder("ns", "db-" + std::to_string(i)).owner("StatefulSet", "db"));
  }
  add(workload("DaemonSet", "ns", "agent", "OnDelete"));
  add(PodBuilder("ns", "agent-b").owner("DaemonSet", "agent"));
  add(PodBuilder("ns", "agent-a").owner("DaemonSet", "agent"));
  add(workload("DaemonSet", "ns", "logs"));
  add(PodBuilder("ns", "logs-a").owner("DaemonSet", "logs"));
  add(PodBuilder("ns", "bare"));
  add(ownedBy(workload("Job", "ns", "nightly-1"), "CronJob", "nightly"));
  add(PodBuilder("ns", "nightly-1-a").owner("Job", "nightly-1"));
  add(PodBuilder("ns", "oneoff-a").owner("Job", "oneoff"));

  DriftSummary s = summarize(tracker_);
  const WorkloadDrift* api = find(s, "Deployment", "api");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->strategy, RestartStrategy::RolloutRestart);
  EXPECT_EQ(api->command, "kubectl -n ns rollout restart deployment/api");

  const WorkloadDrift* web = find(s, "StatefulSet", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->strategy, RestartStrategy::RolloutRestart);
  EXPECT_EQ(web->command, "kubectl -n ns rollout restart statefulset/web");

  const WorkloadDrift* db = find(s, "StatefulSet", "db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->strategy, RestartStrategy::DeletePodsOneByOne);
  // Highest ordinal first, numerically.
  EXPECT_EQ(db->pods, (std::vector<std::string>{"db-10", "db-2", "db-1", "db-0"}));
  EXPECT_EQ(db->command.rfind("kubectl -n ns delete pod db-10", 0), 0u) << db->command;
  EXPECT_NE(db->command.find("kubectl -n ns delete pod db-0"), std::string::npos);

  const WorkloadDrift* agent = find(s, "DaemonSet", "agent");
  ASSERT_NE(agent, nullptr);
  EXPECT_EQ(agent->strategy, RestartStrategy::DeletePodsOneByOne);
  EXPECT_EQ(agent->pods, (std::vector<std::string>{"agent-a", "agent-b"}));

  const WorkloadDrift* logs = find(s, "DaemonSet", "logs");
  ASSERT_NE(logs, nullptr);
  EXPECT_EQ(logs->command, "kubectl -n ns rollout restart daemonset/logs");

  const WorkloadDrift* bare = find(s, "Pod", "bare");
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->strategy, RestartStrategy::Recreate);
  EXPECT_EQ(bare->command.rfind("kubectl -n ns delete pod bare", 0), 0u);

  for (auto [kind, name] : {std::pair{"CronJob", "nightly"}, std::pair{"Job", "oneoff"}}) {
    const WorkloadDrift* job = find(s, kind, name);
    ASSERT_NE(job, nullptr) << name;
    EXPECT_EQ(job->strategy, RestartStrategy::None);
    EXPECT_TRUE(job->command.empty());
    EXPECT_FALSE(job->needsRestart());
    EXPECT_EQ(job->driftedPods, 1);  // reported all the same
  }
}

TEST_F(WorkloadSummaryTest, CompletedPodsAreReportedButNotRestarted) {
  add(PodBuilder("ns", "done-a").owner("ReplicaSet", "done-5f").label("pod-template-hash", "5f").phase("Succeeded"));
  add(PodBuilder("ns", "mix-a").owner("StatefulSet", "mix").phase("Failed"));
  add(PodBuilder("ns", "mix-b").owner("StatefulSet", "mix"));
  add(workload("StatefulSet", "ns", "mix", "OnDelete"));
  DriftSummary s = summarize(tracker_);
  const WorkloadDrift* done = find(s, "Deployment", "done");
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->driftedPods, 1);
  EXPECT_EQ(done->strategy, RestartStrategy::None);
  const WorkloadDrift* mix = find(s, "StatefulSet", "mix");
  ASSERT_NE(mix, nullptr);
  EXPECT_EQ(mix->driftedPods, 2);
  EXPECT_EQ(mix->pods, std::vector<std::string>{"mix-b"});
}

TEST_F(WorkloadSummaryTest, CountsAndReasons) {
  for (int i = 0; i < 3; ++i) {
    add(PodBuilder("ns", "api-1-" + std::to_string(i)).owner("ReplicaSet", "api-1").label("pod-template-hash", "1"));
  }
  add(PodBuilder("ns", "api-1-ok").owner("ReplicaSet", "api-1").label("pod-template-hash", "1").injected(config_->version));
  add(PodBuilder("ns", "api-1-old").owner("ReplicaSet", "api-1").label("pod-template-hash", "1").injected("old"));
  add(PodBuilder("other", "fine").injected(config_->version));
  DriftSummary s = summarize(tracker_);
  EXPECT_EQ(s.totalPods, 6);
  EXPECT_EQ(s.driftedPods, 4);
  EXPECT_EQ(s.reasonCounts[static_cast<size_t>(DriftReason::MissingSidecar)], 3);
  EXPECT_EQ(s.reasonCounts[static_cast<size_t>(DriftReason::StaleTemplate)], 1);
  ASSERT_EQ(s.workloads.size(), 1u);
  EXPECT_EQ(s.workloads[0].driftedPods, 4);
  EXPECT_EQ(s.workloads[0].totalPods, 5);
  EXPECT_EQ(s.workloads[0].reasons.list(),
            (std::vector<DriftReason>{DriftReason::MissingSidecar, DriftReason::StaleTemplate}));
  ASSERT_EQ(s.namespaces.size(), 2u);
  EXPECT_EQ(s.namespaces[1].name, "other");
  EXPECT_EQ(s.namespaces[1].driftedPods, 0);
  EXPECT_TRUE(s.namespaces[1].workloads.empty());
}

TEST_F(WorkloadSummaryTest, PdbSelection) {
  add(pdb("ns", "a-unrelated", json{{"matchLabels", {{"app", "other"}}}}, 5));
  add(pdb("ns", "b-web", json{{"matchExpressions", json::array({{{"key", "app"}, {"operator", "In"}, {"values", {"web", "www"}}}})}}, 1));
  add(PodBuilder("ns", "web-1-a").owner("ReplicaSet", "web-1").label("pod-template-hash", "1").label("app", "web"));
  add(PodBuilder("ns", "lonely").label("app", "nothing"));
  add(pdb("all", "everything", json::object(), 0));
  add(PodBuilder("all", "p").label("app", "x"));
  DriftSummary s = summarize(tracker_);
  const WorkloadDrift* web = find(s, "Deployment", "web");
  ASSERT_NE(web, nullptr);
  ASSERT_TRUE(web->pdb.has_value());
  EXPECT_EQ(web->pdb->name, "b-web");
  EXPECT_EQ(web->pdb->allowedDisruptions, 1);
  const WorkloadDrift* lonely = find(s, "Pod", "lonely");
  ASSERT_NE(lonely, nullptr);
  EXPECT_FALSE(lonely->pdb.has_value());
  const WorkloadDrift* p = find(s, "Pod", "p");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->pdb.has_value());
  EXPECT_EQ(p->pdb->name, "everything");
  EXPECT_EQ(p->pdb->allowedDisruptions, 0);

  auto bad = tracker_.upsertObject(pdb("ns", "broken", json{{"matchExpressions", json::array({{{"key", "a"}, {"operator", "Near"}}})}}, 1));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("broken"), std::string::npos);
  EXPECT_NE(bad.error().message.find("selector"), std::string::npos);
}

TEST_F(WorkloadSummaryTest, OrderedByImpactThenNamespaceAndName) {
  auto addDeployment = [&](const std::string& ns, const std::string& name, int pods) {
    for (int i = 0; i < pods; ++i) {
      add(PodBuilder(ns, name + "-h-" + std::to_string(i)).owner("ReplicaSet", name + "-h").label("pod-template-hash", "h"));
    }
  };
  addDeployment("b", "small", 1);
  addDeployment("a", "zeta", 2);
  addDeployment("b", "alpha", 2);
  addDeployment("a", "big", 3);
  addDeployment("a", "alpha", 1);
  DriftSummary s = summarize(tracker_);
  std::vector<std::string> order;
  for (const auto& w : s.workloads) {
    order.push_back(w.ref.namespaceName + "/" + w.ref.name);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a/big", "a/zeta", "b/alpha", "a/alpha", "b/small"}));
}

TEST_F(WorkloadSummaryTest, AutoRestartOptIn) {
  add(namespaceObject("optin", {}, {{"sidecar.injector.dev/auto-restart", "true"}}));
  add(PodBuilder("optin", "p"));
  json dep = workload("Deployment", "ns", "api");
  dep["metadata"]["annotations"]["sidecar.injector.dev/auto-restart"] = "true";
  add(dep);
  add(PodBuilder("ns", "api-1-a").owner("ReplicaSet", "api-1").label("pod-template-hash", "1"));
  add(PodBuilder("ns", "web-1-a").owner("ReplicaSet", "web-1").label("pod-template-hash", "1"));
  DriftSummary s = summarize(tracker_);
  EXPECT_TRUE(find(s, "Pod", "p")->autoRestart);
  EXPECT_TRUE(find(s, "Deployment", "api")->autoRestart);
  EXPECT_FALSE(find(s, "Deployment", "web")->autoRestart);
}

}  // namespace
}  // namespace sidecar::drift
