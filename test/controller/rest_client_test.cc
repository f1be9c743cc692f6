#include "controller/rest_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test/controller/fakes.h"
#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

using testing::FakeClock;
using testing::FakeRandom;
using testing::configMap;

class RestClientTest : public testing::ServerTest {};

TEST_F(RestClientTest, CreateGetUpdateDelete) {
  auto c = client();
  auto created = c->create(resources::kConfigMaps, "default", configMap("default", "one", {{"k", "v"}}));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE((*created)["metadata"]["uid"].get<std::string>().empty());
  EXPECT_FALSE((*created)["metadata"]["creationTimestamp"].get<std::string>().empty());
  const std::string rv1 = (*created)["metadata"]["resourceVersion"];

  auto got = c->get(resources::kConfigMaps, "default", "one");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)["data"]["k"], "v");

  nlohmann::json changed = *got;
  changed["data"]["k"] = "w";
  auto updated = c->update(resources::kConfigMaps, "default", "one", changed);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], rv1);
  EXPECT_EQ((*updated)["metadata"]["uid"], (*created)["metadata"]["uid"]);

  // The stale copy (old resourceVersion) conflicts.
  changed["data"]["k"] = "x";
  auto stale = c->update(resources::kConfigMaps, "default", "one", changed);
  ASSERT_FALSE(stale);
  EXPECT_TRUE(stale.error().conflict());
  EXPECT_NE(stale.error().message.find("update configmaps default/one"), std::string::npos) << stale.error().message;

  ASSERT_TRUE(c->remove(resources::kConfigMaps, "default", "one"));
  auto gone = c->get(resources::kConfigMaps, "default", "one");
  ASSERT_FALSE(gone);
  EXPECT_TRUE(gone.error().notFound());
  EXPECT_EQ(gone.error().reason, "NotFound");
}

TEST_F(RestClientTest, CreateInMissingNamespaceFails) {
  auto c = client();
  auto r = c->create(resources::kConfigMaps, "nowhere", configMap("nowhere", "a", {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 404);
  EXPECT_NE(r.error().message.find("namespaces \"nowhere\" not found"), std::string::npos) << r.error().message;
}

TEST_F(RestClientTest, ThreePatchFlavours) {
  auto c = client();
  ASSERT_TRUE(c->create(resources::kConfigMaps, "default", configMap("default", "p", {{"a", "1"}, {"b", "2"}})));
  auto merged = c->patch(resources::kConfigMaps, "default", "p", PatchType::Merge, R"({"data":{"a":null,"c":"3"}})");
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_FALSE((*merged)["data"].contains("a"));
  EXPECT_EQ((*merged)["data"]["c"], "3");

  auto jsonPatched = c->patch(resources::kConfigMaps, "default", "p", PatchType::JsonPatch,
                              R"([{"op":"replace","path":"/data/b","value":"22"},{"op":"add","path":"/metadata/labels","value":{"x":"y"}}])");
  ASSERT_TRUE(jsonPatched) << jsonPatched.error().message;
  EXPECT_EQ((*jsonPatched)["data"]["b"], "22");
  EXPECT_EQ((*jsonPatched)["metadata"]["labels"]["x"], "y");

  auto badJsonPatch = c->patch(resources::kConfigMaps, "default", "p", PatchType::JsonPatch,
                               R"([{"op":"remove","path":"/data/missing"}])");
  ASSERT_FALSE(badJsonPatch);
  EXPECT_EQ(badJsonPatch.error().status, 422);

  nlohmann::json deploy = nlohmann::json::parse(R"({
    "metadata": {"name": "d"},
    "spec": {"template": {"spec": {"containers": [
      {"name": "app", "image": "app:1", "args": ["a"]},
      {"name": "side", "image": "side:1"}]}}}})");
  ASSERT_TRUE(c->create(resources::kDeployments, "default", deploy));
  auto smp = c->patch(resources::kDeployments, "default", "d", PatchType::StrategicMerge,
                      R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"side"}],)"
                      R"("containers":[{"name":"app","image":"app:2"},{"name":"side","$patch":"delete"}]}}}})");
  ASSERT_TRUE(smp) << smp.error().message;
  const auto& containers = (*smp)["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0]["image"], "app:2");
  EXPECT_EQ(containers[0]["args"][0], "a");  // merged by name, not replaced
  EXPECT_EQ((*smp)["metadata"]["generation"], 2);
}

TEST_F(RestClientTest, PaginatedListWithSelectors) {
  auto c = client();
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(c->create(resources::kConfigMaps, "default",
                          configMap("default", "cm" + std::to_string(i), {}, {{"parity", i % 2 ? "odd" : "even"}})));
  }
  ListOptions o;
  o.limit = 3;
  std::vector<std::string> names;
  std::string rv;
  for (int page = 0; page < 10; ++page) {
    auto l = c->list(resources::kConfigMaps, "default", o);
    ASSERT_TRUE(l) << l.error().message;
    if (rv.empty()) {
      rv = (*l)["metadata"]["resourceVersion"];
    }
    EXPECT_EQ((*l)["metadata"]["resourceVersion"], rv);  // one snapshot rv for all pages
    for (const auto& item : (*l)["items"]) {
      names.push_back(item["metadata"]["name"]);
    }
    o.continueToken = (*l)["metadata"].value("continue", "");
    if (o.continueToken.empty()) {
      break;
    }
  }
  EXPECT_EQ(names.size(), 7u);

  ListOptions sel;
  sel.labelSelector = "parity=odd";
  auto odd = c->list(resources::kConfigMaps, "default", sel);
  ASSERT_TRUE(odd);
  EXPECT_EQ((*odd)["items"].size(), 3u);
  sel.labelSelector = "parity in (odd,even),parity!=even";
  odd = c->list(resources::kConfigMaps, "default", sel);
  ASSERT_TRUE(odd);
  EXPECT_EQ((*odd)["items"].size(), 3u);
  ListOptions byName;
  byName.fieldSelector = "metadata.name=cm4";
  auto one = c->list(resources::kConfigMaps, "", byName);
  ASSERT_TRUE(one);
  ASSERT_EQ((*one)["items"].size(), 1u);
  EXPECT_EQ((*one)["items"][0]["metadata"]["name"], "cm4");
  ListOptions badField;
  badField.fieldSelector = "spec.nodeName=x";
  auto bad = c->list(resources::kConfigMaps, "", badField);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 400);
  EXPECT_NE(bad.error().message.find("spec.nodeName"), std::string::npos);
}

