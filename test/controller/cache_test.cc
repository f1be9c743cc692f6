#include "controller/cache_kinds.h"

#include <gtest/gtest.h>

namespace sidecar::controller {
namespace {

nlohmann::json pod(const std::string& ns, const std::string& name, const std::string& rv, nlohmann::json labels,
                   const std::string& ownerUid = "") {
  nlohmann::json p = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"namespace", ns},
        {"name", name},
        {"uid", "uid-" + name},
        {"resourceVersion", rv},
        {"labels", labels},
        {"annotations",
         {{"kubectl.kubernetes.io/last-applied-configuration", std::string(4000, 'x')},
          {"sidecar.istio.io/inject", "true"}}},
        {"managedFields", {{{"manager", "kubectl"}, {"fieldsV1", {{"f:spec", nlohmann::json::object()}}}}}}}},
      {"spec",
       {{"containers", {{{"name", "app"}, {"image", "app:1"}, {"env", {{{"name", "A"}, {"value", "B"}}}}}}},
        {"initContainers", {{{"name", "init"}, {"image", "init:1"}}}}}},
      {"status", {{"phase", "Running"}}}};
  if (!ownerUid.empty()) {
    p["metadata"]["ownerReferences"] = {
        {{"kind", "ReplicaSet"}, {"name", "rs"}, {"uid", ownerUid}, {"controller", true}}};
  }
  return p;
}

TEST(CacheTest, TransformKeepsOnlyWhatTheOperatorNeeds) {
  PodInfo p = toPodInfo(pod("ns", "p", "1", {{"app", "web"}}, "rs-uid"));
  EXPECT_EQ(p.meta.name, "p");
  EXPECT_FALSE(p.meta.annotation("kubectl.kubernetes.io/last-applied-configuration"));
  ASSERT_TRUE(p.meta.annotation("sidecar.istio.io/inject"));
  EXPECT_EQ(*p.meta.annotation("sidecar.istio.io/inject"), "true");
  EXPECT_EQ(p.meta.annotations.size(), 1u);
  ASSERT_EQ(p.containers.size(), 1u);
  EXPECT_EQ(p.containers.find("app"), "app:1");
  ASSERT_EQ(p.initContainers.size(), 1u);
  EXPECT_EQ(p.initContainers.entries()[0].first, "init");
  EXPECT_EQ(p.phase, "Running");
  ASSERT_TRUE(p.meta.controllerOwner());
  EXPECT_EQ(p.meta.controllerOwner()->uid, "rs-uid");
  EXPECT_EQ(p.meta.controllerOwner()->kind, "ReplicaSet");
  EXPECT_EQ(p.meta.controllerOwner()->name, "rs");
}

TEST(CacheTest, WorkloadTransformsReadThePodTemplate) {
  nlohmann::json cronJob = nlohmann::json::parse(R"({
    "kind": "CronJob",
    "metadata": {"name": "cj", "namespace": "n", "generation": 4},
    "spec": {"jobTemplate": {"spec": {"template": {
      "metadata": {"annotations": {"sidecar.istio.io/inject": "false"}},
      "spec": {"containers": [{"name": "c", "image": "i"}]}}}}},
    "status": {"observedGeneration": 3}})");
  WorkloadInfo w = toWorkloadInfo(cronJob);
  EXPECT_EQ(w.meta.generation, 4);
  EXPECT_EQ(w.observedGeneration, 3);
  ASSERT_EQ(w.containers.size(), 1u);
  EXPECT_EQ(w.templateAnnotations.find("sidecar.istio.io/inject"), "false");
  nlohmann::json deploy = {{"kind", "Deployment"},
                           {"metadata", {{"name", "d"}, {"namespace", "n"}}},
                           {"spec", {{"template", {{"metadata", {{"labels", {{"app", "d"}}}}}}}}}};
  EXPECT_EQ(toWorkloadInfo(deploy).templateLabels.entries()[0].first, "app");
  nlohmann::json mwc = {{"metadata", {{"name", "istio-sidecar-injector"}}},
                        {"webhooks",
                         {{{"name", "sidecar-injector.istio.io"},
                           {"clientConfig",
                            {{"service", {{"name", "istiod"}, {"namespace", "istio-system"}, {"path", "/inject"}}},
                             {"caBundle", "Q0E="}}}}}}};
  auto info = toMutatingWebhookConfigurationInfo(mwc);
  ASSERT_EQ(info.webhooks.size(), 1u);
  EXPECT_EQ(info.webhooks[0].serviceName, "istiod");
  EXPECT_EQ(info.webhooks[0].caBundle, "Q0E=");
}

