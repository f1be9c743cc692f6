#include "controller/drift/impact_preview.h"

#include <gtest/gtest.h>

#include "drift_fixtures.h"

namespace sidecar::drift {
namespace {

using namespace testing;

// The same cluster under two configs, as `drift --proposed` builds it.
class ImpactPreviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    current_ = compileOrDie();
    ASSERT_NE(current_, nullptr);
    pods_ = {
        PodBuilder("shop", "api-1-a").owner("ReplicaSet", "api-1").label("pod-template-hash", "1").injected(current_->version),
        PodBuilder("shop", "api-1-b").owner("ReplicaSet", "api-1").label("pod-template-hash", "1").injected(current_->version),
        PodBuilder("shop", "legacy").annotation("sidecar.istio.io/inject", "false"),
        PodBuilder("shop", "stale").injected("old"),
        PodBuilder("ops", "tool").injected(current_->version),
    };
  }
  DriftSummary under(const inject::InjectionConfigPtr& config) {
    DriftTracker t;
    t.setConfig(config);
    for (const auto& p : pods_) {
      EXPECT_TRUE(t.upsertPod(p).has_value());
    }
    return summarize(t);
  }

  inject::InjectionConfigPtr current_;
  std::vector<json> pods_;
};

TEST_F(ImpactPreviewTest, ImageUpgradeDriftsEveryInjectedWorkload) {
  auto proposed = compileOrDie(kInjectConfig, kUpgradedValues);
  auto impact = previewImpact(under(current_), under(proposed));
  ASSERT_EQ(impact.size(), 3u);
  EXPECT_EQ(impact[0].proposed.ref.name, "api");
  EXPECT_EQ(impact[0].driftedNow, 0);
  EXPECT_EQ(impact[0].proposed.driftedPods, 2);
  EXPECT_EQ(impact[0].newReasons.list(), std::vector<DriftReason>{DriftReason::StaleProxyImage});
  EXPECT_EQ(impact[0].proposed.command, "kubectl -n shop rollout restart deployment/api");
  EXPECT_EQ(impact[1].proposed.ref.name, "tool");
  // Already stale today, and the proposal adds the image reason.
  EXPECT_EQ(impact[2].proposed.ref.name, "stale");
  EXPECT_EQ(impact[2].driftedNow, 1);
  EXPECT_TRUE(impact[2].reasonsNow.has(DriftReason::StaleTemplate));
  EXPECT_EQ(impact[2].newReasons.list(), std::vector<DriftReason>{DriftReason::StaleProxyImage});
  std::string table = renderImpactTable(impact);
  EXPECT_NE(table.find("Deployment/api"), std::string::npos);
  EXPECT_NE(table.find("0->2/2"), std::string::npos) << table;
  EXPECT_EQ(table.find("legacy"), std::string::npos);
}

TEST_F(ImpactPreviewTest, IdenticalConfigDriftsNothingNew) {
  auto same = compileOrDie();
  EXPECT_TRUE(previewImpact(under(current_), under(same)).empty());
}

TEST_F(ImpactPreviewTest, NeverInjectSelectorMakesSidecarsUnexpected) {
  std::string text = std::string("neverInjectSelector:\n- matchLabels:\n    pod-template-hash: \"1\"\n") + kInjectConfig;
  auto proposed = compileOrDie(text);
  auto impact = previewImpact(under(current_), under(proposed));
  ASSERT_EQ(impact.size(), 1u);
  EXPECT_EQ(impact[0].proposed.ref.name, "api");
  EXPECT_EQ(impact[0].newReasons.list(), std::vector<DriftReason>{DriftReason::UnexpectedSidecar});
}

}  // namespace
}  // namespace sidecar::drift
