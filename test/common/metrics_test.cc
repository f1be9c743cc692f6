#include "common/metrics.h"

#include <gtest/gtest.h>

namespace sidecar {
namespace {

TEST(MetricsRegistryTest, ComponentsShareOneRegistry) {
  auto registry = std::make_shared<MetricsRegistry>();
  // Two components, each registering its own family into the injected registry.
  auto generation =
      registry->addGauge("sidecar_injector_config_generation", "Config generation in use");
  auto drifted = registry->addGauge("sidecar_drift_pods", "Pods by drift reason");
  ASSERT_TRUE(generation) << generation.error().message;
  ASSERT_TRUE(drifted) << drifted.error().message;
  generation->get().Add({}).Set(3);
  drifted->get().Add({{"reason", "MissingSidecar"}}).Set(2);
  const std::string text = registry->serialize();
  EXPECT_NE(text.find("sidecar_injector_config_generation 3"), std::string::npos) << text;
  EXPECT_NE(text.find("sidecar_drift_pods{reason=\"MissingSidecar\"} 2"), std::string::npos)
      << text;
}

TEST(MetricsRegistryTest, SameNameSameTypeIsTheSameFamilyOtherwiseAnError) {
  MetricsRegistry registry;
  auto a = registry.addCounter("sidecar_reloads_total", "Reloads");
  auto b = registry.addCounter("sidecar_reloads_total", "Reloads");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(&a->get(), &b->get());
  auto clash = registry.addGauge("sidecar_reloads_total", "Reloads");
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::InvalidArgument);
  auto bad = registry.addHistogram("9 not a name", "x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("9 not a name"), std::string::npos);
}

}  // namespace
}  // namespace sidecar
