#include <gtest/gtest.h>

#include "webhook/log.h"
#include "webhook/metrics.h"

namespace sidecar::webhook {
namespace {

TEST(Metrics, ReasonLabelsAreBounded) {
  Metrics metrics;
  for (int i = 0; i < 100; ++i) {
    metrics.injectionSkipped("reason_" + std::to_string(i));
  }
  const std::string text = metrics.serialize();
  size_t series = 0;
  for (size_t pos = 0; (pos = text.find("sidecar_injection_skip_total{", pos)) != std::string::npos; ++pos) {
    ++series;
  }
  EXPECT_EQ(series, Metrics::kMaxReasons + 1);  // the kept reasons plus "other"
  EXPECT_NE(text.find("sidecar_injection_skip_total{reason=\"other\"} " +
                      std::to_string(100 - Metrics::kMaxReasons)),
            std::string::npos);
}

TEST(Metrics, ReasonCharactersAreSanitized) {
  Metrics metrics;
  metrics.injectionFailed("bad \"reason\"\n");
  EXPECT_NE(metrics.serialize().find("reason=\"bad__reason__\""), std::string::npos);
}

TEST(Metrics, HistogramUsesInjectionBuckets) {
  Metrics metrics;
  metrics.observeInjectionTime(std::chrono::microseconds(70));
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find("sidecar_injection_time_seconds_bucket{le=\"5e-05\"} 0"), std::string::npos);
  EXPECT_NE(text.find("sidecar_injection_time_seconds_bucket{le=\"0.0001\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sidecar_injection_time_seconds_bucket{le=\"10\"} 1"), std::string::npos);
  EXPECT_NE(text.find("sidecar_injection_time_seconds_count 1"), std::string::npos);
}

TEST(Metrics, HooksRegisterFamiliesAndRejectBadNames) {
  Metrics metrics;
  auto gauge = metrics.addGauge("sidecar_config_generation", "Config generation in use");
  ASSERT_TRUE(gauge) << gauge.error().message;
  gauge->get().Add({}).Set(7);
  auto again = metrics.addGauge("sidecar_config_generation", "Config generation in use");
  ASSERT_TRUE(again);
  EXPECT_EQ(&again->get(), &gauge->get());
  auto counter = metrics.addCounter("sidecar_config_reloads_total", "Reloads");
  ASSERT_TRUE(counter);
  counter->get().Add({{"result", "success"}}).Increment();
  EXPECT_NE(metrics.serialize().find("sidecar_config_generation 7"), std::string::npos);
  EXPECT_NE(metrics.serialize().find("sidecar_config_reloads_total{result=\"success\"} 1"),
            std::string::npos);
  auto bad = metrics.addCounter("9 not a name", "x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("9 not a name"), std::string::npos);
}

class LoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logger_.setSink([this](std::string_view line) { lines_.emplace_back(line); });
  }
  Logger logger_;
  std::vector<std::string> lines_;
};

TEST_F(LoggerTest, DefaultIsInfo) {
  logger_.log("webhook", LogLevel::Debug, "hidden");
  logger_.log("webhook", LogLevel::Info, "shown");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("\tinfo\twebhook\tshown\n"), std::string::npos);
  EXPECT_EQ(lines_[0][4], '-');  // ISO-8601 timestamp first
  EXPECT_EQ(lines_[0].back(), '\n');
}

TEST_F(LoggerTest, IstioSpecSetsScopesAndDefault) {
  ASSERT_TRUE(logger_.configure("default:warn,webhook:debug"));
  EXPECT_TRUE(logger_.enabled("webhook", LogLevel::Debug));
  EXPECT_FALSE(logger_.enabled("model", LogLevel::Info));
  EXPECT_TRUE(logger_.enabled("model", LogLevel::Warn));
  ASSERT_TRUE(logger_.configure("none"));
  EXPECT_FALSE(logger_.enabled("model", LogLevel::Error));
  EXPECT_TRUE(logger_.enabled("webhook", LogLevel::Debug));
}

TEST_F(LoggerTest, BadSpecIsRejectedWithoutChanges) {
  auto result = logger_.configure("default:debug,webhook:loud");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("webhook:loud"), std::string::npos);
  EXPECT_NE(result.error().message.find("unknown log level \"loud\""), std::string::npos);
  EXPECT_FALSE(logger_.enabled("webhook", LogLevel::Debug));
  EXPECT_FALSE(logger_.configure(":debug"));
}

}  // namespace
}  // namespace sidecar::webhook
