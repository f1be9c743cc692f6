#include "test/apiserver/selectors.h"

#include <gtest/gtest.h>

#include "test/apiserver/admission.h"

namespace sidecar::testapi {
namespace {

using nlohmann::json;

json withLabels(json labels) { return {{"metadata", {{"name", "x"}, {"labels", labels}}}}; }

bool selects(const char* selector, json labels) {
  auto parsed = parseLabelSelectorObject(json::parse(selector), "selector");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed && matchesLabels(*parsed, withLabels(labels));
}

TEST(LabelSelectorObject, MatchLabelsAndEveryOperator) {
  EXPECT_TRUE(selects("{}", json::object()));
  EXPECT_TRUE(selects("null", {{"a", "b"}}));
  EXPECT_TRUE(selects(R"({"matchLabels":{"a":"b"}})", {{"a", "b"}, {"c", "d"}}));
  EXPECT_FALSE(selects(R"({"matchLabels":{"a":"b"}})", {{"a", "c"}}));
  EXPECT_FALSE(selects(R"({"matchLabels":{"a":"b"}})", json::object()));
  const char* in = R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","stage"]}]})";
  EXPECT_TRUE(selects(in, {{"env", "stage"}}));
  EXPECT_FALSE(selects(in, {{"env", "dev"}}));
  EXPECT_FALSE(selects(in, json::object()));
  const char* notIn = R"({"matchExpressions":[{"key":"env","operator":"NotIn","values":["prod"]}]})";
  EXPECT_TRUE(selects(notIn, {{"env", "dev"}}));
  EXPECT_TRUE(selects(notIn, json::object()));
  EXPECT_FALSE(selects(notIn, {{"env", "prod"}}));
  const char* exists = R"({"matchExpressions":[{"key":"env","operator":"Exists"}]})";
  EXPECT_TRUE(selects(exists, {{"env", ""}}));
  EXPECT_FALSE(selects(exists, json::object()));
  const char* absent = R"({"matchExpressions":[{"key":"env","operator":"DoesNotExist"}]})";
  EXPECT_TRUE(selects(absent, json::object()));
  EXPECT_FALSE(selects(absent, {{"env", "x"}}));
  // Requirements are ANDed.
  EXPECT_FALSE(selects(R"({"matchLabels":{"a":"b"},"matchExpressions":[{"key":"env","operator":"Exists"}]})",
                       {{"a", "b"}}));
}

TEST(LabelSelectorObject, InvalidSelectorsNameTheField) {
  struct Case {
    const char* selector;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {R"({"matchExpressions":[{"key":"a","operator":"Near"}]})", "selector.matchExpressions[0].operator"},
           {R"({"matchExpressions":[{"key":"a","operator":"In"}]})", "selector.matchExpressions[0].values: must be non-empty"},
           {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})", "must be empty"},
           {R"({"matchExpressions":[{"operator":"Exists"}]})", "needs string fields key and operator"},
           {R"({"matchLabels":{"a":1}})", "selector.matchLabels.a"},
           {R"({"matchLabels":[]})", "selector.matchLabels"},
           {R"("x")", "selector: must be an object"}}) {
    auto parsed = parseLabelSelectorObject(json::parse(c.selector), "selector");
    ASSERT_FALSE(parsed) << c.selector;
    EXPECT_NE(parsed.error().message.find(c.message), std::string::npos) << parsed.error().message;
  }
}

json injectorWebhook() {
  // The shape of manifests/mutatingwebhookconfiguration.yaml.
  return json::parse(R"({
    "name": "sidecar-injector.sidecar.injector.dev",
    "rules": [{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],
               "scope":"Namespaced"}],
    "namespaceSelector": {"matchLabels":{"istio-injection":"enabled"},
      "matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["sidecar-injector"]}]}
  })");
}

json ns(const std::string& name, json labels) { return {{"metadata", {{"name", name}, {"labels", labels}}}}; }

TEST(WebhookMatch, NamespaceSelectorWithImpliedNameLabel) {
  const json pod = withLabels({{"app", "sleep"}});
  EXPECT_TRUE(*webhookMatchesPodCreate(injectorWebhook(), ns("demo", {{"istio-injection", "enabled"}}), pod));
  EXPECT_FALSE(*webhookMatchesPodCreate(injectorWebhook(), ns("demo", json::object()), pod));
  // kubernetes.io/metadata.name is implied even when the stored namespace lacks it.
  EXPECT_FALSE(
      *webhookMatchesPodCreate(injectorWebhook(), ns("sidecar-injector", {{"istio-injection", "enabled"}}), pod));
}

TEST(WebhookMatch, RulesAndObjectSelector) {
  const json enabled = ns("demo", {{"istio-injection", "enabled"}});
  const json pod = withLabels({{"app", "sleep"}});
  json w = injectorWebhook();
  w["objectSelector"] = json::parse(R"({"matchExpressions":[{"key":"sidecar","operator":"DoesNotExist"}]})");
  EXPECT_TRUE(*webhookMatchesPodCreate(w, enabled, pod));
  EXPECT_FALSE(*webhookMatchesPodCreate(w, enabled, withLabels({{"sidecar", "no"}})));

  auto withRule = [&](const char* rule) {
    json hook = injectorWebhook();
    hook["rules"] = json::array({json::parse(rule)});
    return *webhookMatchesPodCreate(hook, enabled, pod);
  };
  EXPECT_TRUE(withRule(R"({"operations":["*"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"]})"));
  EXPECT_TRUE(withRule(R"({"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*/*"]})"));
  EXPECT_FALSE(withRule(R"({"operations":["UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]})"));
  EXPECT_FALSE(withRule(R"({"operations":["CREATE"],"apiGroups":["apps"],"apiVersions":["v1"],"resources":["pods"]})"));
  EXPECT_FALSE(withRule(R"({"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v2"],"resources":["pods"]})"));
  EXPECT_FALSE(withRule(R"({"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/status"]})"));
  EXPECT_FALSE(withRule(R"({"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/*"]})"));
  EXPECT_FALSE(withRule(
      R"({"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"scope":"Cluster"})"));
  json noRules = injectorWebhook();
  noRules.erase("rules");
  EXPECT_FALSE(*webhookMatchesPodCreate(noRules, enabled, pod));
}

TEST(WebhookMatch, BadSelectorIsAnError) {
  json w = injectorWebhook();
  w["namespaceSelector"]["matchExpressions"][0]["operator"] = "Sometimes";
  auto matched = webhookMatchesPodCreate(w, ns("demo", {{"istio-injection", "enabled"}}), withLabels({}));
  ASSERT_FALSE(matched);
  EXPECT_NE(matched.error().message.find("namespaceSelector.matchExpressions[0].operator"), std::string::npos);
}

TEST(ServiceEndpointFlag, ParsesAndRejects) {
  auto ok = parseServiceEndpoint("sidecar-injector/sidecar-injector=127.0.0.1:9443");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->first, "sidecar-injector/sidecar-injector");
  EXPECT_EQ(ok->second, "127.0.0.1:9443");
  for (const char* bad : {"svc=127.0.0.1:1", "ns/svc", "ns/svc=127.0.0.1", "ns/svc=host:x", "/svc=h:1", "ns/=h:1", "ns/svc=h:70000",
                          "ns/svc=h:12345678901"}) {
    auto r = parseServiceEndpoint(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("--service-endpoint"), std::string::npos);
  }
}

}  // namespace
}  // namespace sidecar::testapi
