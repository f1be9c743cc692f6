#pragma once

// Request handling as a plain function of (request) -> response: routing, content checks,
// the admission round trip and the health/metrics endpoints. It knows nothing about
// sockets, so it is unit-tested and fuzzed without a network.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "webhook/metrics.h"
#include "webhook/pod_mutator.h"

namespace sidecar::webhook {

struct HttpRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // path with optional query
  std::string_view contentType;
  std::string_view body;
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;  // the Allow header for 405 answers
};

struct HandlerOptions {
  size_t maxBodyBytes = 8 << 20;
  // Serve POST /inject (false on the plain-HTTP monitoring port).
  bool serveInject = true;
  // Lines appended to /readyz's answer, ready or not: degraded states a human should see
  // (a quarantined config, say). Empty: nothing to add.
  std::function<std::string()> readinessDetail;
};

class RequestHandler {
 public:
  // Extra readiness condition beyond the mutator's (the server passes "certificate valid").
  using ReadinessCheck = std::function<bool(std::string* why)>;

  RequestHandler(PodMutatorPtr mutator, std::shared_ptr<Metrics> metrics, HandlerOptions options,
                 ReadinessCheck extraReadiness = {});

  HttpResponse handle(const HttpRequest& request) const;

  // Both readiness conditions; why gets the first failing reason.
  bool ready(std::string* why) const;

  const HandlerOptions& options() const { return options_; }

 private:
  HttpResponse handleInject(const HttpRequest& request) const;
  MutationResult mutateGuarded(const AdmissionRequestView& view) const;
  HttpResponse error(int status, std::string message) const;

  PodMutatorPtr mutator_;
  std::shared_ptr<Metrics> metrics_;
  HandlerOptions options_;
  ReadinessCheck extraReadiness_;
};

// True for "application/json" with optional parameters, any letter case.
bool isJsonContentType(std::string_view contentType);

}  // namespace sidecar::webhook
