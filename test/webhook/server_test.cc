#include "webhook/server.h"

#include <future>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "review_samples.h"
#include "server_fixture.h"

namespace sidecar::webhook {
namespace {

using namespace std::chrono_literals;
using testing::reviewJson;
using testing::ServerFixture;
using testing::TestClient;

using ServerTest = ServerFixture;

TEST_F(ServerTest, V1AndV1beta1OverTlsWithKeepAlive) {
  startServer();
  mutator_->patchWith(testing::kSmallPatch);
  auto client = connect();
  ASSERT_TRUE(client);
  for (const char* version : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    std::string error;
    auto response = client->request("POST", "/inject", reviewJson(version, "uid-1"), "application/json",
                                    true, &error);
    ASSERT_TRUE(response) << error;
    ASSERT_EQ(response->status, 200) << response->body;
    EXPECT_TRUE(response->keepAlive);
    const auto out = nlohmann::json::parse(response->body);
    EXPECT_EQ(out["apiVersion"], version);
    EXPECT_EQ(out["response"]["uid"], "uid-1");
    EXPECT_EQ(out["response"]["allowed"], true);
    EXPECT_EQ(out["response"]["patchType"], "JSONPatch");
    EXPECT_EQ(testing::base64Decode(out["response"]["patch"]), testing::kSmallPatch);
  }
  // Both requests travelled over one connection.
  EXPECT_EQ(server_->metrics().connectionsOpen(), 1);
  EXPECT_EQ(server_->metrics().requestsTotal(), 2);
}

TEST_F(ServerTest, ErrorPathsOverTls) {
  ServerOptions options;
  options.maxBodyBytes = 4096;
  startServer(options);
  auto client = connect();
  ASSERT_TRUE(client);
  std::string error;
  auto get = client->request("GET", "/inject", "", "", true, &error);
  ASSERT_TRUE(get) << error;
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->allow, "POST");
  auto wrongType = client->request("POST", "/inject", reviewJson(), "text/yaml", true, &error);
  ASSERT_TRUE(wrongType) << error;
  EXPECT_EQ(wrongType->status, 415);
  auto empty = client->request("POST", "/inject", "", "application/json", true, &error);
  ASSERT_TRUE(empty) << error;
  EXPECT_EQ(empty->status, 400);
  auto malformed = client->request("POST", "/inject", "{\"request\":", "application/json", true, &error);
  ASSERT_TRUE(malformed) << error;
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find("malformed"), std::string::npos);
  auto missing = client->request("POST", "/inject", R"({"apiVersion":"admission.k8s.io/v1"})",
                                 "application/json", true, &error);
  ASSERT_TRUE(missing) << error;
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->body.find("request is missing"), std::string::npos);
  // The connection survived all of the above; an oversized body is answered and closed.
  auto tooBig = client->request("POST", "/inject", std::string(8192, 'x'), "application/json", true, &error);
  ASSERT_TRUE(tooBig) << error;
  EXPECT_EQ(tooBig->status, 413);
  EXPECT_FALSE(tooBig->keepAlive);
  EXPECT_TRUE(client->closedByPeer(2s));
  EXPECT_EQ(mutator_->calls(), 0);
}

TEST_F(ServerTest, FailedMutationIsDeniedWithMessage) {
  startServer();
  mutator_->failWith("template_error", "rendering sidecar template: line 12: nil pointer");
  auto client = connect();
  ASSERT_TRUE(client);
  auto response = client->request("POST", "/inject", reviewJson());
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  const auto out = nlohmann::json::parse(response->body);
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["code"], 500);
  EXPECT_EQ(out["response"]["status"]["message"], "rendering sidecar template: line 12: nil pointer");
  EXPECT_EQ(server_->metrics().failureTotal("template_error"), 1);
}

TEST_F(ServerTest, HealthReadyAndMetricsOnBothPorts) {
  ServerOptions options;
  options.monitoringPort = 0;
  startServer(options);
  ASSERT_NE(server_->monitoringPort(), 0);
  auto client = connect();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->request("GET", "/healthz")->status, 200);
  EXPECT_EQ(client->request("GET", "/readyz")->status, 200);
  mutator_->setReady(false);
  auto notReady = client->request("GET", "/readyz");
  EXPECT_EQ(notReady->status, 503);
  EXPECT_NE(notReady->body.find("injection config not loaded"), std::string::npos);
  client->request("POST", "/inject", reviewJson());

  auto plain = TestClient::connectPlain(server_->monitoringPort());
  ASSERT_TRUE(plain);
  auto metrics = plain->request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("sidecar_injection_requests_total 1"), std::string::npos);
  EXPECT_EQ(plain->request("POST", "/inject", reviewJson())->status, 404);
  auto head = plain->request("HEAD", "/healthz");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
}

