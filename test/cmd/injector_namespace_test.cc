#include "cmd/injector_namespace.h"

#include <map>

#include <gtest/gtest.h>

namespace sidecar::cmd {
namespace {

// A cluster whose MutatingWebhookConfigurations call Services in these namespaces.
WebhookServiceNamespace cluster(std::map<std::string, std::string> services,
                                std::vector<std::string>* asked) {
  return [services = std::move(services),
          asked](const std::string& webhook) -> Expected<std::optional<std::string>> {
    asked->push_back(webhook);
    auto it = services.find(webhook);
    return it == services.end() ? std::optional<std::string>()
                                : std::optional<std::string>(it->second);
  };
}

TEST(InjectorNamespace, TheFlagWinsOverEverything) {
  std::vector<std::string> asked;
  auto ns =
      resolveInjectorNamespace({"injectorNamespace", "mesh", "in-pod", injectorWebhookNames(""),
                                cluster({{"sidecar-injector", "x"}}, &asked)});
  EXPECT_EQ(ns.name, "mesh");
  EXPECT_EQ(ns.source, "--injectorNamespace");
  EXPECT_TRUE(asked.empty());  // the cluster is not asked when the answer is known
  EXPECT_EQ(describe(ns), "injector ConfigMaps in namespace mesh (from --injectorNamespace)");
}

TEST(InjectorNamespace, ThenThePodsNamespace) {
  std::vector<std::string> asked;
  auto ns = resolveInjectorNamespace({"istioNamespace", "", "in-pod", injectorWebhookNames(""),
                                      cluster({{"sidecar-injector", "x"}}, &asked)});
  EXPECT_EQ(ns.name, "in-pod");
  EXPECT_EQ(ns.source, "$POD_NAMESPACE");
  EXPECT_TRUE(asked.empty());
}

TEST(InjectorNamespace, ThenTheServiceOfTheInjectorWebhookOursFirst) {
  std::vector<std::string> asked;
  auto ns = resolveInjectorNamespace(
      {"injectorNamespace", "", "", injectorWebhookNames(""),
       cluster({{"sidecar-injector", "ours"}, {"istio-sidecar-injector", "istio"}}, &asked)});
  EXPECT_EQ(ns.name, "ours");
  EXPECT_EQ(ns.source, "MutatingWebhookConfiguration sidecar-injector");
  EXPECT_EQ(asked, (std::vector<std::string>{"sidecar-injector"}));

  asked.clear();
  ns = resolveInjectorNamespace({"injectorNamespace", "", "", injectorWebhookNames(""),
                                 cluster({{"istio-sidecar-injector", "istio-system"}}, &asked)});
  EXPECT_EQ(ns.name, "istio-system");
  EXPECT_EQ(ns.source, "MutatingWebhookConfiguration istio-sidecar-injector");
  EXPECT_EQ(asked, (std::vector<std::string>{"sidecar-injector", "istio-sidecar-injector"}));
}

TEST(InjectorNamespace, TheNamedWebhookIsAskedFirst) {
  std::vector<std::string> asked;
  auto ns = resolveInjectorNamespace(
      {"injectorNamespace", "", "", injectorWebhookNames("istio-revision-tag-default"),
       cluster({{"istio-revision-tag-default", "tagged"}, {"sidecar-injector", "ours"}}, &asked)});
  EXPECT_EQ(ns.name, "tagged");
  EXPECT_EQ(injectorWebhookNames("sidecar-injector"),
            (std::vector<std::string>{"sidecar-injector", "istio-sidecar-injector"}));
}

TEST(InjectorNamespace, OtherwiseIstioSystem) {
  std::vector<std::string> asked;
  auto ns = resolveInjectorNamespace(
      {"injectorNamespace", "", "", injectorWebhookNames(""), cluster({}, &asked)});
  EXPECT_EQ(ns.name, "istio-system");
  EXPECT_EQ(ns.source, "default");
  EXPECT_EQ(asked.size(), 2u);
  // No cluster named: nothing to ask.
  ns = resolveInjectorNamespace({"injectorNamespace", "", "", injectorWebhookNames(""), {}});
  EXPECT_EQ(ns.name, "istio-system");
  EXPECT_EQ(describe(ns),
            "injector ConfigMaps in namespace istio-system (from the default, Istio's)");
}

TEST(InjectorNamespace, AClusterThatCannotBeAskedFallsBackAndSaysWhy) {
  auto forbidden = [](const std::string&) -> Expected<std::optional<std::string>> {
    return fail("mutatingwebhookconfigurations is forbidden");
  };
  std::string warning;
  auto ns = resolveInjectorNamespace(
      {"injectorNamespace", "", "", injectorWebhookNames(""), forbidden}, &warning);
  EXPECT_EQ(ns.name, "istio-system");
  EXPECT_NE(warning.find("forbidden"), std::string::npos) << warning;
}

}  // namespace
}  // namespace sidecar::cmd
