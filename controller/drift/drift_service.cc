#include "controller/drift/drift_service.h"

#include <algorithm>
#include <unordered_set>

#include "controller/drift/cluster_reader.h"
#include "kube/json_access.h"

namespace sidecar::drift {

namespace ctl = controller;
using kube::member;
using kube::stringMember;
using nlohmann::json;

namespace {

// APIs older clusters lack (policy/v1 and batch/v1 CronJob came with 1.21): drift works
// without them, with less detail, instead of waiting forever for their first list.
bool optionalKind(const ctl::ResourceDescriptor& rd) {
  return &rd == &kPodDisruptionBudgets || &rd == &ctl::resources::kCronJobs;
}

// The part of a MutatingWebhookConfiguration webhook selection reads: caBundle rotations
// and the like must not re-render every pod.
json selectionPart(const json& mwc) {
  json webhooks = member(mwc, "webhooks");
  if (webhooks.is_array()) {
    for (auto& w : webhooks) {
      if (w.is_object()) {
        w.erase("clientConfig");
      }
    }
  }
  return webhooks;
}

// What a pod contributes to reports and restart plans; an event that leaves it unchanged
// (most status updates) needs no sync.
struct PodFootprint {
  bool exists = false;
  ReasonSet reasons;
  bool completed = false;
  std::optional<OwnerRef> owner;
  const Expectation* expected = nullptr;

  bool operator==(const PodFootprint& o) const {
    return exists == o.exists && reasons == o.reasons && completed == o.completed &&
           expected == o.expected && owner.has_value() == o.owner.has_value() &&
           (!owner || (owner->kind == o.owner->kind && owner->name == o.owner->name));
  }
};

PodFootprint footprint(const DriftTracker& tracker, const std::string& ns,
                       const std::string& name) {
  const PodDrift* p = tracker.find(ns, name);
  if (p == nullptr) {
    return {};
  }
  return {true, p->reasons, p->pod.completed(), p->pod.controller, p->expected.get()};
}

}  // namespace

struct DriftService::Event {
  enum class Type { Replace, Upsert, Delete, Config };
  Type type = Type::Upsert;
  const ctl::ResourceDescriptor* resource = nullptr;
  std::vector<json> items;  // Replace
  json object;              // Upsert, Delete
  inject::InjectionConfigPtr config;
  std::string hash;
};

class DriftService::QueueSink final : public ctl::ReflectorSink {
 public:
  QueueSink(DriftService& owner, const ctl::ResourceDescriptor& rd) : owner_(owner), rd_(rd) {}

  void replace(std::vector<json> items, const std::string&) override {
    Event e;
    e.type = Event::Type::Replace;
    e.resource = &rd_;
    e.items = std::move(items);
    owner_.enqueue(std::move(e));
  }
  void apply(ctl::WatchEventType type, json object) override {
    Event e;
    e.type = type == ctl::WatchEventType::Deleted ? Event::Type::Delete : Event::Type::Upsert;
    e.resource = &rd_;
    e.object = std::move(object);
    owner_.enqueue(std::move(e));
  }

