#include "common/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sidecar {
namespace {

class ScopedLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    logger_.setSink([this](std::string_view line) { lines_.emplace_back(line); });
  }
  Logger logger_;
  std::vector<std::string> lines_;
};

TEST_F(ScopedLoggerTest, WritesUnderItsScopeAtItsScopesLevel) {
  ASSERT_TRUE(logger_.configure("default:warn,reflector:debug"));
  const ScopedLogger reflector("reflector", logger_);
  const ScopedLogger election("leader-election", logger_);
  reflector.debug("watch resumed");
  election.info("hidden: default is warn");
  election.warn("lease is not an object");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_NE(lines_[0].find("\tdebug\treflector\twatch resumed\n"), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[1].find("\twarn\tleader-election\tlease is not an object\n"), std::string::npos)
      << lines_[1];
}

TEST_F(ScopedLoggerTest, LazyMessagesAreBuiltOnlyWhenEnabled) {
  const ScopedLogger log("drift", logger_);
  int built = 0;
  log.lazy(LogLevel::Debug, [&] {
    ++built;
    return std::string("expensive");
  });
  EXPECT_EQ(built, 0);
  logger_.setLevel("drift", LogLevel::Debug);
  log.lazy(LogLevel::Debug, [&] {
    ++built;
    return std::string("expensive");
  });
  EXPECT_EQ(built, 1);
  EXPECT_EQ(lines_.size(), 1u);
}

TEST_F(ScopedLoggerTest, BadLevelsAreInvalidArgument) {
  auto bad = logger_.configure("webhook:loud");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(bad.error().message.find("loud"), std::string::npos);
}

}  // namespace
}  // namespace sidecar
