#include "common/go_format.h"

#include <gtest/gtest.h>

namespace sidecar {
namespace {

std::string goFloat(double v, char fmt, int prec, int bitSize) {
  std::string out;
  appendGoFloat(out, v, fmt, prec, bitSize);
  return out;
}

// Expected texts are what Go's strconv.FormatFloat prints for the same arguments.
TEST(GoFormatTest, ShortestForms) {
  EXPECT_EQ(formatGoFloat(1e6), "1e+06");
  EXPECT_EQ(formatGoFloat(123456.0), "123456");
  EXPECT_EQ(formatGoFloat(static_cast<float>(0.1)), "0.10000000149011612");
  EXPECT_EQ(formatGoFloat(static_cast<float>(0.1), 32), "0.1");
  EXPECT_EQ(goFloat(0.1, 'e', -1, 32), "1e-01");
  EXPECT_EQ(goFloat(1234.5, 'f', -1, 64), "1234.5");
}

TEST(GoFormatTest, Precision) {
  EXPECT_EQ(goFloat(0.1, 'f', 3, 32), "0.100");
  EXPECT_EQ(goFloat(2.0 / 3, 'e', 2, 64), "6.67e-01");
  EXPECT_EQ(goFloat(2.0 / 3, 'g', 3, 64), "0.667");
  EXPECT_EQ(goFloat(1e21, 'G', 2, 64), "1E+21");
}

TEST(GoFormatTest, BinaryAndHexUseTheFloatWidth) {
  EXPECT_EQ(goFloat(1.5, 'b', -1, 64), "6755399441055744p-52");
  EXPECT_EQ(goFloat(1.5, 'b', -1, 32), "12582912p-23");
  EXPECT_EQ(goFloat(1.0, 'x', -1, 64), "0x1p+00");
  EXPECT_EQ(goFloat(1.0, 'x', -1, 32), "0x1p+00");
  EXPECT_EQ(goFloat(-3.0, 'X', 2, 64), "-0X1.80P+01");
}

TEST(GoFormatTest, NarrowingToFloat32) {
  EXPECT_EQ(formatGoFloat(1e40, 32), "+Inf");
  EXPECT_EQ(goFloat(1e40, 'e', 3, 32), "+Inf");
  EXPECT_EQ(formatGoFloat(-1e-50, 32), "-0");
}

TEST(GoFormatTest, EncodingJsonFloats) {
  EXPECT_EQ(formatJsonFloat(0.5), "0.5");
  EXPECT_EQ(formatJsonFloat(1000), "1000");
  EXPECT_EQ(formatJsonFloat(1e-7), "1e-7");
  EXPECT_EQ(formatJsonFloat(1e21), "1e+21");
  EXPECT_EQ(formatJsonFloat(123456789e-15), "1.23456789e-7");
}

}  // namespace
}  // namespace sidecar
