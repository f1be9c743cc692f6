#include "controller/config_reloader.h"

#include <openssl/evp.h>

#include <iostream>

namespace sidecar::controller {

std::string sha256Hex(const ConfigSources& s) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  // Length-prefixed, so moving text between keys changes the hash.
  auto feed = [&](const std::string& part, bool present) {
    const std::string header = (present ? "1:" : "0:") + std::to_string(part.size()) + ":";
    EVP_DigestUpdate(ctx.get(), header.data(), header.size());
    EVP_DigestUpdate(ctx.get(), part.data(), part.size());
  };
  feed(s.injectConfig, true);
  feed(s.values, s.hasValues);
  feed(s.mesh, s.hasMesh);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

namespace {

ReflectorOptions reflectorOptions(const ConfigReloaderOptions& o) {
  ReflectorOptions r;
  r.resource = resources::kConfigMaps;
  r.ns = o.ns;
  r.watchTimeoutSeconds = o.watchTimeoutSeconds;
  r.backoff = o.backoff;
  return r;
}

}  // namespace

ConfigReloader::ConfigReloader(RestClient& client, ConfigReloaderOptions options, CompileFunction compile,
                               EventRecorder* events, Clock& clock, Random& random)
    : client_(client),
      options_(std::move(options)),
      compile_(std::move(compile)),
      events_(events),
      clock_(clock),
      cache_(toConfigMapInfo),
      reflector_(client_, reflectorOptions(options_), cache_, clock, random) {
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
  cache_.addHandlers({touched, [touched](const ConfigMapInfo&, const ConfigMapInfo& now) { touched(now); }, touched});
}

ConfigReloader::~ConfigReloader() { stop(); }

void ConfigReloader::start() {
  if (thread_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  reflector_.start();
  thread_ = std::thread([this] { worker(); });
}

void ConfigReloader::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  reflector_.stop();
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
  while (!reflector_.waitForSync(Millis(100))) {
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
                  "configmap " + options_.ns + "/" + options_.injectorConfigMap + " not found; keeping the last good config",
                  origin ? &*origin : nullptr);
    return;
  }
  const std::string* config = injector->value(options_.configKey);
  if (config == nullptr) {
    recordFailure("missing_key",
                  "configmap " + options_.ns + "/" + options_.injectorConfigMap + ": key \"" + options_.configKey +
                      "\" is missing; keeping the last good config",
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
  (void)apply(sources, origin ? &*origin : nullptr);
}

Expected<void> ConfigReloader::apply(const ConfigSources& sources, const ObjectReference* origin) {
  const std::string hash = sha256Hex(sources);
  {
    std::lock_guard lock(mutex_);
    // Resyncs and unrelated edits re-deliver the same inputs: nothing to do, and a known
    // bad input is not reported twice.
    if ((status_.ready && hash == status_.configHash) || hash == lastFailedHash_) {
      return {};
    }
  }
  auto compiled = compile_(sources);
  if (!compiled) {
    {
      std::lock_guard lock(mutex_);
      lastFailedHash_ = hash;
    }
    recordFailure("compile_error", "invalid injector config (keeping the last good one): " + compiled.error().message,
                  origin);
    return fail(compiled.error().message);
  }
  std::function<void(uint64_t)> callback;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    current_ = std::move(*compiled);
    status_.ready = true;
    generation = ++status_.generation;
    status_.configHash = hash;
    status_.lastSuccess = clock_.wallNow();
    ++status_.successes;
    lastFailedHash_.clear();
    callback = onReload_;
  }
  cv_.notify_all();
  std::cerr << "config reloader: generation " << generation << " active (sha256 " << hash.substr(0, 12) << ")\n";
  if (callback) {
    callback(generation);
  }
  return {};
}

void ConfigReloader::recordFailure(const std::string& reason, const std::string& message,
                                   const ObjectReference* origin) {
  {
    std::lock_guard lock(mutex_);
    ++status_.failures;
    ++status_.failuresByReason[reason];
    status_.lastError = message;
  }
  std::cerr << "config reloader: " << reason << ": " << message << "\n";
  if (events_ != nullptr && origin != nullptr) {
    if (auto ok = events_->emitEvent(*origin, EventType::Warning, "InvalidInjectorConfig", message); !ok) {
      std::cerr << "config reloader: cannot emit event: " << ok.error().message << "\n";
    }
  }
}

}  // namespace sidecar::controller