TEST_F(ServerTest, CertRotationWhileConnectionsAreOpen) {
  ServerOptions options;
  options.certPollInterval = 20ms;
  startServer(options);
  auto oldClient = connect();
  ASSERT_TRUE(oldClient);
  const auto oldFingerprint = testing::pemFingerprint(creds_.certPem);
  EXPECT_EQ(oldClient->peerFingerprint(), oldFingerprint);

  auto rotated = testing::makeCredentials();
  secret_.publish(rotated.certPem, rotated.keyPem);
  const auto newFingerprint = testing::pemFingerprint(rotated.certPem);
  std::unique_ptr<TestClient> newClient;
  for (int i = 0; i < 200; ++i) {
    newClient = TestClient::connectTls(server_->port(), {creds_.caPem, rotated.caPem});
    if (newClient && newClient->peerFingerprint() == newFingerprint) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(newClient);
  EXPECT_EQ(newClient->peerFingerprint(), newFingerprint);
  EXPECT_EQ(newClient->request("POST", "/inject", reviewJson())->status, 200);
  // The connection made before the rotation keeps working on its original context.
  auto response = oldClient->request("POST", "/inject", reviewJson());
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server_->certStore().current()->number, 2u);

  // A broken update is ignored: new connections still get the rotated certificate.
  secret_.publish("-----BEGIN CERTIFICATE-----\nbroken\n", rotated.keyPem);
  for (int i = 0; i < 200 && server_->metrics().certReloadFailures() == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->metrics().certReloadFailures(), 1);
  auto afterBad = TestClient::connectTls(server_->port(), {rotated.caPem});
  ASSERT_TRUE(afterBad);
  EXPECT_EQ(afterBad->peerFingerprint(), newFingerprint);
}

// With polling effectively off, only the inotify watch can pick the rotation up.
TEST_F(ServerTest, CertRotationIsNoticedWithoutWaitingForThePoll) {
  ServerOptions options;
  options.certPollInterval = std::chrono::hours(1);
  startServer(options);
  auto rotated = testing::makeCredentials();
  const auto published = std::chrono::steady_clock::now();
  secret_.publish(rotated.certPem, rotated.keyPem);
  const auto newFingerprint = testing::pemFingerprint(rotated.certPem);
  std::unique_ptr<TestClient> client;
  for (int i = 0; i < 300; ++i) {
    client = TestClient::connectTls(server_->port(), {creds_.caPem, rotated.caPem});
    if (client && client->peerFingerprint() == newFingerprint) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(client);
  EXPECT_EQ(client->peerFingerprint(), newFingerprint);
  EXPECT_LT(std::chrono::steady_clock::now() - published, std::chrono::seconds(3));
}

TEST_F(ServerTest, GracefulShutdownFinishesInFlightRequests) {
  ServerOptions options;
  options.threads = 2;
  startServer(options);
  mutator_->patchWith(testing::kSmallPatch);
  auto idle = connect();
  ASSERT_TRUE(idle);
  ASSERT_EQ(idle->request("GET", "/healthz")->status, 200);
  mutator_->setDelay(600ms);
  auto busy = connect();
  ASSERT_TRUE(busy);
  auto inFlight = std::async(std::launch::async, [&] {
    return busy->request("POST", "/inject", reviewJson());
  });
  while (mutator_->calls() == 0) {
    std::this_thread::sleep_for(5ms);
  }
  const auto start = std::chrono::steady_clock::now();
  server_->stop();
  const auto stopTook = std::chrono::steady_clock::now() - start;
  auto response = inFlight.get();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->keepAlive);  // told to go away
  EXPECT_GE(stopTook, 300ms);        // waited for the request
  EXPECT_LT(stopTook, 1500ms);       // and not for a TLS close handshake on top
  EXPECT_TRUE(idle->closedByPeer(1s));
  std::string error;
  EXPECT_FALSE(TestClient::connectTls(server_->port(), {}, &error));
}

TEST_F(ServerTest, DrainTimeoutBoundsShutdown) {
  ServerOptions options;
  options.drainTimeout = 200ms;
  startServer(options);
  mutator_->setDelay(1500ms);
  auto busy = connect();
  ASSERT_TRUE(busy);
  auto inFlight = std::async(std::launch::async, [&] {
    return busy->request("POST", "/inject", reviewJson());
  });
  while (mutator_->calls() == 0) {
    std::this_thread::sleep_for(5ms);
  }
  const auto start = std::chrono::steady_clock::now();
  server_->stop();
  // stop() waits for the drain timeout, then for the worker stuck in the slow mutator.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  inFlight.wait();
}