 private:
  DriftService& owner_;
  const ctl::ResourceDescriptor& rd_;
};

DriftService::DriftService(ctl::RestClient& client, DriftServiceOptions options,
                           std::function<bool()> isLeader, DriftServiceCallbacks callbacks,
                           Clock& clock)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      isLeader_(std::move(isLeader)),
      callbacks_(std::move(callbacks)),
      kinds_(driftKinds()),  // any arrival order works: late context recomputes its pods
      reconciler_(
          client, options_.reconciler, isLeader_, [&clock] { return clock.now(); },
          [&clock] { return clock.wallNow(); }) {
  if (options_.informers == nullptr) {
    ownInformers_ = std::make_unique<ctl::InformerFactory>(
        client, ctl::InformerFactoryOptions{options_.pageSize, options_.watchTimeoutSeconds, {}});
  }
  informers_ = ownInformers_ ? ownInformers_.get() : options_.informers;
  for (const auto* rd : kinds_) {
    sinks_.push_back(std::make_unique<QueueSink>(*this, *rd));
  }
}

DriftService::~DriftService() {
  stop();
}

void DriftService::start() {
  {
    std::lock_guard lock(queueMutex_);
    if (running_ || stopping_) {
      return;
    }
    running_ = true;
  }
  std::vector<std::string> skipped;
  for (size_t i = 0; options_.watch && i < kinds_.size(); ++i) {
    const ctl::ResourceDescriptor& rd = *kinds_[i];
    if (optionalKind(rd)) {
      ctl::ListOptions probe;
      probe.limit = 1;
      auto listed = client_.list(rd, "", probe);
      if (!listed && listed.error().notFound()) {
        skipped.push_back(rd.resource);
        warn("drift: the cluster does not serve " + rd.apiVersion() + " " + rd.resource +
             "; continuing without them");
        continue;
      }
    }
    informers_->subscribe(rd, "", *sinks_[i]);
  }
  {
    std::lock_guard lock(stateMutex_);
    stats_.skippedResources = std::move(skipped);
    stats_.synced = !options_.watch;
  }
  worker_ = std::thread([this] { run(); });
  if (ownInformers_) {
    ownInformers_->start();
  }
}

void DriftService::stop() {
  if (ownInformers_) {
    ownInformers_->stop();
  }
  for (auto& sink : sinks_) {
    informers_->unsubscribe(*sink);
  }
  {
    std::lock_guard lock(queueMutex_);
    stopping_ = true;
  }
  queueCv_.notify_all();
  if (worker_.joinable()) {
    worker_.join();
  }
  idleCv_.notify_all();
}

void DriftService::setConfig(inject::InjectionConfigPtr config, std::string configHash) {
  Event e;
  e.type = Event::Type::Config;
  e.config = std::move(config);
  e.hash = std::move(configHash);
  enqueue(std::move(e));
}

void DriftService::enqueue(Event event) {
  {
    std::lock_guard lock(queueMutex_);
    queue_.push_back(std::move(event));
    ++enqueued_;
  }
  queueCv_.notify_one();
}

bool DriftService::waitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(stateMutex_);
  return syncedCv_.wait_for(lock, timeout, [this] { return stats_.synced; });
}

bool DriftService::waitIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(queueMutex_);
  const uint64_t target = enqueued_;
  return idleCv_.wait_for(lock, timeout, [&] { return processed_ >= target || stopping_; }) &&
         processed_ >= target;
}

DriftServiceStats DriftService::stats() const {
  DriftServiceStats s;
  {
    std::lock_guard lock(stateMutex_);
    s = stats_;
  }
  std::lock_guard lock(queueMutex_);
  s.queued = queue_.size();
  return s;
}

ctl::ReflectorSink* DriftService::sinkFor(const std::string& resource) {
  for (size_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i]->resource == resource) {
      return sinks_[i].get();
    }
  }
  return nullptr;
}

void DriftService::warn(const std::string& message) {
  if (callbacks_.onWarning) {
    callbacks_.onWarning(message);
  }
}

void DriftService::run() {
  SteadyTime wake = clock_.now();
  std::unique_lock lock(queueMutex_);
  while (!stopping_) {
    clock_.waitUntil(lock, queueCv_, wake, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      break;
    }
    std::deque<Event> batch;
    batch.swap(queue_);
    lock.unlock();
    {
      std::lock_guard state(stateMutex_);
      for (Event& e : batch) {
        apply(e);
      }
      const SteadyTime now = clock_.now();
      pollConfig(now);
      wake = maybeSync(now);
    }
    lock.lock();
    processed_ += batch.size();
    idleCv_.notify_all();
  }
}

void DriftService::apply(Event& event) {
  switch (event.type) {
    case Event::Type::Config:
      applyConfig(std::move(event.config), std::move(event.hash));
      return;
    case Event::Type::Replace:
      applyReplace(*event.resource, event.items);
      ++stats_.relistsApplied;
      return;
    case Event::Type::Upsert:
      applyUpsert(*event.resource, event.object);
      ++stats_.eventsApplied;
      return;
    case Event::Type::Delete:
      applyDelete(*event.resource, event.object);
      ++stats_.eventsApplied;
      return;
  }
}

