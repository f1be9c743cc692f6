#include "kube/type_check.h"

#include <gtest/gtest.h>

namespace sidecar::kube {
namespace {

using nlohmann::json;

std::string mismatchOf(const json& in, std::string_view goType, std::string_view where) {
  auto checked = checkGoTypes(in, goType, where);
  if (checked) {
    return "";
  }
  EXPECT_EQ(checked.error().code, ErrorCode::InvalidArgument);
  return checked.error().message;
}

TEST(TypeCheck, WellTypedPodSpecPasses) {
  json spec = json::parse(R"({"containers":[{"name":"app","image":"a","args":["-x"],
    "ports":[{"containerPort":80,"name":"http"}],
    "readinessProbe":{"httpGet":{"port":"http","path":"/"}},
    "resources":{"limits":{"cpu":"100m","memory":1024}}}],
    "hostNetwork":false,"unknownField":{"anything":[1]},"securityContext":null})");
  EXPECT_TRUE(checkGoTypes(spec, "PodSpec", "spec"));
}

TEST(TypeCheck, MismatchNamesThePath) {
  EXPECT_EQ(mismatchOf(json::parse(R"({"containers":"app"})"), "PodSpec", "spec"),
            "spec.containers: cannot unmarshal string into []Container");
  EXPECT_EQ(
      mismatchOf(json::parse(R"({"containers":[{"name":"a"},{"name":5}]})"), "PodSpec", "spec"),
      "spec.containers[1].name: cannot unmarshal number 5 into string");
  EXPECT_EQ(mismatchOf(json::parse(R"({"containers":[{"ports":[{"containerPort":"80"}]}]})"),
                       "PodSpec", "spec"),
            "spec.containers[0].ports[0].containerPort: cannot unmarshal string into int32");
  EXPECT_EQ(mismatchOf(json::parse(R"({"labels":{"app":true}})"), "ObjectMeta", "metadata"),
            "metadata.labels.app: cannot unmarshal bool into string");
  EXPECT_EQ(mismatchOf(json::parse(R"({"hostNetwork":"yes"})"), "PodSpec", "spec"),
            "spec.hostNetwork: cannot unmarshal string into bool");
  EXPECT_EQ(mismatchOf(json::parse(R"([1])"), "PodSpec", "spec"),
            "spec: cannot unmarshal array into PodSpec");
}

TEST(TypeCheck, IntegersFollowGoRanges) {
  EXPECT_TRUE(checkGoTypes(json::parse(R"({"containerPort":80.0})"), "ContainerPort", ""));
  EXPECT_EQ(mismatchOf(json::parse(R"({"containerPort":1.5})"), "ContainerPort", ""),
            "containerPort: cannot unmarshal number 1.5 into int32");
  EXPECT_EQ(mismatchOf(json::parse(R"({"containerPort":4294967296})"), "ContainerPort", ""),
            "containerPort: cannot unmarshal number 4294967296 into int32");
}

TEST(TypeCheck, FieldNamesMatchCaseInsensitivelyLikeEncodingJson) {
  EXPECT_EQ(mismatchOf(json::parse(R"({"HostNetwork":1})"), "PodSpec", "spec"),
            "spec.HostNetwork: cannot unmarshal number 1 into bool");
}

TEST(TypeCheck, RawNodesAndNullsAreNotLookedInto) {
  json container = json::object();
  container["env"] = json::binary({'[', '1', ']'});
  container["image"] = nullptr;
  EXPECT_TRUE(checkGoTypes(container, "Container", ""));
}

}  // namespace
}  // namespace sidecar::kube