TEST_F(ServerTest, IdleConnectionsTimeOut) {
  ServerOptions options;
  options.idleTimeout = 200ms;
  options.headerTimeout = 300ms;
  startServer(options);
  auto client = connect();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->request("GET", "/healthz")->status, 200);
  EXPECT_TRUE(client->closedByPeer(3s));
  // A client that connects and never sends a request hits the header deadline.
  auto silent = connect();
  ASSERT_TRUE(silent);
  EXPECT_TRUE(silent->closedByPeer(3s));
  // A client that sends half the headers is cut off too.
  auto slow = connect();
  ASSERT_TRUE(slow);
  ASSERT_TRUE(slow->writeRaw("POST /inject HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(slow->closedByPeer(3s));
  // Beast closes the socket when the deadline fires and runs our handler (which counts)
  // right after, so the client can see the close first.
  for (int i = 0; i < 100 && server_->metrics().connectionsTimedOut() < 3; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->metrics().connectionsTimedOut(), 3);
}

TEST_F(ServerTest, SlowBodyHitsBodyDeadline) {
  ServerOptions options;
  options.bodyTimeout = 200ms;
  startServer(options);
  auto client = connect();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->writeRaw(
      "POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"));
  EXPECT_TRUE(client->closedByPeer(3s));
  EXPECT_EQ(mutator_->calls(), 0);
}

TEST_F(ServerTest, ConnectionLimitRefusesExtraConnections) {
  ServerOptions options;
  options.maxConnections = 3;
  startServer(options);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connect());
    ASSERT_TRUE(clients.back());
    ASSERT_EQ(clients.back()->request("GET", "/healthz")->status, 200);
  }
  std::string error;
  EXPECT_FALSE(TestClient::connectTls(server_->port(), {}, &error));
  EXPECT_EQ(server_->metrics().connectionsRejected(), 1);
  // Existing connections are unaffected, and closing one frees a slot.
  EXPECT_EQ(clients[0]->request("GET", "/healthz")->status, 200);
  clients.pop_back();
  std::unique_ptr<TestClient> again;
  for (int i = 0; i < 100 && !again; ++i) {
    std::this_thread::sleep_for(20ms);
    again = TestClient::connectTls(server_->port(), {});
  }
  ASSERT_TRUE(again);
  EXPECT_EQ(again->request("GET", "/healthz")->status, 200);
}

TEST_F(ServerTest, MalformedHttpIsAnswered400) {
  startServer();
  auto client = connect();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->writeRaw("BREW /inject HTCPCP/1.0\r\n\r\n"));
  auto response = client->readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
}

TEST_F(ServerTest, SelfSignedModeServesWithGeneratedCa) {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.selfSigned = true;
  options.printCaPem = false;
  auto server = Server::create(options, mutator_);
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_TRUE((*server)->start());
  const std::string ca = (*server)->selfSignedCaPem();
  EXPECT_NE(ca.find("BEGIN CERTIFICATE"), std::string::npos);
  std::string error;
  auto client = TestClient::connectTls((*server)->port(), {ca}, &error);
  ASSERT_TRUE(client) << error;
  EXPECT_EQ(client->request("GET", "/readyz")->status, 200);
  (*server)->stop();
}

TEST_F(ServerTest, HealthCheckFileFollowsReadiness) {
  ServerOptions options;
  const auto file = secret_.root() / "health";
  options.healthCheckFile = file.string();
  options.healthCheckInterval = 20ms;
  startServer(options);
  for (int i = 0; i < 100 && !std::filesystem::exists(file); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(std::filesystem::exists(file));
  mutator_->setReady(false);
  for (int i = 0; i < 100 && std::filesystem::exists(file); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(ServerCreate, RejectsBadOptions) {
  auto mutator = std::make_shared<testing::FakeMutator>();
  ServerOptions options;
  auto noCert = Server::create(options, mutator);
  ASSERT_FALSE(noCert);
  EXPECT_NE(noCert.error().message.find("--tlsCertFile"), std::string::npos);
  options.selfSigned = true;
  options.threads = 0;
  EXPECT_FALSE(Server::create(options, mutator));
  options.threads = 1;
  EXPECT_FALSE(Server::create(options, nullptr));
  options.address = "not-an-ip";
  options.printCaPem = false;
  auto server = Server::create(options, mutator);
  ASSERT_TRUE(server);
  auto started = (*server)->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("not-an-ip"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::webhook
