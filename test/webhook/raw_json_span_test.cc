#include "webhook/raw_json_span.h"

#include <gtest/gtest.h>

namespace sidecar::webhook {
namespace {

TEST(RawJsonSpan, FindsNestedMemberVerbatim) {
  const std::string doc = R"( { "a" : 1, "request" : { "x": [1, {"object": 0}], "object" : { "k" : "v" } } })";
  auto span = rawMemberSpan(doc, {"request", "object"});
  ASSERT_TRUE(span);
  EXPECT_EQ(*span, R"({ "k" : "v" })");
}

TEST(RawJsonSpan, SkipsStringsWithBracesQuotesAndBackslashes) {
  const std::string doc =
      R"({"request":{"s":"}{][\"\\","t":"\\\\","object":{"v":"a\"}b"},"u":1}})";
  auto span = rawMemberSpan(doc, {"request", "object"});
  ASSERT_TRUE(span);
  EXPECT_EQ(*span, R"({"v":"a\"}b"})");
}

TEST(RawJsonSpan, FirstDuplicateWins) {
  const std::string doc = R"({"request":{"object":{"n":1},"object":{"n":2}}})";
  EXPECT_EQ(*rawMemberSpan(doc, {"request", "object"}), R"({"n":1})");
}

TEST(RawJsonSpan, ScalarsAndMissingMembers) {
  const std::string doc = R"({"request":{"object":"x","n":-1.5e3,"t":true}})";
  EXPECT_EQ(*rawMemberSpan(doc, {"request", "object"}), "\"x\"");
  EXPECT_EQ(*rawMemberSpan(doc, {"request", "n"}), "-1.5e3");
  EXPECT_EQ(*rawMemberSpan(doc, {"request", "t"}), "true");
  EXPECT_FALSE(rawMemberSpan(doc, {"request", "missing"}));
  EXPECT_FALSE(rawMemberSpan(doc, {"nope", "object"}));
  EXPECT_FALSE(rawMemberSpan(R"({"request":5})", {"request", "object"}));
  EXPECT_FALSE(rawMemberSpan(R"({})", {"request"}));
  EXPECT_FALSE(rawMemberSpan("", {"request"}));
}

TEST(RawJsonSpan, EscapedKeyBeforeMatchGivesUp) {
  EXPECT_FALSE(rawMemberSpan(R"({"req\u0075est":{},"request":{"object":{}}})", {"request", "object"}));
  // After the match it is irrelevant.
  EXPECT_EQ(*rawMemberSpan(R"({"request":{"object":{}},"\u0041":1})", {"request", "object"}), "{}");
}

TEST(RawJsonSpan, TruncatedInputDoesNotOverrun) {
  EXPECT_FALSE(rawMemberSpan(R"({"request":{"object":{"a":"b)", {"request", "object"}));
  EXPECT_FALSE(rawMemberSpan(R"({"request":{"object":[[[)", {"request", "object"}));
  EXPECT_FALSE(rawMemberSpan(R"({"request)", {"request"}));
}

}  // namespace
}  // namespace sidecar::webhook
