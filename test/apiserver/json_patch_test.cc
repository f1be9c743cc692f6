#include "test/apiserver/json_patch.h"

#include <gtest/gtest.h>

namespace sidecar::testapi {
namespace {

using nlohmann::json;

json pod() {
  return json::parse(R"({"metadata":{"name":"p","annotations":{"a/b":"1","c~d":"2"}},
                         "spec":{"containers":[{"name":"app"}],"volumes":[]}})");
}

TEST(JsonPatch, AddAppendsInsertsAndCreatesMembers) {
  auto out = applyJsonPatch(pod(), json::parse(R"([
      {"op":"add","path":"/spec/containers/-","value":{"name":"istio-proxy"}},
      {"op":"add","path":"/spec/containers/0","value":{"name":"first"}},
      {"op":"add","path":"/spec/initContainers","value":[{"name":"init"}]},
      {"op":"add","path":"/metadata/labels","value":{"x":"y"}}])"));
  ASSERT_TRUE(out) << out.error().message;
  const json& c = (*out)["spec"]["containers"];
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0]["name"], "first");
  EXPECT_EQ(c[1]["name"], "app");
  EXPECT_EQ(c[2]["name"], "istio-proxy");
  EXPECT_EQ((*out)["spec"]["initContainers"][0]["name"], "init");
  EXPECT_EQ((*out)["metadata"]["labels"]["x"], "y");
}

TEST(JsonPatch, EscapedPointersReachKeysWithSlashAndTilde) {
  auto out = applyJsonPatch(pod(), json::parse(R"([
      {"op":"replace","path":"/metadata/annotations/a~1b","value":"10"},
      {"op":"remove","path":"/metadata/annotations/c~0d"},
      {"op":"add","path":"/metadata/annotations/sidecar.istio.io~1status","value":"{}"}])"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ((*out)["metadata"]["annotations"],
            json::parse(R"({"a/b":"10","sidecar.istio.io/status":"{}"})"));
}

TEST(JsonPatch, MoveCopyAndTest) {
  auto out = applyJsonPatch(pod(), json::parse(R"([
      {"op":"test","path":"/metadata/name","value":"p"},
      {"op":"copy","from":"/spec/containers/0","path":"/spec/containers/-"},
      {"op":"move","from":"/metadata/annotations","path":"/metadata/labels"},
      {"op":"replace","path":"","value":{"moved":true}},
      {"op":"add","path":"/again","value":1}])"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, json::parse(R"({"moved":true,"again":1})"));

  auto moved = applyJsonPatch(pod(), json::parse(R"([{"op":"move","from":"/spec/containers/0","path":"/spec/volumes/0"}])"));
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_TRUE((*moved)["spec"]["containers"].empty());
  EXPECT_EQ((*moved)["spec"]["volumes"][0]["name"], "app");
}

struct BadPatch {
  const char* patch;
  const char* message;
};

class JsonPatchErrors : public ::testing::TestWithParam<BadPatch> {};

TEST_P(JsonPatchErrors, NameTheOperationAndLeaveTheDocumentAlone) {
  const json before = pod();
  auto out = applyJsonPatch(before, json::parse(GetParam().patch));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find(GetParam().message), std::string::npos) << out.error().message;
  EXPECT_EQ(before, pod());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonPatchErrors,
    ::testing::Values(
        BadPatch{R"({"op":"add"})", "must be an array"},
        BadPatch{R"([{"op":"remove","path":"/spec/missing"}])", "operation 0 (remove /spec/missing): path does not exist"},
        BadPatch{R"([{"op":"add","path":"/spec/containers/-","value":1},{"op":"replace","path":"/nope","value":1}])",
                 "operation 1 (replace /nope)"},
        BadPatch{R"([{"op":"add","path":"/spec/containers/5","value":1}])", "out of range"},
        BadPatch{R"([{"op":"add","path":"/spec/containers/01","value":1}])", "out of range"},
        BadPatch{R"([{"op":"add","path":"/a/b/c","value":1}])", "parent path does not exist"},
        BadPatch{R"([{"op":"test","path":"/metadata/name","value":"q"}])", "test failed"},
        BadPatch{R"([{"op":"add","path":"spec","value":1}])", "must start with '/'"},
        BadPatch{R"([{"op":"add","path":"/metadata/~2","value":1}])", "'~' must be followed by 0 or 1"},
        BadPatch{R"([{"op":"add","path":"/x"}])", "missing field \"value\""},
        BadPatch{R"([{"path":"/x"}])", "missing string field \"op\""},
        BadPatch{R"([{"op":"frobnicate","path":"/x"}])", "unknown op \"frobnicate\""},
        BadPatch{R"([{"op":"move","from":"/spec","path":"/spec/containers/0"}])", "its own children"},
        BadPatch{R"([{"op":"copy","from":"/nope","path":"/x"}])", "from path does not exist"},
        BadPatch{R"([{"op":"remove","path":""}])", "whole document"}));

}  // namespace
}  // namespace sidecar::testapi
