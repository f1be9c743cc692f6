// Hostile and broken clients against a live server: it must answer or close, never crash,
// and its memory must stay bounded.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "review_samples.h"
#include "server_fixture.h"

namespace sidecar::webhook {
namespace {

using namespace std::chrono_literals;
using testing::reviewJson;

// ASan keeps freed memory in a quarantine (256 MiB by default) and pads every allocation, and
// TSan keeps shadow memory for every thread and allocation (about 1 MiB per idle connection
// here), so RSS bounds get that much slack in sanitized builds; elsewhere they are tight.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr size_t kSanitizerSlack = 320u << 20;
constexpr size_t kSanitizerFactor = 4;
#else
constexpr size_t kSanitizerSlack = 0;
constexpr size_t kSanitizerFactor = 1;
#endif
using testing::TestClient;

class RobustnessTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.maxConnections = 512;
    options.headerTimeout = 30s;  // 300 sanitized handshakes can take seconds
    options.bodyTimeout = 5s;
    startServer(options);
    mutator_->patchWith(testing::kSmallPatch);
  }

  // One round of every kind of bad input; each on a fresh connection where the server
  // may close it.
  void hostileRound() {
    const std::string bodies[] = {
        std::string(100000, '['),
        R"({"apiVersion":"admission.k8s.io/v1","request":5})",
        R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u","object":"x"}})",
        reviewJson().substr(0, 200),
        std::string("{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"\xc3\x28\"}}"),
        "null",
    };
    auto client = connect();
    ASSERT_TRUE(client);
    for (const auto& body : bodies) {
      std::string error;
      auto response = client->request("POST", "/inject", body, "application/json", true, &error);
      ASSERT_TRUE(response) << error;
      EXPECT_TRUE(response->status == 400 || response->status == 200) << response->status;
      if (response->status == 200) {
        EXPECT_EQ(nlohmann::json::parse(response->body)["response"]["allowed"], false);
      }
    }
    // Truncated: the announced body never fully arrives.
    auto truncated = connect();
    ASSERT_TRUE(truncated);
    ASSERT_TRUE(truncated->writeRaw(
        "POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 5000\r\n\r\n" + reviewJson().substr(0, 300)));
    truncated.reset();
    // Oversized: Content-Length beyond the limit is refused from the headers alone.
    auto oversized = connect();
    ASSERT_TRUE(oversized);
    ASSERT_TRUE(oversized->writeRaw(
        "POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000000\r\n\r\n{\"a\":"));
    auto refused = oversized->readResponse();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413);
    // Chunked body growing past the limit.
    auto chunked = connect();
    ASSERT_TRUE(chunked);
    const std::string chunk(1 << 20, ' ');
    std::string request =
        "POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    chunked->writeRaw(request);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    for (int i = 0; i < 10; ++i) {
      if (!chunked->writeRaw(size + chunk + "\r\n")) {
        break;  // the server gave up on us: fine
      }
    }
    // Garbage instead of a TLS handshake.
    auto plain = TestClient::connectPlain(server_->port());
    ASSERT_TRUE(plain);
    plain->writeRaw("GET / HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(plain->closedByPeer(2s));
  }

  void expectAlive() {
    auto client = connect();
    ASSERT_TRUE(client);
    auto response = client->request("POST", "/inject", reviewJson());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(nlohmann::json::parse(response->body)["response"]["allowed"], true);
  }
};

TEST_F(RobustnessTest, SurvivesHostileInputWithBoundedMemory) {
  hostileRound();  // warm up allocator pools and per-thread parsers
  expectAlive();
  const size_t before = testing::residentBytes();
  for (int round = 0; round < 16; ++round) {
    hostileRound();
    if (HasFatalFailure()) {
      return;
    }
  }
  expectAlive();
  const size_t after = testing::residentBytes();
  std::printf("RSS across 16 hostile rounds: %zu -> %zu KiB\n", before >> 10, after >> 10);
  EXPECT_LT(after, before + (48u << 20) + kSanitizerSlack) << "RSS grew from " << before << " to " << after;
  EXPECT_GE(server_->metrics().httpErrors(413), 9);
}

TEST_F(RobustnessTest, ManyIdleConnectionsDoNotBlockService) {
  const size_t before = testing::residentBytes();
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 300; ++i) {
    auto client = TestClient::connectTls(server_->port());
    ASSERT_TRUE(client) << i;
    idle.push_back(std::move(client));
  }
  for (int i = 0; i < 1000 && server_->metrics().connectionsOpen() < 300; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->metrics().connectionsOpen(), 300);
  expectAlive();
  const size_t during = testing::residentBytes();
  std::printf("RSS with 300 idle TLS connections: %zu -> %zu KiB\n", before >> 10, during >> 10);
  // Each idle TLS connection costs both ends (client and server live in this process).
  EXPECT_LT(during, before + 300 * (256u << 10) * kSanitizerFactor + kSanitizerSlack) << before << " -> " << during;
  idle.clear();
  for (int i = 0; i < 1000 && server_->metrics().connectionsOpen() > 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->metrics().connectionsOpen(), 0);
  expectAlive();
}

}  // namespace
}  // namespace sidecar::webhook
