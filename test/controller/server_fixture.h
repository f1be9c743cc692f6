#pragma once

// A running test API server plus helpers shared by the controller tests.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "controller/rest_client.h"
#include "test/apiserver/test_apiserver.h"

namespace sidecar::controller::testing {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testapi::TestApiServerOptions options;
    options.bookmarkInterval = std::chrono::milliseconds(200);
    auto s = testapi::TestApiServer::start(options);
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
    }
  }

  ClusterConnection connection(const std::string& token = "test-token") const {
    ClusterConnection c;
    c.server = server_->url();
    c.caPem = server_->caPem();
    c.bearerToken = token;
    return c;
  }

  RestClientPtr client(RestOptions options = {}, Clock& clock = systemClock(), Random& random = systemRandom()) {
    auto c = RestClient::create(connection(), options, clock, random);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(*c) : nullptr;
  }

  // Direct store access (no network) for seeding and reading back.
  nlohmann::json serverRequest(const std::string& method, const std::string& path, const nlohmann::json& body = {},
                               const std::string& contentType = "application/json") {
    auto r = server_->store().request(method, path, body.is_null() ? "" : body.dump(), contentType);
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return nlohmann::json::parse(r.body);
  }

  void createNamespace(const std::string& name) {
    serverRequest("POST", "/api/v1/namespaces", {{"metadata", {{"name", name}}}});
  }

  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
  }

  std::unique_ptr<testapi::TestApiServer> server_;
};

inline nlohmann::json configMap(const std::string& ns, const std::string& name, nlohmann::json data,
                                nlohmann::json labels = nlohmann::json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"data", data}};
}

}  // namespace sidecar::controller::testing
