#include "controller/config_reloader.h"

#include <stdexcept>

namespace sidecar::controller {

namespace {

std::unique_ptr<InformerFactory> ownFactory(RestClient& client, const ConfigReloaderOptions& o,
                                            Clock& clock, Random& random) {
  if (o.informers != nullptr) {
    return nullptr;
  }
  return std::make_unique<InformerFactory>(
      client, InformerFactoryOptions{500, o.watchTimeoutSeconds, o.backoff}, clock, random);
}

}  // namespace

ConfigReloader::ConfigReloader(RestClient& client, ConfigReloaderOptions options,
                               CompileFunction compile, EventRecorder* events, Clock& clock,
                               Random& random)
    : client_(client),
      options_(std::move(options)),
      compile_(std::move(compile)),
      events_(events),
      clock_(clock),
      cache_(toConfigMapInfo),
      ownInformers_(ownFactory(client, options_, clock, random)),
      informers_(ownInformers_ ? *ownInformers_ : *options_.informers),
      informer_(informers_.subscribe(resources::kConfigMaps, options_.ns, cache_)) {
  auto touched = [this](const ConfigMapInfo& cm) {
    if (cm.meta.name != options_.injectorConfigMap && cm.meta.name != options_.meshConfigMap) {
      return;
    }
    {
      std::lock_guard lock(mutex_);
      dirty_ = true;
      lastChanged_ = cm.meta.name;
    }
    cv_.notify_all();
  };
  cache_.addHandlers({touched,
                      [touched](const ConfigMapInfo&, const ConfigMapInfo& now) { touched(now); },
                      touched});
}

ConfigReloader::~ConfigReloader() {
  stop();
  // A shared informer goes on running: it must not call into this object any more.
  informers_.unsubscribe(cache_);
}

void ConfigReloader::start() {
  if (thread_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  if (ownInformers_) {
    ownInformers_->start();
  }
  thread_ = std::thread([this] { worker(); });
}

void ConfigReloader::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (ownInformers_) {
    ownInformers_->stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool ConfigReloader::waitUntilReady(Millis timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return status_.ready; });
}

std::shared_ptr<const void> ConfigReloader::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

ConfigReloadStatus ConfigReloader::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void ConfigReloader::setOnReload(std::function<void(uint64_t)> callback) {
  std::lock_guard lock(mutex_);
  onReload_ = std::move(callback);
}

void ConfigReloader::worker() {
  // The first reconcile waits for the initial LIST, so a half-seen pair of ConfigMaps is
  // never compiled.
  while (!informer_.waitForSync(Millis(100))) {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
  }
  {
    // Reconcile once after the initial sync even if neither ConfigMap exists yet, so the
    // failure is reported.
    std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return dirty_ || stopping_; });
      if (stopping_) {
        return;
      }
      dirty_ = false;
    }
    reconcile();
  }
}

ObjectReference ConfigReloader::referenceFor(const ConfigMapInfo& cm) const {
  return {"v1", "ConfigMap", cm.meta.ns, cm.meta.name, cm.meta.uid, cm.meta.resourceVersion};
}

void ConfigReloader::reconcile() {
  auto injector = cache_.get(options_.ns, options_.injectorConfigMap);
  auto mesh = cache_.get(options_.ns, options_.meshConfigMap);
  std::string changed;
  {
    std::lock_guard lock(mutex_);
    changed = lastChanged_;
  }
  std::optional<ObjectReference> origin;
  if (changed == options_.meshConfigMap && mesh) {
    origin = referenceFor(*mesh);
  } else if (injector) {
    origin = referenceFor(*injector);
  }
  if (!injector) {
    recordFailure("missing_configmap",
                  "configmap " + options_.ns + "/" + options_.injectorConfigMap +
                      " not found; keeping the last good config",
                  origin ? &*origin : nullptr);
    return;
  }
  const std::string* config = injector->value(options_.configKey);
  if (config == nullptr) {
    recordFailure("missing_key",
                  "configmap " + options_.ns + "/" + options_.injectorConfigMap + ": key \"" +
                      options_.configKey + "\" is missing; keeping the last good config",
                  origin ? &*origin : nullptr);
    return;
  }
  ConfigSources sources;
  sources.injectConfig = *config;
  if (const std::string* values = injector->value(options_.valuesKey)) {
    sources.values = *values;
    sources.hasValues = true;
  }
  if (mesh) {
    if (const std::string* m = mesh->value(options_.meshKey)) {
      sources.mesh = *m;
      sources.hasMesh = true;
    }
  }
  std::vector<SourceVersion> versions{
      {options_.ns + "/" + options_.injectorConfigMap, injector->meta.resourceVersion}};
  if (mesh) {
    versions.push_back({options_.ns + "/" + options_.meshConfigMap, mesh->meta.resourceVersion});
  }
  (void)apply(sources, origin ? &*origin : nullptr, versions);
}

