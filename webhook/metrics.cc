#include "webhook/metrics.h"

namespace sidecar::webhook {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries injectionBuckets() {
  return {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3,
          50e-3, 100e-3, 250e-3, 500e-3, 1.0,  2.5,    5.0,  10.0};
}

// Keeps label values to the charset our reasons use; anything else would be a bug in the
// mutator and must not produce an unreadable or unbounded label.
std::string sanitizeReason(std::string_view reason) {
  std::string out;
  for (char c : reason.substr(0, 64)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    out += ok ? c : '_';
  }
  return out.empty() ? std::string("unknown") : out;
}

}  // namespace

Metrics::Metrics(MetricsRegistryPtr registry)
    : metricsRegistry_(registry ? std::move(registry) : std::make_shared<MetricsRegistry>()),
      registry_(metricsRegistry_->prometheus()),
      skipFamily_(BuildCounter()
                      .Name("sidecar_injection_skip_total")
                      .Help("Admission requests allowed without injection, by reason")
                      .Register(registry_)),
      failureFamily_(BuildCounter()
                         .Name("sidecar_injection_failure_total")
                         .Help("Admission requests whose injection failed, by reason")
                         .Register(registry_)),
      httpErrorFamily_(BuildCounter()
                           .Name("sidecar_webhook_http_errors_total")
                           .Help("HTTP requests answered with an error status, by code")
                           .Register(registry_)),
      requests_(BuildCounter()
                    .Name("sidecar_injection_requests_total")
                    .Help("Admission reviews received on /inject")
                    .Register(registry_)
                    .Add({})),
      success_(BuildCounter()
                   .Name("sidecar_injection_success_total")
                   .Help("Admission reviews answered with a patch")
                   .Register(registry_)
                   .Add({})),
      injectionTime_(BuildHistogram()
                         .Name("sidecar_injection_time_seconds")
                         .Help("Time to decode, mutate and encode one admission review")
                         .Register(registry_)
                         .Add({}, injectionBuckets())),
      certReloads_(BuildCounter()
                       .Name("sidecar_webhook_cert_reloads_total")
                       .Help("Serving certificate generations loaded")
                       .Register(registry_)
                       .Add({})),
      certReloadFailures_(BuildCounter()
                              .Name("sidecar_webhook_cert_reload_failures_total")
                              .Help("Certificate reloads rejected (the previous one is kept)")
                              .Register(registry_)
                              .Add({})),
      certExpiry_(BuildGauge()
                      .Name("sidecar_webhook_cert_expiry_timestamp_seconds")
                      .Help("notAfter of the serving certificate in use, Unix seconds")
                      .Register(registry_)
                      .Add({})),
      connectionsAccepted_(BuildCounter()
                               .Name("sidecar_webhook_connections_accepted_total")
                               .Help("Connections accepted")
                               .Register(registry_)
                               .Add({})),
      connectionsOpen_(BuildGauge()
                           .Name("sidecar_webhook_connections_open")
                           .Help("Connections currently open")
                           .Register(registry_)
                           .Add({})),
      connectionsRejected_(BuildCounter()
                               .Name("sidecar_webhook_connections_rejected_total")
                               .Help("Connections closed at accept because of the limit")
                               .Register(registry_)
                               .Add({})),
      connectionsTimedOut_(BuildCounter()
                               .Name("sidecar_webhook_connections_timed_out_total")
                               .Help("Connections closed by a handshake, read or idle deadline")
                               .Register(registry_)
                               .Add({})),
      handshakeFailures_(BuildCounter()
                             .Name("sidecar_webhook_tls_handshake_failures_total")
                             .Help("TLS handshakes that failed")
                             .Register(registry_)
                             .Add({})) {}

std::string Metrics::serialize() const {
  return metricsRegistry_->serialize();
}

prometheus::Counter& Metrics::reasonCounter(
    prometheus::Family<prometheus::Counter>& family,
    std::map<std::string, prometheus::Counter*, std::less<>>& seen, std::string_view reason) {
  std::lock_guard lock(mu_);
  if (auto it = seen.find(reason); it != seen.end()) {
    return *it->second;
  }
  std::string label = sanitizeReason(reason);
  if (seen.size() >= kMaxReasons) {
    label = "other";
  }
  prometheus::Counter& counter = family.Add({{"reason", label}});
  if (seen.size() < kMaxReasons) {
    seen.emplace(std::string(reason), &counter);
  }
  return counter;
}

void Metrics::injectionSkipped(std::string_view reason) {
  reasonCounter(skipFamily_, skipReasons_, reason).Increment();
}

void Metrics::injectionFailed(std::string_view reason) {
  reasonCounter(failureFamily_, failureReasons_, reason).Increment();
}

void Metrics::observeInjectionTime(std::chrono::nanoseconds elapsed) {
  injectionTime_.Observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::httpError(int status) {
  prometheus::Counter* counter = nullptr;
  {
    std::lock_guard lock(mu_);
    auto& slot = httpErrors_[status];
    if (slot == nullptr) {
      slot = &httpErrorFamily_.Add({{"code", std::to_string(status)}});
    }
    counter = slot;
  }
  counter->Increment();
}

Expected<Metrics::GaugeFamily> Metrics::addGauge(const std::string& name, const std::string& help) {
  return metricsRegistry_->addGauge(name, help);
}

Expected<Metrics::CounterFamily> Metrics::addCounter(const std::string& name,
                                                     const std::string& help) {
  return metricsRegistry_->addCounter(name, help);
}

double Metrics::skipTotal(std::string_view reason) const {
  std::lock_guard lock(mu_);
  auto it = skipReasons_.find(reason);
  return it == skipReasons_.end() ? 0 : it->second->Value();
}

double Metrics::failureTotal(std::string_view reason) const {
  std::lock_guard lock(mu_);
  auto it = failureReasons_.find(reason);
  return it == failureReasons_.end() ? 0 : it->second->Value();
}

double Metrics::httpErrors(int status) const {
  std::lock_guard lock(mu_);
  auto it = httpErrors_.find(status);
  return it == httpErrors_.end() ? 0 : it->second->Value();
}

}  // namespace sidecar::webhook
