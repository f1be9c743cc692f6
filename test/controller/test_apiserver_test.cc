// The test API server's own behaviour, over the wire.

#include "test/apiserver/test_apiserver.h"

#include <gtest/gtest.h>

#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

using testing::configMap;

class TestApiServerTest : public testing::ServerTest {};

TEST_F(TestApiServerTest, DiscoveryDocuments) {
  auto c = client();
  auto api = c->raw("GET", "/api");
  ASSERT_TRUE(api);
  EXPECT_EQ(nlohmann::json::parse(api->body)["versions"][0], "v1");
  auto apis = nlohmann::json::parse(c->raw("GET", "/apis")->body);
  std::set<std::string> groups;
  for (const auto& g : apis["groups"]) {
    groups.insert(g["name"]);
  }
  for (const char* g : {"apps", "batch", "admissionregistration.k8s.io", "coordination.k8s.io"}) {
    EXPECT_TRUE(groups.count(g)) << g;
  }
  auto core = nlohmann::json::parse(c->raw("GET", "/api/v1")->body);
  std::set<std::string> resources;
  for (const auto& r : core["resources"]) {
    resources.insert(r["name"]);
  }
  for (const char* r : {"configmaps", "namespaces", "pods", "events", "services", "serviceaccounts", "secrets"}) {
    EXPECT_TRUE(resources.count(r)) << r;
  }
  auto apps = nlohmann::json::parse(c->raw("GET", "/apis/apps/v1")->body);
  EXPECT_EQ(apps["groupVersion"], "apps/v1");
  EXPECT_EQ(apps["resources"].size(), 4u);
  EXPECT_EQ(c->raw("GET", "/apis/nope/v1")->status, 404);
}

TEST_F(TestApiServerTest, MissingTokenIsUnauthorized) {
  auto c = RestClient::create(connection(""));
  ASSERT_TRUE(c);
  auto r = (*c)->raw("GET", "/api");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 401);
}

TEST_F(TestApiServerTest, ServerOwnedFieldsAndGenerateName) {
  auto c = client();
  nlohmann::json cm = configMap("default", "", {{"a", "b"}});
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = "gen-";
  cm["metadata"]["uid"] = "client-chosen";
  auto r = c->create(resources::kConfigMaps, "default", cm);
  ASSERT_TRUE(r) << r.error().message;
  const std::string name = (*r)["metadata"]["name"];
  EXPECT_EQ(name.rfind("gen-", 0), 0u);
  EXPECT_EQ(name.size(), 9u);
  EXPECT_NE((*r)["metadata"]["uid"], "client-chosen");
  auto again = c->create(resources::kConfigMaps, "default", configMap("default", name, {}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().status, 409);
  EXPECT_EQ(again.error().reason, "AlreadyExists");
  // A no-op update keeps the resourceVersion.
  auto same = c->update(resources::kConfigMaps, "default", name, *r);
  ASSERT_TRUE(same);
  EXPECT_EQ((*same)["metadata"]["resourceVersion"], (*r)["metadata"]["resourceVersion"]);
}

TEST_F(TestApiServerTest, NamespaceDeletionRemovesContents) {
  auto c = client();
  createNamespace("tmp");
  ASSERT_TRUE(c->create(resources::kConfigMaps, "tmp", configMap("tmp", "x", {})));
  ASSERT_TRUE(c->remove(resources::kNamespaces, "", "tmp"));
  auto l = c->list(resources::kConfigMaps, "tmp");
  ASSERT_TRUE(l);
  EXPECT_TRUE((*l)["items"].empty());
}

TEST_F(TestApiServerTest, WatchStreamDeliversEventsInOrder) {
  auto c = client();
  const std::string rv = std::to_string(server_->store().resourceVersion());
  WatchOptions o;
  o.resourceVersion = rv;
  o.timeoutSeconds = 5;
  auto w = c->watch(resources::kConfigMaps, "default", o);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(c->create(resources::kConfigMaps, "default", configMap("default", "w1", {})));
  ASSERT_TRUE(c->patch(resources::kConfigMaps, "default", "w1", PatchType::Merge, R"({"data":{"x":"y"}})"));
  ASSERT_TRUE(c->remove(resources::kConfigMaps, "default", "w1"));
  std::vector<std::string> types;
  while (types.size() < 3) {
    auto line = (*w)->nextLine();
    ASSERT_TRUE(line) << line.error().message;
    ASSERT_TRUE(line->has_value());
    auto e = nlohmann::json::parse(**line);
    if (e["type"] != "BOOKMARK") {
      types.push_back(e["type"]);
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
}

TEST_F(TestApiServerTest, MalformedInputGetsAnErrorNotACrash) {
  auto c = client();
  auto badEscape = c->raw("GET", "/api/v1/namespaces/default/configmaps?labelSelector=%zz%");
  ASSERT_TRUE(badEscape);
  EXPECT_EQ(badEscape->status, 200);
  auto badSelector = c->raw("GET", "/api/v1/configmaps?labelSelector=a%20in%20(b");
  ASSERT_TRUE(badSelector);
  EXPECT_EQ(badSelector->status, 400);
  EXPECT_NE(badSelector->body.find("labelSelector"), std::string::npos);
  auto notJson = c->raw("POST", "/api/v1/namespaces/default/configmaps", "{not json", "application/json");
  ASSERT_TRUE(notJson);
  EXPECT_EQ(notJson->status, 400);
  auto badRv = c->raw("GET", "/api/v1/configmaps?watch=true&resourceVersion=abc");
  ASSERT_TRUE(badRv);
  EXPECT_EQ(badRv->status, 400);
  auto patchToScalar = c->raw("PATCH", "/api/v1/namespaces/default", R"([{"op":"replace","path":"","value":3}])",
                              "application/json-patch+json");
  ASSERT_TRUE(patchToScalar);
  EXPECT_EQ(patchToScalar->status, 422);
  EXPECT_EQ(c->raw("GET", "/api/v1/namespaces/default")->status, 200);
}

TEST_F(TestApiServerTest, FaultControlsOverHttp) {
  auto c = client();
  auto r = c->raw("POST", "/testcontrol/fail?count=1&status=418");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto failed = c->raw("GET", "/api");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 418);
  EXPECT_EQ(c->raw("GET", "/api")->status, 200);
  EXPECT_EQ(c->raw("POST", "/testcontrol/compact")->status, 200);
  EXPECT_EQ(c->raw("POST", "/testcontrol/unknown")->status, 404);
}

}  // namespace
}  // namespace sidecar::controller
