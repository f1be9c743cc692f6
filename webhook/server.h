#pragma once

// The HTTPS admission webhook server: /inject, /healthz, /readyz and /metrics over TLS,
// optionally /metrics, /healthz and /readyz over plain HTTP on a monitoring port, the
// serving certificate hot-reloaded from files, and Istio's health-check file.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/expected.h"
#include "webhook/cert_store.h"
#include "webhook/metrics.h"
#include "webhook/pod_mutator.h"

namespace sidecar::webhook {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 9443;  // 0 binds an ephemeral port
  int threads = 2;

  // Serving credentials: either files (reloaded when they change) or self-signed.
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::chrono::milliseconds certPollInterval{2000};
  bool selfSigned = false;
  std::vector<std::string> selfSignedSans;  // empty: defaultSubjectAltNames(service, namespace)
  std::string serviceName = "istio-sidecar-injector";
  std::string serviceNamespace;  // empty: istio-system
  bool printCaPem = true;
  // Self-signed with a given CA (shared by all replicas) instead of a fresh one.
  std::string selfSignedCaCertPem;
  std::string selfSignedCaKeyPem;  // self-signed: write the CA PEM to stdout at start

  size_t maxBodyBytes = 8 << 20;
  size_t maxHeaderBytes = 16 << 10;
  size_t maxConnections = 1024;
  std::chrono::milliseconds handshakeTimeout{10000};
  std::chrono::milliseconds headerTimeout{10000};  // first request's headers
  std::chrono::milliseconds bodyTimeout{30000};    // body after the headers
  std::chrono::milliseconds idleTimeout{90000};    // keep-alive wait for the next request
  std::chrono::milliseconds writeTimeout{30000};
  std::chrono::milliseconds drainTimeout{10000};  // stop(): wait for in-flight requests

  // Plain-HTTP port for Prometheus (/metrics, /healthz, /readyz only); -1 disables, 0 is
  // ephemeral.
  int monitoringPort = -1;
  std::string monitoringAddress = "0.0.0.0";

  // Extra lines for /readyz (see HandlerOptions::readinessDetail).
  std::function<std::string()> readinessDetail;

  // Istio's health-check file: rewritten every interval while ready, removed otherwise.
  std::string healthCheckFile;
  std::chrono::milliseconds healthCheckInterval{0};
};

class Server {
 public:
  // Validates the options and loads (or generates) the serving certificate. metrics and
  // probe are optional: the server creates its own registry and reads the real files.
  static Expected<std::unique_ptr<Server>> create(ServerOptions options, PodMutatorPtr mutator,
                                                  std::shared_ptr<Metrics> metrics = nullptr,
                                                  std::shared_ptr<const FileProbe> probe = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the ports and starts the worker threads.
  Expected<void> start();
  uint16_t port() const;
  uint16_t monitoringPort() const;  // 0 when disabled

  // Stops accepting, lets in-flight requests finish (up to drainTimeout), closes idle
  // keep-alive connections and joins the workers. Idempotent.
  void stop();

  Metrics& metrics();
  CertStore& certStore();
  // The CA certificate in self-signed mode, empty otherwise.
  const std::string& selfSignedCaPem() const;

  class Impl;
  // Use create(); Impl is private to server.cc, so nothing else can call this.
  explicit Server(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sidecar::webhook
