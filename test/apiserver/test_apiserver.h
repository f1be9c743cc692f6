#pragma once

// A Kubernetes API server for tests: the real wire protocol (TLS, bearer tokens or client
// certificates, discovery, JSON CRUD, patches, chunked watch streams with bookmarks) over
// an in-memory ObjectStore, mutating admission webhooks on pod CREATE over HTTP (always on,
// see admission.h; in-process store() requests bypass it), an optional Deployment
// controller, plus fault injection. Runs its own I/O thread; usable in-process
// by tests and as the `test-apiserver` executable for kubectl end-to-end tests.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/expected.h"
#include "test/apiserver/admission.h"
#include "test/apiserver/object_store.h"
#include "test/apiserver/tls_cert.h"

namespace sidecar::testapi {

struct TestApiServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port
  std::vector<std::string> tokens = {"test-token"};
  std::chrono::milliseconds bookmarkInterval{1000};
  // Where ca.crt is written; empty: a fresh directory under /tmp.
  std::string certDir;
  // Service routing for admission webhooks: "namespace/name" -> "host:port".
  std::map<std::string, std::string> serviceEndpoints;
  // Runs the Deployment controller (see deployment_controller.h).
  bool controllers = false;
};

class TestApiServer {
 public:
  static Expected<std::unique_ptr<TestApiServer>> start(TestApiServerOptions options = {});
  ~TestApiServer();
  TestApiServer(const TestApiServer&) = delete;
  TestApiServer& operator=(const TestApiServer&) = delete;

  void stop();
  uint16_t port() const;
  std::string url() const;  // https://127.0.0.1:<port>
  const std::string& caFile() const;
  const std::string& caPem() const;
  const std::string& certDir() const;
  ObjectStore& store();

  // A client certificate the server accepts (signed by its CA).
  Expected<CertificatePair> issueClientCertificate(const std::string& commonName) const;
  // A kubeconfig for this server with a token user and the CA file.
  std::string kubeconfig(const std::string& token) const;

  // Fault injection.
  void dropWatches();
  // The next `count` requests whose target contains `pathFilter` get `status`, with a
  // Retry-After header when retryAfterSeconds >= 0.
  void failNext(int count, int status, int retryAfterSeconds = -1, const std::string& pathFilter = "");
  void setLatency(std::chrono::milliseconds latency);
  void setTokens(std::vector<std::string> tokens);

  // "GET /api/v1/...?..." for every request received, in order.
  std::vector<std::string> requestLog() const;
  void clearRequestLog();
  int activeWatches() const;
  // Every mutating webhook call made so far (also GET /testcontrol/admission-log).
  std::vector<AdmissionRecord> admissionLog() const;
  int connectionsAccepted() const;

  struct Impl;

 private:
  explicit TestApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar::testapi
