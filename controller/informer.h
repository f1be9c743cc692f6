#pragma once

// One list+watch per watched kind in the process, shared by every component that reads that
// kind (client-go's shared informers): the config reloader, the caBundle keeper and drift
// subscribe their sinks to the same Informer, whose one reflector delivers every list and
// event to all of them, in order, on its thread. Adding a watched kind is one call to
// InformerFactory::informer().
//
// The informer keeps no copy of the objects: each subscriber keeps the little it reads
// (a ConfigMap's keys, a pod's drift record), which is what bounds memory per pod. So every
// sink subscribes before the factory starts; a late subscriber would miss the initial list.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "controller/reflector.h"
#include "controller/resource.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

class Informer final : public ReflectorSink {
 public:
  Informer(RestClient& client, ReflectorOptions options, Clock& clock, Random& random);
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  bool synced() const { return reflector_.synced(); }
  bool waitForSync(Millis timeout) const { return reflector_.waitForSync(timeout); }
  ReflectorStats stats() const { return reflector_.stats(); }
  const ResourceDescriptor& resource() const { return reflector_.resource(); }
  size_t subscribers() const;

  // ReflectorSink: fans out to the subscribers.
  void replace(std::vector<nlohmann::json> items, const std::string& resourceVersion) override;
  void apply(WatchEventType type, nlohmann::json object) override;

 private:
  friend class InformerFactory;
  // The sink must outlive the informer's reflector (stop the factory first).
  void subscribe(ReflectorSink& sink);
  void unsubscribe(ReflectorSink& sink);
  void start();
  void stop();

  // Held while delivering, so unsubscribe() never returns while its sink is being called.
  mutable std::mutex mutex_;
  std::vector<ReflectorSink*> sinks_;
  bool started_ = false;
  Reflector reflector_;
};

struct InformerFactoryOptions {
  int pageSize = 500;
  int watchTimeoutSeconds = 300;
  BackoffPolicy backoff{Millis(100), Millis(30000), 0.2};
};

class InformerFactory {
 public:
  explicit InformerFactory(RestClient& client, InformerFactoryOptions options = {},
                           Clock& clock = systemClock(), Random& random = systemRandom());
  ~InformerFactory();
  InformerFactory(const InformerFactory&) = delete;
  InformerFactory& operator=(const InformerFactory&) = delete;

  // Subscribes `sink` to the informer of `resource` in namespace `ns` ("" = all namespaces,
  // or cluster-scoped), created on first use and shared by every later subscriber. A kind
  // first subscribed after start() starts at once; a second subscriber of an informer that
  // already runs would miss its first list, so that is a programming error.
  Informer& subscribe(const ResourceDescriptor& resource, const std::string& ns,
                      ReflectorSink& sink);

  // Stops delivering to `sink` (waits for a delivery in progress): a component calls this
  // before it goes away, whether or not the factory still runs.
  void unsubscribe(ReflectorSink& sink);

  void start();
  // Stops every reflector; returns promptly even mid-watch. Idempotent.
  void stop();
  bool waitForSync(Millis timeout) const;

  // "pods", "configmaps in sidecar-injector", ... with each reflector's statistics.
  std::vector<std::pair<std::string, ReflectorStats>> stats() const;
  size_t size() const;

 private:
  RestClient& client_;
  InformerFactoryOptions options_;
  Clock& clock_;
  Random& random_;
  mutable std::mutex mutex_;
  bool started_ = false;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Informer>> informers_;
};

}  // namespace sidecar::controller