TEST_F(RestClientTest, ServerErrorsBackOffWithExactDelays) {
  FakeClock clock;
  FakeRandom random(0.5);
  RestOptions o;
  o.backoff = {Millis(200), Millis(30000), 0.2};
  o.maxRetries = 4;
  auto c = client(o, clock, random);
  server_->failNext(3, 503);
  auto r = c->get(resources::kNamespaces, "", "default");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(clock.sleeps(), (std::vector<Millis>{Millis(220), Millis(440), Millis(880)}));
}

TEST_F(RestClientTest, RetriesExhaustedReportTheStatus) {
  FakeClock clock;
  FakeRandom random(0.0);
  RestOptions o;
  o.maxRetries = 2;
  auto c = client(o, clock, random);
  server_->failNext(10, 500);
  auto r = c->get(resources::kNamespaces, "", "default");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 500);
  EXPECT_NE(r.error().message.find("get namespaces default: HTTP 500"), std::string::npos) << r.error().message;
  EXPECT_EQ(clock.sleeps(), (std::vector<Millis>{Millis(200), Millis(400)}));
}

TEST_F(RestClientTest, TooManyRequestsHonoursRetryAfter) {
  FakeClock clock;
  FakeRandom random(0.5);
  auto c = client({}, clock, random);
  server_->failNext(2, 429, 3);
  auto r = c->list(resources::kConfigMaps, "default");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(clock.sleeps(), (std::vector<Millis>{Millis(3000), Millis(3000)}));
}

TEST_F(RestClientTest, ForbiddenNamesVerbAndResource) {
  auto c = client();
  server_->failNext(1, 403);
  auto r = c->list(resources::kConfigMaps, "istio-system");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "forbidden: cannot list configmaps in namespace istio-system: grant verb list on configmaps");
  server_->failNext(1, 403);
  auto w = c->get(resources::kMutatingWebhookConfigurations, "", "x");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message,
            "forbidden: cannot get mutatingwebhookconfigurations at cluster scope: grant verb get on "
            "mutatingwebhookconfigurations");
}

TEST_F(RestClientTest, UnauthorizedNamesVerbAndResource) {
  auto c = RestClient::create(connection("wrong-token"));
  ASSERT_TRUE(c);
  auto r = (*c)->list(resources::kPods, "default");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 401);
  EXPECT_EQ(r.error().message.rfind("unauthorized: cannot list pods in namespace default", 0), 0u)
      << r.error().message;
}

TEST_F(RestClientTest, ReusesConnections) {
  auto c = client();
  const int before = server_->connectionsAccepted();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c->get(resources::kNamespaces, "", "default"));
  }
  EXPECT_EQ(server_->connectionsAccepted() - before, 1);
}

TEST_F(RestClientTest, ConcurrentRequestsUseSeveralPooledConnections) {
  auto c = client();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (c->get(resources::kNamespaces, "", "default")) {
          ++ok;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(server_->connectionsAccepted(), 8);
}

TEST_F(RestClientTest, RequestTimeoutIsAnError) {
  RestOptions o;
  o.requestTimeout = Millis(200);
  o.maxRetries = 0;
  auto c = client(o);
  server_->setLatency(std::chrono::milliseconds(1000));
  const auto start = std::chrono::steady_clock::now();
  auto r = c->get(resources::kNamespaces, "", "default");
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error().status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  server_->setLatency(std::chrono::milliseconds(0));
}

TEST_F(RestClientTest, RotatedTokenFileIsReReadOn401) {
  const auto dir = std::filesystem::temp_directory_path() / ("token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto tokenPath = (dir / "token").string();
  std::ofstream(tokenPath) << "first-token\n";
  server_->setTokens({"first-token"});
  ClusterConnection conn = connection("");
  conn.tokenFile = tokenPath;
  auto c = RestClient::create(conn);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE((*c)->get(resources::kNamespaces, "", "default"));
  // Rotation: the server only accepts the new token and the file already has it.
  server_->setTokens({"second-token"});
  std::ofstream(tokenPath) << "second-token\n";
  auto r = (*c)->get(resources::kNamespaces, "", "default");
  EXPECT_TRUE(r) << r.error().message;
  std::filesystem::remove_all(dir);
}

TEST_F(RestClientTest, RawRequestAndBadServerUrl) {
  auto c = client();
  auto v = c->raw("GET", "/version");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 200);
  EXPECT_EQ(nlohmann::json::parse(v->body)["major"], "1");
  ClusterConnection bad = connection();
  bad.server = "http://127.0.0.1:1";
  auto b = RestClient::create(bad);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("only https://"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::controller
