#pragma once

#include <gtest/gtest.h>

#include "fake_mutator.h"
#include "secret_dir.h"
#include "test_client.h"
#include "webhook/server.h"

namespace sidecar::webhook::testing {

// Starts a real server on an ephemeral loopback port with files from a SecretDir.
class ServerFixture : public ::testing::Test {
 protected:
  void startServer(ServerOptions options = {}) {
    creds_ = makeCredentials();
    secret_.publish(creds_.certPem, creds_.keyPem);
    options.address = "127.0.0.1";
    options.port = 0;
    options.tlsCertFile = secret_.certFile();
    options.tlsKeyFile = secret_.keyFile();
    options.monitoringAddress = "127.0.0.1";
    auto server = Server::create(options, mutator_);
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
  }

  void TearDown() override {
    if (server_) {
      server_->stop();
    }
  }

  std::unique_ptr<TestClient> connect() {
    std::string error;
    auto client = TestClient::connectTls(server_->port(), {creds_.caPem}, &error);
    EXPECT_TRUE(client) << error;
    return client;
  }

  std::shared_ptr<FakeMutator> mutator_ = std::make_shared<FakeMutator>();
  SecretDir secret_;
  SelfSignedCredentials creds_;
  std::unique_ptr<Server> server_;
};

}  // namespace sidecar::webhook::testing