void DriftService::applyReplace(const ctl::ResourceDescriptor& rd, std::vector<json>& items) {
  const bool pods = &rd == &ctl::resources::kPods;
  const bool webhooks = &rd == &ctl::resources::kMutatingWebhookConfigurations;
  // Whatever the list no longer holds was deleted while the watch was down.
  std::unordered_set<std::string> present;
  present.reserve(items.size());
  for (const json& item : items) {
    const json& meta = member(item, "metadata");
    present.insert(stringMember(meta, "namespace") + "/" + stringMember(meta, "name"));
  }
  if (webhooks) {
    webhookConfigs_.clear();
  } else if (pods) {
    std::vector<std::string> gone;
    for (const auto& [key, entry] : reconciler_.tracker().pods()) {
      if (!present.contains(key)) {
        gone.push_back(key);
      }
    }
    for (const std::string& key : gone) {
      auto slash = key.find('/');
      reconciler_.onDelete("Pod", key.substr(0, slash), key.substr(slash + 1));
    }
  } else {
    auto& known = known_[rd.resource];
    for (auto it = known.begin(); it != known.end();) {
      if (present.contains(*it)) {
        ++it;
        continue;
      }
      auto slash = it->find('/');
      reconciler_.onDelete(rd.kind, it->substr(0, slash), it->substr(slash + 1));
      it = known.erase(it);
    }
  }
  for (json& item : items) {
    applyUpsert(rd, item);
  }
  if (webhooks) {
    applyWebhookConfigs();
  }
  markChanged(clock_.now());
  listed_.insert(rd.resource);
  if (!stats_.synced && listed_.size() + stats_.skippedResources.size() >= kinds_.size()) {
    stats_.synced = true;
    syncedCv_.notify_all();
  }
}

void DriftService::applyUpsert(const ctl::ResourceDescriptor& rd, json& object) {
  if (!object.is_object()) {
    ++stats_.objectErrors;
    warn("drift: " + rd.resource + ": event object is not an object");
    return;
  }
  // List items carry no kind.
  if (!member(object, "kind").is_string()) {
    object["kind"] = rd.kind;
  }
  const json& meta = member(object, "metadata");
  const std::string ns = stringMember(meta, "namespace");
  const std::string name = stringMember(meta, "name");
  if (&rd == &ctl::resources::kMutatingWebhookConfigurations) {
    if (!name.empty() && name.find(options_.webhookName) != std::string::npos) {
      webhookConfigs_[name] = object;
      applyWebhookConfigs();
    }
    return;
  }
  const bool pod = &rd == &ctl::resources::kPods;
  PodFootprint before = pod ? footprint(reconciler_.tracker(), ns, name) : PodFootprint{};
  auto applied = reconciler_.onUpsert(object);
  if (!applied) {
    ++stats_.objectErrors;
    warn("drift: " + rd.resource + " " + ns + (ns.empty() ? "" : "/") + name + ": " +
         applied.error().message);
    return;
  }
  if (pod) {
    if (footprint(reconciler_.tracker(), ns, name) == before) {
      return;
    }
  } else {
    known_[rd.resource].insert(ns + "/" + name);
  }
  markChanged(clock_.now());
}

void DriftService::applyDelete(const ctl::ResourceDescriptor& rd, const json& object) {
  const json& meta = member(object, "metadata");
  const std::string ns = stringMember(meta, "namespace");
  const std::string name = stringMember(meta, "name");
  if (&rd == &ctl::resources::kMutatingWebhookConfigurations) {
    if (webhookConfigs_.erase(name) > 0) {
      applyWebhookConfigs();
    }
    return;
  }
  if (&rd == &ctl::resources::kPods) {
    if (reconciler_.tracker().find(ns, name) == nullptr) {
      return;
    }
  } else {
    known_[rd.resource].erase(ns + "/" + name);
  }
  reconciler_.onDelete(rd.kind, ns, name);
  markChanged(clock_.now());
}

