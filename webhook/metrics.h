#pragma once

// The webhook's Prometheus metrics, registered into the process's MetricsRegistry
// (common/metrics.h), which /metrics serializes. Other components (config reload, drift)
// register their own families into the same registry; the add* hooks here are kept for
// callers that only hold the webhook's Metrics.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/expected.h"
#include "common/metrics.h"

namespace sidecar::webhook {

class Metrics {
 public:
  // Distinct reason labels kept per family; later newcomers are folded into "other" so a
  // buggy mutator cannot grow the registry without bound.
  static constexpr size_t kMaxReasons = 32;

  // Registers the webhook's families into `registry` (a fresh one when none is given).
  explicit Metrics(MetricsRegistryPtr registry = std::make_shared<MetricsRegistry>());

  std::shared_ptr<prometheus::Registry> registry() const { return metricsRegistry_->shared(); }
  const MetricsRegistryPtr& metricsRegistry() const { return metricsRegistry_; }
  // Prometheus text exposition format (version 0.0.4).
  std::string serialize() const;

  void injectionRequested() { requests_.Increment(); }
  void injectionSucceeded() { success_.Increment(); }
  void injectionSkipped(std::string_view reason);
  void injectionFailed(std::string_view reason);
  void observeInjectionTime(std::chrono::nanoseconds elapsed);

  void certReloaded() { certReloads_.Increment(); }
  void certReloadFailed() { certReloadFailures_.Increment(); }
  void setCertExpiry(double unixSeconds) { certExpiry_.Set(unixSeconds); }

  void connectionAccepted() { connectionsAccepted_.Increment(); connectionsOpen_.Increment(); }
  void connectionClosed() { connectionsOpen_.Decrement(); }
  void connectionRejected() { connectionsRejected_.Increment(); }
  void connectionTimedOut() { connectionsTimedOut_.Increment(); }
  void tlsHandshakeFailed() { handshakeFailures_.Increment(); }
  void httpError(int status);

  // Hooks for other components (config generation, reload counters). Registering a name
  // twice with the same type returns the same family; an invalid or clashing name is an
  // error.
  using GaugeFamily = MetricsRegistry::GaugeFamily;
  using CounterFamily = MetricsRegistry::CounterFamily;
  Expected<GaugeFamily> addGauge(const std::string& name, const std::string& help);
  Expected<CounterFamily> addCounter(const std::string& name, const std::string& help);

  // Read-back for tests and the readiness report.
  double requestsTotal() const { return requests_.Value(); }
  double successTotal() const { return success_.Value(); }
  double skipTotal(std::string_view reason) const;
  double failureTotal(std::string_view reason) const;
  double connectionsRejected() const { return connectionsRejected_.Value(); }
  double connectionsOpen() const { return connectionsOpen_.Value(); }
  double connectionsTimedOut() const { return connectionsTimedOut_.Value(); }
  double certReloads() const { return certReloads_.Value(); }
  double certReloadFailures() const { return certReloadFailures_.Value(); }
  double httpErrors(int status) const;

 private:
  prometheus::Counter& reasonCounter(prometheus::Family<prometheus::Counter>& family,
                                     std::map<std::string, prometheus::Counter*, std::less<>>& seen,
                                     std::string_view reason);

  MetricsRegistryPtr metricsRegistry_;
  prometheus::Registry& registry_;
  prometheus::Family<prometheus::Counter>& skipFamily_;
  prometheus::Family<prometheus::Counter>& failureFamily_;
  prometheus::Family<prometheus::Counter>& httpErrorFamily_;
  prometheus::Counter& requests_;
  prometheus::Counter& success_;
  prometheus::Histogram& injectionTime_;
  prometheus::Counter& certReloads_;
  prometheus::Counter& certReloadFailures_;
  prometheus::Gauge& certExpiry_;
  prometheus::Counter& connectionsAccepted_;
  prometheus::Gauge& connectionsOpen_;
  prometheus::Counter& connectionsRejected_;
  prometheus::Counter& connectionsTimedOut_;
  prometheus::Counter& handshakeFailures_;

  mutable std::mutex mu_;
  std::map<std::string, prometheus::Counter*, std::less<>> skipReasons_;
  std::map<std::string, prometheus::Counter*, std::less<>> failureReasons_;
  std::map<int, prometheus::Counter*> httpErrors_;
};

}  // namespace sidecar::webhook
