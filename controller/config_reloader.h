#pragma once

// Hot reload of the injector configuration from ConfigMaps: `istio-sidecar-injector`
// (keys `config`, `values`) and `istio` (key `mesh`) in the injector namespace. Every
// change compiles a fresh config from one consistent snapshot of both ConfigMaps (an edit
// is applied whole or not at all) with an injected compile function; success swaps the
// pointer atomically, failure keeps the last good config, logs, counts the reason and
// emits a Warning Event on the ConfigMap. Readers never wait for a compile.
//
// With a CompileJournal, inputs that crashed the process while being compiled are never
// compiled again (see compile_journal.h): the reloader serves the last good inputs instead
// (or the fallback sources, when given), reports itself ready, and says so through a
// Warning Event, its status and the quarantine callback until the ConfigMap changes.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/log.h"
#include "controller/cache_kinds.h"
#include "controller/compile_journal.h"
#include "controller/config_sources.h"
#include "controller/event_recorder.h"
#include "controller/informer.h"
#include "controller/reflector.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

using CompileFunction = std::function<Expected<std::shared_ptr<const void>>(const ConfigSources&)>;

struct ConfigReloaderOptions {
  std::string ns = "istio-system";
  std::string injectorConfigMap = "istio-sidecar-injector";
  std::string meshConfigMap = "istio";
  std::string configKey = "config";
  std::string valuesKey = "values";
  std::string meshKey = "mesh";
  // The Istio revision these ConfigMaps belong to ("default" for the unsuffixed names);
  // carried into metrics and messages.
  std::string revision = "default";
  // Crash memory for compiles; null: none.
  CompileJournal* journal = nullptr;
  // Served while the ConfigMaps' inputs are quarantined and no last good inputs exist
  // (e.g. the built-in default, when the user allows it).
  std::optional<ConfigSources> fallback;
  // The process's shared informers (serve's); null: the reloader runs a factory of its own
  // (a standalone reloader, tests). Only used for the ConfigMap watch's settings below then.
  InformerFactory* informers = nullptr;
  int watchTimeoutSeconds = 300;
  BackoffPolicy backoff{Millis(100), Millis(30000), 0.2};
};

// The ConfigMaps' current inputs crashed a compile once and are not compiled again.
struct QuarantineStatus {
  CompileRecord record;  // the quarantined inputs: hash, ConfigMaps and resourceVersions
  std::string serving;   // what is served instead, for humans
};

// A plain snapshot for /readyz and metrics.
struct ConfigReloadStatus {
  bool ready = false;  // a config has been compiled at least once
  uint64_t generation = 0;
  std::string configHash;  // sha256 (hex) of the active inputs
  std::optional<std::chrono::system_clock::time_point> lastSuccess;
  uint64_t successes = 0;
  uint64_t failures = 0;
  std::map<std::string, uint64_t>
      failuresByReason;  // missing_configmap, missing_key, compile_error
  std::string lastError;
  std::optional<QuarantineStatus> quarantine;
};

class ConfigReloader {
 public:
  ConfigReloader(RestClient& client, ConfigReloaderOptions options, CompileFunction compile,
                 EventRecorder* events = nullptr, Clock& clock = systemClock(),
                 Random& random = systemRandom());
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  void start();
  void stop();
  bool waitUntilReady(Millis timeout) const;

  std::shared_ptr<const void> current() const;
  ConfigReloadStatus status() const;
  // Called after each successful swap with the new generation (on the reload thread).
  void setOnReload(std::function<void(uint64_t generation)> callback);

  // Called when a quarantine starts (with it) or ends (nullopt), on the reload thread.
  void setOnQuarantine(std::function<void(const std::optional<QuarantineStatus>&)> callback);

  // Compiles and swaps from explicit sources; `origin` receives the Warning on failure.
  // `versions` name the inputs in the journal and in messages.
  Expected<void> apply(const ConfigSources& sources, const ObjectReference* origin,
                       const std::vector<SourceVersion>& versions = {});

 private:
  void worker();
  void reconcile();
  void recordFailure(const std::string& reason, const std::string& message,
                     const ObjectReference* origin);
  // Compiles with the journal around the compile; swaps on success.
  Expected<void> compileAndSwap(const ConfigSources& sources, const CompileRecord& record,
                                const std::string& served);
  void enterQuarantine(const CompileRecord& record, const ObjectReference* origin);
  void serveFallback();
  void liftQuarantine();
  ObjectReference referenceFor(const ConfigMapInfo& cm) const;

  RestClient& client_;
  ConfigReloaderOptions options_;
  CompileFunction compile_;
  EventRecorder* events_;
  Clock& clock_;
  ConfigMapCache cache_;
  std::unique_ptr<InformerFactory> ownInformers_;
  InformerFactory& informers_;
  Informer& informer_;
  std::thread thread_;

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::string lastChanged_;
  std::shared_ptr<const void> current_;
  ConfigReloadStatus status_;
  std::string lastFailedHash_;
  std::function<void(uint64_t)> onReload_;
  std::function<void(const std::optional<QuarantineStatus>&)> onQuarantine_;
  ScopedLogger log_{"config"};
};

// Typed view for callers that know the compiled type.
template <class T>
class TypedConfigReloader {
 public:
  using CompileTyped = std::function<Expected<std::shared_ptr<const T>>(const ConfigSources&)>;
  TypedConfigReloader(RestClient& client, ConfigReloaderOptions options, CompileTyped compile,
                      EventRecorder* events = nullptr, Clock& clock = systemClock(),
                      Random& random = systemRandom())
      : reloader_(
            client, std::move(options),
            [compile = std::move(compile)](
                const ConfigSources& s) -> Expected<std::shared_ptr<const void>> {
              auto r = compile(s);
              if (!r) {
                return Unexpected<Error>(r.error());
              }
              return std::static_pointer_cast<const void>(*r);
            },
            events, clock, random) {}

  std::shared_ptr<const T> current() const {
    return std::static_pointer_cast<const T>(reloader_.current());
  }
  ConfigReloader& reloader() { return reloader_; }

 private:
  ConfigReloader reloader_;
};

}  // namespace sidecar::controller