Expected<void> ConfigReloader::apply(const ConfigSources& sources, const ObjectReference* origin,
                                     const std::vector<SourceVersion>& versions) {
  const std::string hash = sha256Hex(sources);
  {
    std::lock_guard lock(mutex_);
    // Resyncs and unrelated edits re-deliver the same inputs: nothing to do, and a known
    // bad input is not reported twice.
    if ((status_.ready && hash == status_.configHash && !status_.quarantine) ||
        hash == lastFailedHash_) {
      return {};
    }
  }
  CompileRecord record{
      hash, versions,
      std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch())
          .count()};
  if (options_.journal != nullptr) {
    if (auto quarantined = options_.journal->quarantined(hash)) {
      // Keep the versions of the crash: they are what the user wrote when it happened.
      enterQuarantine(*quarantined, origin);
      return fail("the config " + describe(quarantined->versions) + " is quarantined");
    }
  }
  auto applied = compileAndSwap(sources, record, "the config " + describe(versions));
  if (!applied) {
    {
      std::lock_guard lock(mutex_);
      lastFailedHash_ = hash;
    }
    recordFailure("compile_error",
                  "invalid injector config (keeping the last good one): " + applied.error().message,
                  origin);
  }
  // The ConfigMaps changed to something that is not quarantined: whatever the compile said,
  // the quarantined inputs are no longer what they hold.
  liftQuarantine();
  return applied;
}

Expected<void> ConfigReloader::compileAndSwap(const ConfigSources& sources,
                                              const CompileRecord& record,
                                              const std::string& served) {
  if (options_.journal != nullptr) {
    if (auto begun = options_.journal->begin(record); !begun) {
      log_.warn(std::string("config journal: ") + begun.error().message +
                " (a crash in this compile will not be remembered)");
    }
  }
  Expected<std::shared_ptr<const void>> compiled = fail("not compiled");
  try {
    compiled = compile_(sources);
  } catch (const std::exception& e) {
    // A compile step that throws is a bug, but must not take the reload thread down.
    compiled = fail(std::string("internal error while compiling: ") + e.what());
  }
  if (options_.journal != nullptr) {
    auto ended =
        compiled ? options_.journal->succeeded(record, sources) : options_.journal->failed();
    if (!ended) {
      log_.warn(std::string("config journal: ") + ended.error().message);
    }
  }
  if (!compiled) {
    return fail(compiled.error().message);
  }
  std::function<void(uint64_t)> callback;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    current_ = std::move(*compiled);
    status_.ready = true;
    generation = ++status_.generation;
    status_.configHash = record.hash;
    status_.lastSuccess = clock_.wallNow();
    ++status_.successes;
    lastFailedHash_.clear();
    callback = onReload_;
  }
  cv_.notify_all();
  log_.info(std::string("generation ") + std::to_string(generation) + " active (" + served +
            ", sha256 " + record.hash.substr(0, 12) + ")");
  if (callback) {
    callback(generation);
  }
  return {};
}

