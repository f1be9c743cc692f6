#include "controller/cluster_caches.h"

#include <gtest/gtest.h>

#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

class ClusterCachesTest : public testing::ServerTest {};

TEST_F(ClusterCachesTest, EveryKindSyncsAndFollowsChanges) {
  createNamespace("istio-system");
  createNamespace("apps");
  serverRequest("POST", "/api/v1/namespaces/istio-system/configmaps",
                testing::configMap("istio-system", "istio", {{"mesh", "{}"}}));
  serverRequest("POST", "/api/v1/namespaces/apps/configmaps", testing::configMap("apps", "not-watched", {}));
  serverRequest("POST", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
                {{"metadata", {{"name", "istio-sidecar-injector"}}}, {"webhooks", nlohmann::json::array()}});
  const std::vector<std::pair<std::string, std::string>> workloads = {
      {"apps/v1", "deployments"}, {"apps/v1", "replicasets"}, {"apps/v1", "statefulsets"},
      {"apps/v1", "daemonsets"},  {"batch/v1", "jobs"},       {"batch/v1", "cronjobs"}};
  for (const auto& [gv, resource] : workloads) {
    serverRequest("POST", "/apis/" + gv + "/namespaces/apps/" + resource,
                  {{"metadata", {{"name", "w"}}}, {"spec", {{"template", {{"spec", {{"containers", nlohmann::json::array()}}}}}}}});
  }
  serverRequest("POST", "/api/v1/namespaces/apps/pods",
                {{"metadata", {{"name", "p"}, {"labels", {{"app", "web"}}}}}, {"spec", nlohmann::json::object()}});

  auto c = client();
  ClusterCaches caches(*c, {});
  caches.start();
  ASSERT_TRUE(caches.waitForSync(Millis(5000)));
  EXPECT_EQ(caches.configMaps.size(), 1u);  // only the injector namespace
  EXPECT_NE(caches.configMaps.get("istio-system", "istio"), nullptr);
  EXPECT_EQ(caches.namespaces.size(), 6u);
  EXPECT_EQ(caches.webhookConfigurations.size(), 1u);
  EXPECT_EQ(caches.pods.byLabel("app", "web").size(), 1u);
  for (auto* cache : {&caches.deployments, &caches.replicaSets, &caches.statefulSets, &caches.daemonSets,
                      &caches.jobs, &caches.cronJobs}) {
    EXPECT_NE(cache->get("apps", "w"), nullptr);
  }
  serverRequest("DELETE", "/api/v1/namespaces/apps");
  ASSERT_TRUE(eventually([&] { return caches.pods.size() == 0 && caches.deployments.size() == 0; }));
  EXPECT_EQ(caches.stats().size(), 10u);
  caches.stop();
}

}  // namespace
}  // namespace sidecar::controller
