#pragma once

// List+watch with Kubernetes semantics: a paginated LIST, then a WATCH from the list's
// resourceVersion (bookmarks on, server-side timeout), resuming from the last seen
// resourceVersion after a dropped or timed-out stream, a full relist on 410 Gone (HTTP
// status or ERROR event), and capped jittered backoff after errors. Runs on its own thread.

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "controller/backoff.h"
#include "controller/resource.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

enum class WatchEventType { Added, Modified, Deleted };

// Where a reflector delivers state; implemented by Cache<T>.
class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // The complete state after a (re)list.
  virtual void replace(std::vector<nlohmann::json> items, const std::string& resourceVersion) = 0;
  virtual void apply(WatchEventType type, nlohmann::json object) = 0;
};

struct ReflectorOptions {
  ResourceDescriptor resource;
  std::string ns;  // empty: all namespaces (or cluster-scoped)
  std::string labelSelector;
  std::string fieldSelector;
  int pageSize = 500;
  int watchTimeoutSeconds = 300;
  BackoffPolicy backoff{Millis(100), Millis(30000), 0.2};
  // List/watch failures are logged here at warn (and counted in stats()).
  ScopedLogger log{"reflector"};
};

struct ReflectorStats {
  uint64_t lists = 0;
  uint64_t watches = 0;
  uint64_t relistsOnGone = 0;
  uint64_t events = 0;
  uint64_t bookmarks = 0;
  uint64_t errors = 0;
  std::string lastResourceVersion;
  std::string lastError;
};

class Reflector {
 public:
  Reflector(RestClient& client, ReflectorOptions options, ReflectorSink& sink, Clock& clock = systemClock(),
            Random& random = systemRandom());
  ~Reflector();
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;

  void start();
  // Returns promptly even mid-watch or mid-backoff.
  void stop();
  bool synced() const { return synced_.load(); }
  bool waitForSync(Millis timeout) const;
  ReflectorStats stats() const;
  const ResourceDescriptor& resource() const { return options_.resource; }

 private:
  void run();
  bool listAll();
  // Returns true when a relist is needed.
  bool watchOnce();
  void recordError(const std::string& message);

  RestClient& client_;
  ReflectorOptions options_;
  ReflectorSink& sink_;
  Clock& clock_;
  Backoff backoff_;
  StopSignal stop_;
  std::thread thread_;
  std::atomic<bool> synced_{false};

  mutable std::mutex mutex_;
  mutable std::condition_variable syncedCv_;
  ReflectorStats stats_;
  std::string resourceVersion_;
  WatchStream* currentStream_ = nullptr;
};

}  // namespace sidecar::controller
