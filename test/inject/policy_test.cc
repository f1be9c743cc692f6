#include "inject/policy.h"

#include <gtest/gtest.h>

#include "test_fixtures.h"

namespace sidecar::inject {
namespace {

using nlohmann::json;
using testing::compileOrDie;
using testing::yaml;

std::string configWith(const std::string& policy, const std::string& extra = "") {
  return "policy: " + policy + "\n" + extra + "template: |\n  containers: []\n";
}

json meta(const json& labels = json::object(), const json& annotations = json::object()) {
  return json{{"labels", labels}, {"annotations", annotations}};
}

TEST(Policy, HostNetworkIsNeverInjected) {
  auto config = compileOrDie(configWith("enabled"));
  auto d = decidePolicy(*config, meta(json::object(), {{"sidecar.istio.io/inject", "true"}}),
                        json{{"hostNetwork", true}}, "default");
  EXPECT_FALSE(d.inject);
  EXPECT_EQ(d.reason, Reason::HostNetwork);
  EXPECT_EQ(reasonName(d.reason), "host_network");
}

TEST(Policy, IgnoredNamespacesWinOverAnnotation) {
  auto config = compileOrDie(configWith("enabled"));
  for (const char* ns : {"kube-system", "kube-public"}) {
    auto d = decidePolicy(*config, meta(json::object(), {{"sidecar.istio.io/inject", "true"}}), json::object(), ns);
    EXPECT_FALSE(d.inject) << ns;
    EXPECT_EQ(d.reason, Reason::IgnoredNamespace);
    EXPECT_NE(d.explanation.find(ns), std::string::npos);
  }
}

TEST(Policy, AnnotationTruthyValuesForceInjection) {
  auto config = compileOrDie(configWith("disabled"));
  for (const char* v : {"y", "yes", "true", "on", "YES", "True", "On", "Y"}) {
    auto d = decidePolicy(*config, meta(json::object(), {{"sidecar.istio.io/inject", v}}), json::object(), "default");
    EXPECT_TRUE(d.inject) << v;
    EXPECT_EQ(d.reason, Reason::AnnotationEnabled) << v;
    EXPECT_NE(d.explanation.find("sidecar.istio.io/inject"), std::string::npos);
  }
}

TEST(Policy, AnnotationOtherValuesPreventInjection) {
  auto config = compileOrDie(configWith("enabled"));
  for (const char* v : {"false", "no", "n", "0", "1", "bogus"}) {
    auto d = decidePolicy(*config, meta(json::object(), {{"sidecar.istio.io/inject", v}}), json::object(), "default");
    EXPECT_FALSE(d.inject) << v;
    EXPECT_EQ(d.reason, Reason::AnnotationDisabled) << v;
  }
}

TEST(Policy, EmptyAnnotationDefersToPolicy) {
  auto config = compileOrDie(configWith("enabled"));
  auto d = decidePolicy(*config, meta(json::object(), {{"sidecar.istio.io/inject", ""}}), json::object(), "default");
  EXPECT_TRUE(d.inject);
  EXPECT_EQ(d.reason, Reason::PolicyEnabled);
}

TEST(Policy, AnnotationBeatsNeverInjectSelector) {
  auto config = compileOrDie(configWith("enabled", "neverInjectSelector:\n- matchLabels:\n    app: db\n"));
  auto d = decidePolicy(*config, meta({{"app", "db"}}, {{"sidecar.istio.io/inject", "true"}}), json::object(),
                        "default");
  EXPECT_TRUE(d.inject);
  EXPECT_EQ(d.reason, Reason::AnnotationEnabled);
}

TEST(Policy, NeverInjectSelectorBeatsAlwaysAndPolicy) {
  auto config = compileOrDie(configWith("enabled",
                                        "neverInjectSelector:\n- matchLabels:\n    app: db\n"
                                        "alwaysInjectSelector:\n- matchLabels:\n    app: db\n"));
  auto d = decidePolicy(*config, meta({{"app", "db"}}), json::object(), "default");
  EXPECT_FALSE(d.inject);
  EXPECT_EQ(d.reason, Reason::NeverInjectSelector);
  EXPECT_NE(d.explanation.find("neverInjectSelector[0]"), std::string::npos);
  EXPECT_NE(d.explanation.find("app=db"), std::string::npos);
  // Other labels fall through to the policy.
  auto other = decidePolicy(*config, meta({{"app", "web"}}), json::object(), "default");
  EXPECT_TRUE(other.inject);
  EXPECT_EQ(other.reason, Reason::PolicyEnabled);
}

TEST(Policy, AlwaysInjectSelectorOverridesDisabledPolicy) {
  auto config = compileOrDie(configWith(
      "disabled", "alwaysInjectSelector:\n- matchExpressions:\n  - key: tier\n    operator: In\n    values: [a, b]\n"));
  auto d = decidePolicy(*config, meta({{"tier", "b"}}), json::object(), "default");
  EXPECT_TRUE(d.inject);
  EXPECT_EQ(d.reason, Reason::AlwaysInjectSelector);
  auto miss = decidePolicy(*config, meta({{"tier", "c"}}), json::object(), "default");
  EXPECT_FALSE(miss.inject);
  EXPECT_EQ(miss.reason, Reason::PolicyDisabled);
}

TEST(Policy, EmptySelectorMatchesNothing) {
  auto config = compileOrDie(configWith("enabled", "neverInjectSelector:\n- {}\n"));
  EXPECT_TRUE(config->warnings.empty());
  auto d = decidePolicy(*config, meta({{"app", "x"}}), json::object(), "default");
  EXPECT_TRUE(d.inject);
  EXPECT_EQ(d.reason, Reason::PolicyEnabled);
}

TEST(Policy, InvalidSelectorIsReportedAndSkipped) {
  auto config = compileOrDie(configWith(
      "enabled",
      "neverInjectSelector:\n- matchExpressions:\n  - key: app\n    operator: Near\n    values: [x]\n"
      "- matchLabels:\n    app: x\n"));
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_NE(config->warnings[0].find("neverInjectSelector[0]"), std::string::npos);
  EXPECT_NE(config->warnings[0].find("Near"), std::string::npos);
  ASSERT_EQ(config->neverInjectSelector.size(), 1u);
  auto d = decidePolicy(*config, meta({{"app", "x"}}), json::object(), "default");
  EXPECT_EQ(d.reason, Reason::NeverInjectSelector);
  EXPECT_NE(d.explanation.find("neverInjectSelector[1]"), std::string::npos);
}

TEST(Policy, UnknownPolicyNeverInjects) {
  auto config = compileOrDie(configWith("sometimes"));
  auto d = decidePolicy(*config, meta(), json::object(), "default");
  EXPECT_FALSE(d.inject);
  EXPECT_EQ(d.reason, Reason::PolicyInvalid);
  EXPECT_NE(d.explanation.find("sometimes"), std::string::npos);
}

TEST(LabelSelectorTest, Operators) {
  auto s = LabelSelector::parse(yaml(R"(
matchLabels: {app: web}
matchExpressions:
- {key: env, operator: NotIn, values: [prod]}
- {key: team, operator: Exists}
- {key: debug, operator: DoesNotExist}
)"));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  using L = std::map<std::string, std::string, std::less<>>;
  EXPECT_TRUE(s->matches(L{{"app", "web"}, {"team", "a"}}));
  EXPECT_TRUE(s->matches(L{{"app", "web"}, {"team", "a"}, {"env", "dev"}}));
  EXPECT_FALSE(s->matches(L{{"app", "web"}, {"team", "a"}, {"env", "prod"}}));
  EXPECT_FALSE(s->matches(L{{"app", "web"}}));
  EXPECT_FALSE(s->matches(L{{"app", "web"}, {"team", "a"}, {"debug", "1"}}));
  EXPECT_FALSE(s->matches(L{{"app", "db"}, {"team", "a"}}));
}

TEST(LabelSelectorTest, ValidationErrorsNameTheField) {
  auto noValues = LabelSelector::parse(yaml("matchExpressions:\n- {key: a, operator: In}\n"));
  ASSERT_FALSE(noValues.has_value());
  EXPECT_NE(noValues.error().message.find("matchExpressions[0].values"), std::string::npos);
  auto extraValues = LabelSelector::parse(yaml("matchExpressions:\n- {key: a, operator: Exists, values: [x]}\n"));
  ASSERT_FALSE(extraValues.has_value());
  auto badLabels = LabelSelector::parse(yaml("matchLabels: [a]\n"));
  ASSERT_FALSE(badLabels.has_value());
  EXPECT_NE(badLabels.error().message.find("matchLabels"), std::string::npos);
}

TEST(WebhookSelection, NamespaceAndObjectSelectors) {
  json config = yaml(R"(
webhooks:
- name: sidecar-injector.istio.io
  namespaceSelector:
    matchLabels: {istio-injection: enabled}
  objectSelector:
    matchExpressions:
    - {key: sidecar.istio.io/inject, operator: NotIn, values: ["false"]}
  rules:
  - operations: [CREATE]
    apiGroups: [""]
    apiVersions: [v1]
    resources: [pods]
)");
  json labelled = yaml("metadata: {name: ns, labels: {istio-injection: enabled}}");
  json plain = yaml("metadata: {name: ns}");
  json pod = yaml("metadata: {name: p, labels: {app: x}}");
  json optedOut = yaml("metadata: {name: p, labels: {sidecar.istio.io/inject: 'false'}}");
  EXPECT_TRUE(explainWebhookSelection(labelled, config, pod).called);
  auto noNs = explainWebhookSelection(plain, config, pod);
  EXPECT_FALSE(noNs.called);
  EXPECT_NE(noNs.explanation.find("namespaceSelector"), std::string::npos);
  auto noObj = explainWebhookSelection(labelled, config, optedOut);
  EXPECT_FALSE(noObj.called);
  EXPECT_NE(noObj.explanation.find("objectSelector"), std::string::npos);
  json updateOnly = config;
  updateOnly["webhooks"][0]["rules"][0]["operations"] = json::array({"UPDATE"});
  auto rules = explainWebhookSelection(labelled, updateOnly, pod);
  EXPECT_FALSE(rules.called);
  EXPECT_NE(rules.explanation.find("rules"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::inject

namespace sidecar::inject {
namespace {

TEST(PolicyTrail, ListsEveryRuleCheckedBeforeTheDecidingOne) {
  auto config = testing::compileOrDie(
      "policy: disabled\nneverInjectSelector:\n- matchLabels: {role: build}\n"
      "template: |\n  containers: []\n");
  std::vector<std::string> trail;
  auto d = decidePolicy(*config, nlohmann::json{{"labels", {{"app", "web"}}}}, nlohmann::json::object(),
                        "default", &trail);
  EXPECT_EQ(d.reason, Reason::PolicyDisabled);
  ASSERT_EQ(trail.size(), 5u);
  EXPECT_EQ(trail[0], "hostNetwork: not set");
  EXPECT_EQ(trail[2], "annotation sidecar.istio.io/inject: not set");
  EXPECT_EQ(trail[3], "neverInjectSelector: 1 selector(s), none matches the pod's labels");
}

TEST(PolicyTrail, StopsAtTheAnnotation) {
  auto config = testing::compileOrDie("policy: enabled\ntemplate: |\n  containers: []\n");
  std::vector<std::string> trail;
  auto d = decidePolicy(*config,
                        nlohmann::json{{"annotations", {{"sidecar.istio.io/inject", "false"}}}},
                        nlohmann::json::object(), "default", &trail);
  EXPECT_EQ(d.reason, Reason::AnnotationDisabled);
  EXPECT_EQ(trail.size(), 2u);
}

}  // namespace
}  // namespace sidecar::inject
