#include "controller/drift/report.h"

#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "drift_fixtures.h"

namespace sidecar::drift {
namespace {

using namespace testing;

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = compileOrDie();
    ASSERT_NE(config_, nullptr);
    tracker_.setConfig(config_, "cfg-hash-1");
    ASSERT_TRUE(tracker_.upsertObject(workload("StatefulSet", "shop", "db", "OnDelete")).has_value());
    ASSERT_TRUE(tracker_.upsertObject(pdb("shop", "db-pdb", json{{"matchLabels", {{"app", "db"}}}}, 1)).has_value());
    for (const char* name : {"db-0", "db-1"}) {
      ASSERT_TRUE(tracker_.upsertPod(PodBuilder("shop", name).owner("StatefulSet", "db").label("app", "db").injected("old"))
                      .has_value());
    }
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(tracker_
                      .upsertPod(PodBuilder("shop", "api-9-" + std::to_string(i))
                                     .owner("ReplicaSet", "api-9")
                                     .label("pod-template-hash", "9"))
                      .has_value());
    }
    ASSERT_TRUE(tracker_.upsertPod(PodBuilder("clean", "ok").injected(config_->version)).has_value());
    ASSERT_TRUE(tracker_.upsertPod(PodBuilder("batch", "job-1-a").owner("Job", "job-1").injected(config_->version, "x:1"))
                    .has_value());
    summary_ = summarize(tracker_);
  }

  inject::InjectionConfigPtr config_;
  DriftTracker tracker_;
  DriftSummary summary_;
};

TEST_F(ReportTest, Rfc3339) {
  EXPECT_EQ(formatRfc3339(std::chrono::system_clock::from_time_t(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339(std::chrono::system_clock::from_time_t(1795000000)), "2026-11-18T11:06:40Z");
}

TEST_F(ReportTest, OneReportPerDriftedNamespacePlusCluster) {
  auto reports = buildReports(summary_, "2026-11-23T11:00:00Z");
  ASSERT_EQ(reports.size(), 3u);  // batch, shop, cluster; "clean" has no drift
  EXPECT_EQ(reports[0]["metadata"]["name"], "batch");
  EXPECT_EQ(reports[1]["metadata"]["name"], "shop");
  EXPECT_EQ(reports[2]["metadata"]["name"], "cluster");
  for (const auto& r : reports) {
    EXPECT_EQ(r["apiVersion"], "sidecar.injector.dev/v1alpha1");
    EXPECT_EQ(r["kind"], "SidecarDriftReport");
    EXPECT_FALSE(r.contains("spec"));
    EXPECT_FALSE(r["metadata"].contains("namespace"));  // cluster-scoped
    EXPECT_EQ(r["status"]["configHash"], "cfg-hash-1");
    EXPECT_EQ(r["status"]["lastUpdated"], "2026-11-23T11:00:00Z");
  }

  const json& shop = reports[1]["status"];
  EXPECT_EQ(shop["namespace"], "shop");
  EXPECT_EQ(shop["driftedPods"], 5);
  EXPECT_EQ(shop["totalPods"], 5);
  EXPECT_EQ(shop["driftedWorkloads"], 2);
  EXPECT_EQ(shop["reasons"], (json{{"MissingSidecar", 3}, {"StaleTemplate", 2}}));
  EXPECT_EQ(shop["topReason"], "MissingSidecar");
  ASSERT_EQ(shop["workloads"].size(), 2u);

  const json& api = shop["workloads"][0];
  EXPECT_EQ(api["kind"], "Deployment");
  EXPECT_EQ(api["name"], "api");
  EXPECT_EQ(api["namespace"], "shop");
  EXPECT_EQ(api["driftedPods"], 3);
  EXPECT_EQ(api["totalPods"], 3);
  EXPECT_EQ(api["reasons"], json::array({"MissingSidecar"}));
  EXPECT_EQ(api["restartStrategy"], "RolloutRestart");
  EXPECT_EQ(api["command"], "kubectl -n shop rollout restart deployment/api");
  EXPECT_EQ(api["autoRestart"], false);
  EXPECT_FALSE(api.contains("pods"));
  EXPECT_FALSE(api.contains("pdb"));

  const json& db = shop["workloads"][1];
  EXPECT_EQ(db["restartStrategy"], "DeletePodsOneByOne");
  EXPECT_EQ(db["pods"], json::array({"db-1", "db-0"}));
  EXPECT_EQ(db["pdb"], (json{{"name", "db-pdb"}, {"allowedDisruptions", 1}}));

  const json& cluster = reports[2]["status"];
  EXPECT_EQ(cluster["namespace"], "");
  EXPECT_EQ(cluster["driftedPods"], 6);
  EXPECT_EQ(cluster["totalPods"], 7);
  EXPECT_EQ(cluster["driftedWorkloads"], 3);
  EXPECT_EQ(cluster["reasons"], (json{{"MissingSidecar", 3}, {"StaleTemplate", 2}, {"StaleProxyImage", 1}}));
  EXPECT_EQ(cluster["workloads"].size(), 3u);
  EXPECT_EQ(cluster["workloads"][2]["restartStrategy"], "None");
}

TEST_F(ReportTest, Metrics) {
  DriftMetrics m = driftMetrics(summary_);
  EXPECT_EQ((m.podsByNamespaceReason[{"shop", "MissingSidecar"}]), 3.0);
  EXPECT_EQ((m.podsByNamespaceReason[{"shop", "StaleTemplate"}]), 2.0);
  EXPECT_EQ((m.podsByNamespaceReason[{"batch", "StaleProxyImage"}]), 1.0);
  // Namespaces without drift still export zeros, so fixed series drop to 0.
  ASSERT_TRUE(m.podsByNamespaceReason.count({"clean", "MissingSidecar"}));
  EXPECT_EQ((m.podsByNamespaceReason[{"clean", "MissingSidecar"}]), 0.0);
  EXPECT_EQ(m.podsByNamespaceReason.size(), 3u * kReasonCount);
  EXPECT_EQ(m.workloadsNeedingRestart, 2.0);  // the Job is not
}

TEST_F(ReportTest, Table) {
  std::string table = renderTable(summary_.workloads);
  std::istringstream lines(table);
  std::string header;
  std::getline(lines, header);
  EXPECT_TRUE(std::regex_search(header, std::regex("^NAMESPACE +WORKLOAD +DRIFTED/TOTAL +REASONS +COMMAND$"))) << header;
  std::string first;
  std::getline(lines, first);
  EXPECT_TRUE(std::regex_search(
      first, std::regex("^shop +Deployment/api +3/3 +MissingSidecar +kubectl -n shop rollout restart deployment/api$")))
      << first;
  EXPECT_NE(table.find("Job/job-1"), std::string::npos);
  EXPECT_NE(table.find("next run"), std::string::npos);
}

TEST(ReasonTest, NamesRoundTrip) {
  for (DriftReason r : kAllReasons) {
    auto parsed = parseReason(reasonName(r));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_FALSE(parseReason("Nope").has_value());
}

}  // namespace
}  // namespace sidecar::drift
