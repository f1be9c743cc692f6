// The production mutator end to end: whose fault a failure is decides the AdmissionReview
// status code, by the error code the injection core returns.

#include "webhook/injector_mutator.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "webhook/admission_review.h"

namespace sidecar::webhook {
namespace {

inject::InjectionConfigPtr compileOrDie() {
  auto config = inject::compileConfig(
      "policy: enabled\ntemplate: |\n  containers:\n  - name: istio-proxy\n    image: proxy\n", "",
      "");
  EXPECT_TRUE(config) << config.error().message;
  return config ? *config : nullptr;
}

nlohmann::json answer(const InjectorMutator& mutator, std::string_view pod) {
  AdmissionRequestView view;
  view.uid = "u";
  view.kind = "Pod";
  view.namespace_ = "default";
  view.operation = "CREATE";
  view.object = pod;
  return nlohmann::json::parse(
      encodeAdmissionResponse(AdmissionApiVersion::V1, "u", mutator.mutate(view)));
}

TEST(InjectorMutator, MistypedPodDataIsABadRequestNamingTheField) {
  auto config = compileOrDie();
  InjectorMutator mutator([config] { return config; });
  const auto out = answer(
      mutator, R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"app","ports":"80"}]}})");
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["code"], 400);
  EXPECT_EQ(out["response"]["status"]["reason"], "BadRequest");
  const std::string message = out["response"]["status"]["message"];
  EXPECT_NE(message.find("spec.containers[0].ports: cannot unmarshal string"), std::string::npos)
      << message;
  // A well-typed pod is still injected.
  const auto ok =
      answer(mutator, R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"app"}]}})");
  EXPECT_EQ(ok["response"]["allowed"], true);
  EXPECT_EQ(ok["response"]["patchType"], "JSONPatch");
}

TEST(InjectorMutator, NoConfigYetIsTheServersFault) {
  InjectorMutator mutator([] { return inject::InjectionConfigPtr(); });
  const auto out = answer(mutator, R"({"metadata":{"name":"p"},"spec":{}})");
  EXPECT_EQ(out["response"]["status"]["code"], 500);
}

}  // namespace
}  // namespace sidecar::webhook
