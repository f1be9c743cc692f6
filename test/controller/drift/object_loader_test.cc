#include "controller/drift/object_loader.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "controller/drift/workload_summary.h"
#include "drift_fixtures.h"

namespace sidecar::drift {
namespace {

using namespace testing;

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(DRIFT_TESTDATA) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ObjectLoaderTest, KubectlListsOfEveryKind) {
  DriftTracker tracker;
  auto config = inject::compileConfig(readFixture("inject-config.yaml"), "", readFixture("values.yaml"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  tracker.setConfig(*config);
  auto mwc = loadObjectsText(tracker, readFixture("mwc.yaml"), "mwc.yaml");
  ASSERT_TRUE(mwc.has_value()) << mwc.error().message;
  auto workloads = loadObjectsText(tracker, readFixture("workloads.json"), "workloads.json");
  ASSERT_TRUE(workloads.has_value()) << workloads.error().message;
  EXPECT_EQ(workloads->others, 3u);
  EXPECT_EQ(workloads->ignored, 1u);  // the ConfigMap
  for (const char* f : {"namespaces.json", "replicasets.json"}) {
    auto loaded = loadObjectsText(tracker, readFixture(f), f);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  }
  auto pods = loadObjectsText(tracker, readFixture("pods.json"), "pods.json");
  ASSERT_TRUE(pods.has_value()) << pods.error().message;
  EXPECT_EQ(pods->pods, 11u);

  DriftSummary s = summarize(tracker);
  EXPECT_EQ(s.totalPods, 11);
  EXPECT_EQ(s.driftedPods, 9);
  ASSERT_EQ(s.workloads.size(), 6u);
  EXPECT_EQ(s.workloads[0].ref, (WorkloadRef{"StatefulSet", "shop", "db"}));
  // legacy is not labelled for injection: its sidecar is unexpected.
  EXPECT_TRUE(tracker.find("legacy", "web-9-a")->reasons.has(DriftReason::UnexpectedSidecar));
}

TEST(ObjectLoaderTest, ErrorsNameSourceAndItem) {
  DriftTracker tracker;
  auto bad = loadObjectsText(tracker, R"({"kind":"List","items":[{"kind":"Namespace","metadata":{"name":"a"}},{"kind":"Pod","metadata":{"namespace":"x"}}]})",
                             "pods.json");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("pods.json: items[1]"), std::string::npos) << bad.error().message;
  auto notList = loadObjectsText(tracker, R"({"items": 4})", "x.json");
  ASSERT_FALSE(notList.has_value());
  EXPECT_NE(notList.error().message.find("items"), std::string::npos);
  auto garbage = loadObjectsText(tracker, "a: [b\n", "g.yaml");
  ASSERT_FALSE(garbage.has_value());
  EXPECT_NE(garbage.error().message.find("g.yaml"), std::string::npos);
  // Items without kind take the default.
  auto defaulted = loadObjectsText(tracker, R"({"items":[{"metadata":{"name":"p","namespace":"n"}}]})", "p.json", "Pod");
  ASSERT_TRUE(defaulted.has_value()) << defaulted.error().message;
  EXPECT_EQ(defaulted->pods, 1u);
}

}  // namespace
}  // namespace sidecar::drift