TEST(FlatStringMapTest, RoundTripsLongAndEmptyValues) {
  FlatStringMap m;
  const std::string big(70000, 'z');  // a multi-byte length prefix
  m.append("a", "");
  m.append("big", big);
  m.append("", "empty key");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.find("a"), "");
  EXPECT_EQ(m.find("big"), big);
  EXPECT_EQ(m.find(""), "empty key");
  EXPECT_FALSE(m.find("missing"));
  EXPECT_EQ(m.entries()[1].first, "big");
}

TEST(CacheTest, IndexesFollowUpdatesAndDeletes) {
  PodCache cache(toPodInfo);
  cache.replace({pod("a", "p1", "1", {{"app", "web"}}, "rs1"), pod("a", "p2", "2", {{"app", "db"}}, "rs1"),
                 pod("b", "p3", "3", {{"app", "web"}})},
                "3");
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.byNamespace("a").size(), 2u);
  EXPECT_EQ(cache.byLabel("app", "web").size(), 2u);
  EXPECT_EQ(cache.byOwner("rs1").size(), 2u);

  cache.apply(WatchEventType::Modified, pod("a", "p1", "4", {{"app", "db"}}, "rs1"));
  EXPECT_EQ(cache.byLabel("app", "web").size(), 1u);
  EXPECT_EQ(cache.byLabel("app", "db").size(), 2u);

  cache.apply(WatchEventType::Deleted, pod("a", "p2", "5", {{"app", "db"}}, "rs1"));
  EXPECT_EQ(cache.byOwner("rs1").size(), 1u);
  EXPECT_EQ(cache.get("a", "p2"), nullptr);
  EXPECT_EQ(cache.byNamespace("b").size(), 1u);
  EXPECT_TRUE(cache.byNamespace("zzz").empty());
}

TEST(CacheTest, HandlersSeeEachChangeOnceAcrossReplays) {
  PodCache cache(toPodInfo);
  std::vector<std::string> seen;
  cache.addHandlers({[&](const PodInfo& p) { seen.push_back("add " + p.meta.name); },
                     [&](const PodInfo& o, const PodInfo& n) {
                       seen.push_back("update " + n.meta.name + " " + o.meta.resourceVersion + "->" +
                                      n.meta.resourceVersion);
                     },
                     [&](const PodInfo& p) { seen.push_back("delete " + p.meta.name); }});
  cache.apply(WatchEventType::Added, pod("a", "p", "1", {}));
  cache.apply(WatchEventType::Added, pod("a", "p", "1", {}));     // replayed: ignored
  cache.apply(WatchEventType::Modified, pod("a", "p", "1", {}));  // same rv: ignored
  cache.apply(WatchEventType::Modified, pod("a", "p", "2", {}));
  cache.apply(WatchEventType::Deleted, pod("a", "missing", "3", {}));  // unknown: ignored
  cache.replace({pod("a", "p", "2", {}), pod("a", "q", "4", {})}, "4");
  cache.replace({pod("a", "q", "4", {})}, "5");
  EXPECT_EQ(seen, (std::vector<std::string>{"add p", "update p 1->2", "add q", "delete p"}));
}

}  // namespace
}  // namespace sidecar::controller
