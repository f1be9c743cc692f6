// Gauge publishing: values land on the right series, and series that disappear from the
// metrics are removed rather than left stale.

#include "controller/drift/drift_gauges.h"

#include <gtest/gtest.h>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace sidecar::drift {
namespace {

class DriftGaugesTest : public ::testing::Test {
 protected:
  std::string exposition() {
    prometheus::TextSerializer s;
    return s.Serialize(registry_.Collect());
  }

  prometheus::Registry registry_;
  prometheus::Family<prometheus::Gauge>& pods_ =
      prometheus::BuildGauge().Name("sidecar_drift_pods").Help("h").Register(registry_);
  prometheus::Gauge& restart_ = prometheus::BuildGauge()
                                    .Name("sidecar_drift_workloads_needing_restart")
                                    .Help("h")
                                    .Register(registry_)
                                    .Add({});
  DriftGauges gauges_{pods_, restart_};
};

TEST_F(DriftGaugesTest, PublishesAndRemovesSeries) {
  DriftMetrics m;
  m.podsByNamespaceReason[{"shop", "MissingSidecar"}] = 3;
  m.podsByNamespaceReason[{"web", "StaleTemplate"}] = 1;
  m.workloadsNeedingRestart = 2;
  gauges_.publish(m);
  std::string text = exposition();
  EXPECT_NE(text.find("sidecar_drift_pods{namespace=\"shop\",reason=\"MissingSidecar\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("sidecar_drift_pods{namespace=\"web\",reason=\"StaleTemplate\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sidecar_drift_workloads_needing_restart 2"), std::string::npos);

  // "web" lost its pods; shop's count changed.
  m.podsByNamespaceReason.erase({"web", "StaleTemplate"});
  m.podsByNamespaceReason[{"shop", "MissingSidecar"}] = 1;
  m.workloadsNeedingRestart = 1;
  gauges_.publish(m);
  text = exposition();
  EXPECT_EQ(text.find("namespace=\"web\""), std::string::npos) << text;
  EXPECT_NE(text.find("sidecar_drift_pods{namespace=\"shop\",reason=\"MissingSidecar\"} 1"), std::string::npos);

  // A replica that stops leading withdraws everything.
  gauges_.publish(DriftMetrics{});
  text = exposition();
  EXPECT_EQ(text.find("sidecar_drift_pods{"), std::string::npos) << text;
  EXPECT_NE(text.find("sidecar_drift_workloads_needing_restart 0"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::drift