void DriftService::applyWebhookConfigs() {
  // Several matching configurations are not expected (Istio installs one); the first by name
  // decides, deterministically.
  const json* effective = webhookConfigs_.empty() ? nullptr : &webhookConfigs_.begin()->second;
  std::optional<json> selection;
  if (effective != nullptr) {
    selection = selectionPart(*effective);
  }
  if (selection == appliedWebhookConfig_) {
    return;
  }
  appliedWebhookConfig_ = std::move(selection);
  if (effective != nullptr) {
    if (auto r = reconciler_.onUpsert(*effective); !r) {
      ++stats_.objectErrors;
      warn("drift: mutatingwebhookconfiguration: " + r.error().message);
    }
  } else {
    reconciler_.onDelete("MutatingWebhookConfiguration", "", "");
  }
  markChanged(clock_.now());
}

void DriftService::applyConfig(inject::InjectionConfigPtr config, std::string hash) {
  // Owners may hand over the config they already gave (serve does at start, racing its
  // reload callback); re-rendering every pod for it would be wasted work.
  const DriftTracker& tracker = reconciler_.tracker();
  if (config && config == tracker.config() &&
      (hash.empty() ? config->version : hash) == tracker.configHash()) {
    return;
  }
  reconciler_.setConfig(std::move(config), std::move(hash));
  ++stats_.configsApplied;
  markChanged(clock_.now());
  // Not debounced: config edits are rare, every pod was just recomputed anyway, and the
  // person who made the edit is watching the report for its effect.
  syncNow_ = true;
}

void DriftService::pollConfig(SteadyTime now) {
  if (!callbacks_.configSource || now < nextPoll_) {
    return;
  }
  nextPoll_ = now + options_.pollPeriod;
  ConfigSnapshot snap = callbacks_.configSource();
  if (!snap.config || (snap.config == polledConfig_ && snap.hash == polledHash_)) {
    return;
  }
  polledConfig_ = snap.config;
  polledHash_ = snap.hash;
  applyConfig(std::move(snap.config), std::move(snap.hash));
}

void DriftService::markChanged(SteadyTime now) {
  if (!dirty_) {
    dirty_ = true;
    firstChange_ = now;
  }
  lastChange_ = now;
}

SteadyTime DriftService::maybeSync(SteadyTime now) {
  SteadyTime next = now + options_.pollPeriod;
  if (!isLeader_()) {
    if (wasLeader_) {
      wasLeader_ = false;
      if (callbacks_.onMetrics) {
        callbacks_.onMetrics(DriftMetrics{});
      }
    }
    return next;
  }
  // A partial view would write wrong reports and might restart the wrong workloads.
  if (!stats_.synced || !reconciler_.tracker().config()) {
    return next;
  }
  const SteadyTime changeDue =
      std::min(lastChange_ + options_.debounce, firstChange_ + options_.maxDelay);
  const bool due = !wasLeader_ || !lastSync_ || now >= *lastSync_ + options_.interval ||
                   (dirty_ && (syncNow_ || now >= changeDue));
  if (due) {
    dirty_ = false;
    syncNow_ = false;
    wasLeader_ = true;
    // The service paces syncs itself, so the reconciler's own rate limit is bypassed.
    SyncResult result = reconciler_.sync(true);
    now = clock_.now();
    lastSync_ = now;
    ++stats_.syncs;
    stats_.syncErrors += result.errors.size();
    if (result.summary && callbacks_.onMetrics) {
      callbacks_.onMetrics(driftMetrics(*result.summary));
    }
    if (callbacks_.onSync) {
      callbacks_.onSync(result);
    }
    next = now + options_.pollPeriod;
  }
  next = std::min(next, *lastSync_ + options_.interval);
  if (dirty_) {
    next =
        std::min(next, std::min(lastChange_ + options_.debounce, firstChange_ + options_.maxDelay));
  }
  return next;
}

}  // namespace sidecar::drift
