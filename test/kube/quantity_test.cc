#include <limits>

#include <gtest/gtest.h>

#include "kube/quantity.h"

namespace sidecar::kube {
namespace {

struct CanonCase {
  std::string in;
  std::string canonical;
  int64_t milli;
  int64_t ceil;
};

void PrintTo(const CanonCase& c, std::ostream* os) { *os << c.in << " -> " << c.canonical; }

class QuantityCanonical : public ::testing::TestWithParam<CanonCase> {};

TEST_P(QuantityCanonical, MatchesGoString) {
  const auto& c = GetParam();
  auto q = Quantity::parse(c.in);
  ASSERT_TRUE(q) << c.in << ": " << q.error().message;
  EXPECT_EQ(q->toString(), c.canonical) << c.in;
  EXPECT_EQ(q->milliValue(), c.milli) << c.in;
  EXPECT_EQ(q->ceilValue(), c.ceil) << c.in;
}

INSTANTIATE_TEST_SUITE_P(
    Go, QuantityCanonical,
    ::testing::Values(CanonCase{"100m", "100m", 100, 1}, CanonCase{"2000m", "2", 2000, 2},
                      CanonCase{"1Gi", "1Gi", 1073741824000, 1073741824},
                      CanonCase{"1024Mi", "1Gi", 1073741824000, 1073741824},
                      CanonCase{"1000Mi", "1000Mi", 1048576000000, 1048576000},
                      CanonCase{"128Mi", "128Mi", 134217728000, 134217728}, CanonCase{"1.5", "1500m", 1500, 2},
                      CanonCase{"0.5", "500m", 500, 1}, CanonCase{"1e3", "1e3", 1000000, 1000},
                      CanonCase{"128974848", "128974848", 128974848000, 128974848},
                      CanonCase{"129e6", "129e6", 129000000000, 129000000}, CanonCase{"123Mi", "123Mi", 128974848000, 128974848},
                      CanonCase{"0", "0", 0, 0}, CanonCase{"0Mi", "0", 0, 0}, CanonCase{"1000", "1k", 1000000, 1000},
                      CanonCase{"10m", "10m", 10, 1}, CanonCase{"50Mi", "50Mi", 52428800000, 52428800},
                      CanonCase{"2", "2", 2000, 2}, CanonCase{"1.5Gi", "1536Mi", 1610612736000, 1610612736},
                      CanonCase{"512Ki", "512Ki", 524288000, 524288}, CanonCase{"0.5Ki", "512", 512000, 512},
                      CanonCase{"1000e0", "1e3", 1000000, 1000}, CanonCase{"1e-10", "1e-9", 1, 1}, CanonCase{"0.0000000001", "1n", 1, 1},
                      CanonCase{"-100m", "-100m", -100, 0}, CanonCase{" 1Gi ", "1Gi", 1073741824000, 1073741824},
                      CanonCase{"1.", "1.", 1000, 1}, CanonCase{"12.500", "12.500", 12500, 13},
                      CanonCase{"12.5000", "12500m", 12500, 13},
                      CanonCase{"16Ei", "9223372036854775807", std::numeric_limits<int64_t>::max(),
                                std::numeric_limits<int64_t>::max()},
                      CanonCase{"0.1234567891", "123456790n", 124, 1}));

// Found by formatters_fuzz: a modest value with a long nano-precise mantissa printed as text
// the parser then refused, so kube-inject could not read its own output back.
TEST(Quantity, WhatToStringPrintsParsesAgain) {
  for (const std::string text : {"99992.99999999999999999999999999E", "1.000000001E", "999999999999999999999999999999",
                                 "1234567890123456789012345.123456789"}) {
    auto q = Quantity::parse(text);
    ASSERT_TRUE(q) << text << ": " << q.error().message;
    const std::string printed = q->toString();
    auto again = Quantity::parse(printed);
    ASSERT_TRUE(again) << text << " -> " << printed << ": " << again.error().message;
    EXPECT_EQ(again->toString(), printed) << text;
  }
  EXPECT_EQ(Quantity::parse("99992.99999999999999999999999999E")->toString(), "99992999999999999999999999999990n");
  // Found next: digits and an exponent for the same value must meet the same bound.
  auto digits = Quantity::parse("000500090000000000000000000000000000");
  ASSERT_TRUE(digits);
  auto exponent = Quantity::parse(digits->toString());
  ASSERT_TRUE(exponent) << digits->toString() << ": " << exponent.error().message;
  EXPECT_EQ(exponent->toString(), digits->toString());
  // Still bounded: a mantissa toString() could not print back is an error, not an overflow.
  EXPECT_FALSE(Quantity::parse("123456789012345678901234567890123456789"));
  EXPECT_FALSE(Quantity::parse("1e40"));
}

TEST(Quantity, Errors) {
  for (const std::string bad : {"", "abc", "1.2.3", "1Zi", "1e", "--1", "1 Gi", "1GiB", "1e+"}) {
    auto q = Quantity::parse(bad);
    EXPECT_FALSE(q) << "'" << bad << "' parsed as " << (q ? q->toString() : "");
  }
  auto q = Quantity::parse("1iK");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().message, "unable to parse quantity's suffix");
  auto r = Quantity::parse("x1");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("regular expression"), std::string::npos);
}

TEST(Quantity, Format) {
  EXPECT_EQ(Quantity::parse("1Mi")->format(), Quantity::Format::BinarySI);
  EXPECT_EQ(Quantity::parse("1M")->format(), Quantity::Format::DecimalSI);
  EXPECT_EQ(Quantity::parse("1e6")->format(), Quantity::Format::DecimalExponent);
}

}  // namespace
}  // namespace sidecar::kube
