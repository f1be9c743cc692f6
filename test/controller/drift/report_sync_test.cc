#include "controller/drift/report_sync.h"

#include <gtest/gtest.h>

namespace sidecar::drift {
namespace {

using nlohmann::json;

json report(const std::string& name, int drifted, const std::string& updated = "t1") {
  return {{"metadata", {{"name", name}}},
          {"status", {{"namespace", name}, {"driftedPods", drifted}, {"lastUpdated", updated}}}};
}

TEST(ReportSyncTest, WritesOnlyChanges) {
  std::map<std::string, json> existing = {
      {"a", report("a", 1)}, {"gone", report("gone", 3)}, {"cluster", report("cluster", 4)}, {"b", report("b", 2)}};
  std::vector<json> desired = {report("a", 1, "t2"), report("b", 5, "t2"), report("new", 1, "t2"),
                               report("cluster", 7, "t2")};
  auto writes = planReportWrites(existing, desired);
  std::map<std::string, ReportWrite::Op> ops;
  for (const auto& w : writes) {
    ops[w.name] = w.op;
  }
  EXPECT_EQ(ops.size(), 4u);
  EXPECT_FALSE(ops.count("a"));  // only lastUpdated differs
  EXPECT_EQ(ops["b"], ReportWrite::Op::UpdateStatus);
  EXPECT_EQ(ops["new"], ReportWrite::Op::Create);
  EXPECT_EQ(ops["cluster"], ReportWrite::Op::UpdateStatus);
  EXPECT_EQ(ops["gone"], ReportWrite::Op::Delete);
  // The cluster summary is never deleted, even when it is (briefly) not desired.
  auto none = planReportWrites({{"cluster", report("cluster", 1)}}, {});
  EXPECT_TRUE(none.empty());
}

TEST(ReportSyncTest, RestartPatchIsWhatKubectlSends) {
  auto patch = json::parse(restartPatchBody("2026-11-23T12:00:00Z"));
  EXPECT_EQ(patch["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-11-23T12:00:00Z");
  EXPECT_EQ(patch.size(), 1u);
}

TEST(ReportSyncTest, EventsOnlyWhenDriftChanges) {
  EventDeduper dedup;
  WorkloadDrift w;
  w.ref = {"Deployment", "ns", "api"};
  w.driftedPods = 2;
  w.totalPods = 3;
  w.reasons.add(DriftReason::StaleTemplate);
  w.command = "kubectl -n ns rollout restart deployment/api";
  EXPECT_TRUE(dedup.shouldEmit(w, "h1"));
  EXPECT_FALSE(dedup.shouldEmit(w, "h1"));
  w.driftedPods = 3;
  EXPECT_TRUE(dedup.shouldEmit(w, "h1"));
  EXPECT_TRUE(dedup.shouldEmit(w, "h2"));
  EXPECT_FALSE(dedup.shouldEmit(w, "h2"));
  dedup.retain({});
  EXPECT_TRUE(dedup.shouldEmit(w, "h2"));  // a relapse after recovery is news
  EXPECT_EQ(eventMessage(w),
            "3/3 pods drifted from the current sidecar injection (StaleTemplate); restart: kubectl -n ns rollout "
            "restart deployment/api");
  w.reasons.add(DriftReason::InjectionWouldFail);
  EXPECT_NE(eventMessage(w).find("fix the injection error first"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::drift
