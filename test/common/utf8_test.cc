#include "common/utf8.h"

#include <gtest/gtest.h>

namespace sidecar {
namespace {

TEST(Utf8Test, DecodesLikeGo) {
  size_t size = 0;
  EXPECT_EQ(decodeRune("a", 0, size), U'a');
  EXPECT_EQ(size, 1u);
  EXPECT_EQ(decodeRune("\xC3\xA9", 0, size), U'\u00E9');
  EXPECT_EQ(size, 2u);
  EXPECT_EQ(decodeRune("\xF0\x9F\x98\x80", 0, size), U'\U0001F600');
  EXPECT_EQ(size, 4u);
  // Invalid: overlong, surrogate, past U+10FFFF, truncated, stray continuation.
  for (std::string_view bad :
       {"\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\x80"}) {
    EXPECT_EQ(decodeRune(bad, 0, size), kReplacementRune) << bad.size();
    EXPECT_EQ(size, 1u);
    EXPECT_EQ(validRuneLength(bad, 0), 0u);
    EXPECT_FALSE(isValidUtf8(bad));
  }
}

TEST(Utf8Test, ALiteralReplacementCharacterIsValid) {
  EXPECT_EQ(validRuneLength("\xEF\xBF\xBD", 0), 3u);
  EXPECT_TRUE(isValidUtf8("x\xEF\xBF\xBDy"));
}

TEST(Utf8Test, RuneCountCountsEachInvalidByte) {
  EXPECT_EQ(runeCount("h\xC3\xA9llo"), 5u);
  EXPECT_EQ(runeCount("\xFF\xFE"), 2u);
  EXPECT_EQ(runeCount(""), 0u);
}

TEST(Utf8Test, AppendRuneReplacesWhatIsNotAScalarValue) {
  std::string out;
  appendRune(out, U'\u00E9');
  appendRune(out, 0xD800);
  appendRune(out, 0x110000);
  appendRune(out, U'\U0001F600');
  EXPECT_EQ(out, "\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace sidecar