void ConfigReloader::enterQuarantine(const CompileRecord& record, const ObjectReference* origin) {
  bool ready = false;
  {
    std::lock_guard lock(mutex_);
    if (status_.quarantine && status_.quarantine->record.hash == record.hash) {
      return;  // a resync or an unrelated edit; said once already
    }
    // Recorded before a fallback makes this replica ready, so that no reader sees it ready
    // without the quarantine.
    status_.quarantine = QuarantineStatus{record, "nothing yet"};
    ready = status_.ready;
  }
  if (!ready) {
    serveFallback();
  }
  QuarantineStatus quarantine;
  std::function<void(const std::optional<QuarantineStatus>&)> callback;
  {
    std::lock_guard lock(mutex_);
    const std::string serving =
        status_.ready ? "the last good config (sha256 " + status_.configHash.substr(0, 12) +
                            ", generation " + std::to_string(status_.generation) + ")"
                      : "nothing (no config has compiled in this pod; edit the ConfigMap)";
    status_.quarantine->serving = serving;
    quarantine = *status_.quarantine;
    callback = onQuarantine_;
  }
  const std::string message =
      "the config " + describe(record.versions) + " (sha256 " + record.hash.substr(0, 12) +
      ") crashed the injector while it was being compiled; this pod will not compile it "
      "again and serves " +
      quarantine.serving + " until the ConfigMap changes";
  log_.warn(std::string("quarantine (revision ") + options_.revision + "): " + message);
  if (events_ != nullptr && origin != nullptr) {
    // The reference names the resourceVersion that crashed, not the one that resynced.
    ObjectReference at = *origin;
    for (const auto& v : record.versions) {
      if (v.name == at.ns + "/" + at.name && !v.resourceVersion.empty()) {
        at.resourceVersion = v.resourceVersion;
      }
    }
    if (auto ok = events_->emitEvent(at, EventType::Warning, "ConfigQuarantined", message); !ok) {
      log_.warn(std::string("cannot emit event: ") + ok.error().message);
    }
  }
  if (callback) {
    callback(quarantine);
  }
}

void ConfigReloader::serveFallback() {
  // The last inputs that compiled in this pod, else the fallback the user allowed — unless
  // they crashed too.
  std::vector<std::pair<ConfigSources, CompileRecord>> candidates;
  if (const auto& good = options_.journal->lastGood()) {
    candidates.emplace_back(good->sources, good->record);
  }
  if (options_.fallback) {
    const std::string hash = sha256Hex(*options_.fallback);
    candidates.emplace_back(*options_.fallback,
                            CompileRecord{hash, {{"the built-in default config", ""}}, 0});
  }
  for (const auto& [sources, record] : candidates) {
    if (options_.journal->quarantined(record.hash)) {
      continue;
    }
    if (auto ok = compileAndSwap(sources, record, "fallback: " + describe(record.versions)); ok) {
      return;
    } else {
      log_.warn(std::string("fallback ") + describe(record.versions) +
                " does not compile: " + ok.error().message);
    }
  }
  log_.warn(std::string("no config to serve while the ConfigMap's config is quarantined"));
}

void ConfigReloader::liftQuarantine() {
  std::function<void(const std::optional<QuarantineStatus>&)> callback;
  {
    std::lock_guard lock(mutex_);
    if (!status_.quarantine) {
      return;
    }
    log_.info(std::string("quarantine of ") + describe(status_.quarantine->record.versions) +
              " lifted: the ConfigMap changed");
    status_.quarantine.reset();
    callback = onQuarantine_;
  }
  if (callback) {
    callback(std::nullopt);
  }
}

void ConfigReloader::setOnQuarantine(
    std::function<void(const std::optional<QuarantineStatus>&)> callback) {
  std::lock_guard lock(mutex_);
  onQuarantine_ = std::move(callback);
}

void ConfigReloader::recordFailure(const std::string& reason, const std::string& message,
                                   const ObjectReference* origin) {
  {
    std::lock_guard lock(mutex_);
    ++status_.failures;
    ++status_.failuresByReason[reason];
    status_.lastError = message;
  }
  log_.warn(reason + ": " + message);
  if (events_ != nullptr && origin != nullptr) {
    if (auto ok = events_->emitEvent(*origin, EventType::Warning, "InvalidInjectorConfig", message);
        !ok) {
      log_.warn(std::string("cannot emit event: ") + ok.error().message);
    }
  }
}

}  // namespace sidecar::controller
