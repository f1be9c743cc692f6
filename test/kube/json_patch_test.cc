#include <gtest/gtest.h>

#include "kube/json_patch.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

json apply(const std::string& doc, const std::string& patch) {
  auto r = applyPatch(json::parse(doc), json::parse(patch));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : json();
}

std::string applyError(const std::string& doc, const std::string& patch) {
  auto r = applyPatch(json::parse(doc), json::parse(patch));
  EXPECT_FALSE(r);
  return r ? "" : r.error().message;
}

TEST(JsonPatch, Add) {
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"add","path":"/b","value":2}])"), json::parse(R"({"a":1,"b":2})"));
  EXPECT_EQ(apply(R"({"l":[1,3]})", R"([{"op":"add","path":"/l/1","value":2}])"), json::parse(R"({"l":[1,2,3]})"));
  EXPECT_EQ(apply(R"({"l":[1]})", R"([{"op":"add","path":"/l/-","value":2}])"), json::parse(R"({"l":[1,2]})"));
  EXPECT_EQ(apply(R"({"l":[1]})", R"([{"op":"add","path":"/l/1","value":2}])"), json::parse(R"({"l":[1,2]})"));
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"add","path":"/a","value":5}])"), json::parse(R"({"a":5})"));
  EXPECT_EQ(apply(R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])"), json::parse(R"([1])"));
}

TEST(JsonPatch, EscapedTokens) {
  EXPECT_EQ(escapePointerToken("sidecar.istio.io/status"), "sidecar.istio.io~1status");
  EXPECT_EQ(escapePointerToken("a~b/c"), "a~0b~1c");
  EXPECT_EQ(apply(R"({"m":{}})", R"([{"op":"add","path":"/m/a~1b~0c","value":1}])"),
            json::parse(R"({"m":{"a/b~c":1}})"));
}

TEST(JsonPatch, RemoveReplaceMoveCopyTest) {
  EXPECT_EQ(apply(R"({"l":[1,2,3]})", R"([{"op":"remove","path":"/l/1"}])"), json::parse(R"({"l":[1,3]})"));
  EXPECT_EQ(apply(R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])"), json::parse(R"({"b":2})"));
  EXPECT_EQ(apply(R"({"a":{"b":1}})", R"([{"op":"replace","path":"/a/b","value":[]}])"),
            json::parse(R"({"a":{"b":[]}})"));
  EXPECT_EQ(apply(R"({"a":{"b":1},"c":{}})", R"([{"op":"move","from":"/a/b","path":"/c/d"}])"),
            json::parse(R"({"a":{},"c":{"d":1}})"));
  EXPECT_EQ(apply(R"({"a":[1,2]})", R"([{"op":"copy","from":"/a/0","path":"/a/-"}])"), json::parse(R"({"a":[1,2,1]})"));
  EXPECT_EQ(apply(R"({"a":"x"})", R"([{"op":"test","path":"/a","value":"x"},{"op":"add","path":"/b","value":1}])"),
            json::parse(R"({"a":"x","b":1})"));
}

TEST(JsonPatch, RemovalsFromTheHighestIndexDown) {
  EXPECT_EQ(apply(R"({"l":[0,1,2,3]})", R"([{"op":"remove","path":"/l/3"},{"op":"remove","path":"/l/1"}])"),
            json::parse(R"({"l":[0,2]})"));
}

TEST(JsonPatch, ErrorsNameOpIndexAndPath) {
  const std::string e1 = applyError(R"({"l":[1]})", R"([{"op":"add","path":"/x","value":1},{"op":"remove","path":"/l/5"}])");
  EXPECT_NE(e1.find("patch op 1 (remove /l/5)"), std::string::npos) << e1;
  EXPECT_NE(e1.find("out of range"), std::string::npos) << e1;
  const std::string e2 = applyError(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])");
  EXPECT_NE(e2.find("test failed"), std::string::npos) << e2;
  const std::string e3 = applyError(R"({})", R"([{"op":"add","path":"/a/b","value":1}])");
  EXPECT_NE(e3.find("'a' not found"), std::string::npos) << e3;
  EXPECT_NE(applyError(R"({})", R"([{"op":"frobnicate","path":"/a"}])").find("unknown op"), std::string::npos);
  EXPECT_NE(applyError(R"({})", R"([{"op":"add","path":"/a"}])").find("missing 'value'"), std::string::npos);
  EXPECT_NE(applyError(R"({"l":[]})", R"([{"op":"add","path":"/l/01","value":1}])").find("invalid array index"),
            std::string::npos);
  EXPECT_NE(applyError(R"({"a":{}})", R"([{"op":"move","from":"/a","path":"/a/b"}])").find("children"),
            std::string::npos);
  EXPECT_NE(applyError(R"({})", R"([{"op":"add","path":"a","value":1}])").find("start with '/'"), std::string::npos);
  auto notArray = applyPatch(json::object(), json::object());
  EXPECT_FALSE(notArray);
}

// Cases the test API server's own copy covered before it switched to this one.
TEST(JsonPatch, MoreErrorsTheApiServerReports) {
  EXPECT_NE(
      applyError(R"({})", R"([{"op":"add","path":"/m/~2","value":1}])").find("invalid escape"),
      std::string::npos);
  EXPECT_NE(applyError(R"({})", R"([{"path":"/x"}])").find("missing 'op'"), std::string::npos);
  EXPECT_NE(
      applyError(R"({})", R"([{"op":"copy","from":"/nope","path":"/x"}])").find("'nope' not found"),
      std::string::npos);
  EXPECT_NE(applyError(R"({"a":1})", R"([{"op":"remove","path":""}])").find("whole document"),
            std::string::npos);
  EXPECT_NE(
      applyError(R"({"l":[]})", R"([{"op":"add","path":"/l/5","value":1}])").find("out of range"),
      std::string::npos);
  EXPECT_NE(applyError(R"({})", R"([{"op":"replace","path":"/nope","value":1}])")
                .find("'nope' not found"),
            std::string::npos);
}

TEST(JsonPatch, MoveOntoItselfAndReplaceOfTheRoot) {
  EXPECT_EQ(apply(R"({"a":{"b":1}})", R"([{"op":"move","from":"/a","path":"/a"}])"),
            json::parse(R"({"a":{"b":1}})"));
  EXPECT_EQ(
      apply(
          R"({"a":1})",
          R"([{"op":"replace","path":"","value":{"moved":true}},{"op":"add","path":"/again","value":1}])"),
      json::parse(R"({"moved":true,"again":1})"));
}

TEST(JsonPatch, FailedPatchLeavesInputUntouched) {
  const json doc = json::parse(R"({"a":1})");
  auto r = applyPatch(doc, json::parse(R"([{"op":"add","path":"/b","value":2},{"op":"remove","path":"/zz"}])"));
  EXPECT_FALSE(r);
  EXPECT_EQ(doc, json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace sidecar::kube
