#pragma once

// A one-shot HTTPS request with real certificate verification: what the test API server
// needs to call admission webhooks (trusting only the webhook's caBundle and checking the
// service's DNS name), and what tests use to talk to servers over TLS.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.h"

namespace sidecar::testapi {

struct HttpsRequest {
  std::string host;  // where to connect (name or IP)
  uint16_t port = 443;
  // The name (DNS or IP) the server certificate must carry; empty: `host`.
  std::string verifyHost;
  // PEM trust anchors; empty trusts nothing, so every handshake fails verification.
  std::string caPem;
  std::string method = "POST";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // One deadline for connect, handshake, write and read together.
  std::chrono::milliseconds timeout{10000};
};

struct HttpsResponse {
  int status = 0;
  std::string body;
};

// Fails with a sentence naming the step: "dial tcp ...", "tls: ...", "timeout after ...".
Expected<HttpsResponse> httpsRequest(const HttpsRequest& request);

}  // namespace sidecar::testapi
