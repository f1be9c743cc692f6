#include "common/go_duration.h"

#include <gtest/gtest.h>

#include <limits>

namespace sidecar {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(GoDurationTest, FormatsLikeDurationString) {
  EXPECT_EQ(formatGoDuration(0), "0s");
  EXPECT_EQ(formatGoDuration(45 * kNanosPerSecond), "45s");
  EXPECT_EQ(formatGoDuration(60 * kNanosPerSecond), "1m0s");
  EXPECT_EQ(formatGoDuration(100 * kMs), "100ms");
  EXPECT_EQ(formatGoDuration(3723 * kNanosPerSecond + 500 * kMs), "1h2m3.5s");
  EXPECT_EQ(formatGoDuration(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(formatGoDuration(-2 * kNanosPerSecond), "-2s");
  EXPECT_EQ(formatGoDuration(std::numeric_limits<int64_t>::min()), "-2562047h47m16.854775808s");
}

TEST(GoDurationTest, ParsesLikeParseDuration) {
  EXPECT_EQ(*parseGoDuration("300ms"), 300 * kMs);
  EXPECT_EQ(*parseGoDuration("-1.5h"), -5400 * kNanosPerSecond);
  EXPECT_EQ(*parseGoDuration("2h45m"), 9900 * kNanosPerSecond);
  EXPECT_EQ(*parseGoDuration("1.5s"), 1500 * kMs);
  EXPECT_EQ(*parseGoDuration(".5s"), 500 * kMs);
  EXPECT_EQ(*parseGoDuration("0"), 0);
  EXPECT_EQ(*parseGoDuration("+5us"), 5000);
  EXPECT_EQ(*parseGoDuration("5\xC2\xB5s"), 5000);
  EXPECT_EQ(*parseGoDuration("5\xCE\xBCs"), 5000);
  EXPECT_EQ(*parseGoDuration("9223372036854775807ns"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*parseGoDuration("-9223372036854775808ns"), std::numeric_limits<int64_t>::min());
}

TEST(GoDurationTest, RejectsWhatGoRejects) {
  for (std::string_view bad :
       {"", "5", "s", "5d", ".s", "1..5s", "-", "9223372036854775808ns", "3000000h"}) {
    auto parsed = parseGoDuration(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
      EXPECT_NE(parsed.error().message.find("\"" + std::string(bad) + "\""), std::string::npos)
          << parsed.error().message;
    }
  }
  EXPECT_EQ(parseGoDuration("5d").error().message, "time: unknown unit \"d\" in duration \"5d\"");
  EXPECT_EQ(parseGoDuration("5").error().message, "time: missing unit in duration \"5\"");
}

TEST(GoDurationTest, ProtoJsonDurations) {
  EXPECT_EQ(*parseProtoDuration("45s"), 45 * kNanosPerSecond);
  EXPECT_EQ(*parseProtoDuration("0.100s"), 100 * kMs);
  EXPECT_EQ(*parseProtoDuration("-1.5s"), -1500 * kMs);
  EXPECT_FALSE(parseProtoDuration("1m"));
  EXPECT_FALSE(parseProtoDuration("1.0000000001s"));
  EXPECT_FALSE(parseProtoDuration("315576000001s"));
}

}  // namespace
}  // namespace sidecar
