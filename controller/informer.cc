#include "controller/informer.h"

#include <algorithm>
#include <cassert>

namespace sidecar::controller {

Informer::Informer(RestClient& client, ReflectorOptions options, Clock& clock, Random& random)
    : reflector_(client, std::move(options), *this, clock, random) {}

void Informer::subscribe(ReflectorSink& sink) {
  std::lock_guard lock(mutex_);
  // A subscriber after the first list would never see the objects listed before it.
  assert(!started_ && "subscribe before the informer factory starts");
  sinks_.push_back(&sink);
}

size_t Informer::subscribers() const {
  std::lock_guard lock(mutex_);
  return sinks_.size();
}

void Informer::unsubscribe(ReflectorSink& sink) {
  std::lock_guard lock(mutex_);
  sinks_.erase(std::remove(sinks_.begin(), sinks_.end(), &sink), sinks_.end());
}

void Informer::replace(std::vector<nlohmann::json> items, const std::string& resourceVersion) {
  std::lock_guard lock(mutex_);
  // Copies for all but the last subscriber, which takes the list.
  for (size_t i = 0; i + 1 < sinks_.size(); ++i) {
    sinks_[i]->replace(items, resourceVersion);
  }
  if (!sinks_.empty()) {
    sinks_.back()->replace(std::move(items), resourceVersion);
  }
}

void Informer::apply(WatchEventType type, nlohmann::json object) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i + 1 < sinks_.size(); ++i) {
    sinks_[i]->apply(type, object);
  }
  if (!sinks_.empty()) {
    sinks_.back()->apply(type, std::move(object));
  }
}

void Informer::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) {
      return;
    }
    started_ = true;
  }
  reflector_.start();
}

void Informer::stop() {
  reflector_.stop();
}

InformerFactory::InformerFactory(RestClient& client, InformerFactoryOptions options, Clock& clock,
                                 Random& random)
    : client_(client), options_(std::move(options)), clock_(clock), random_(random) {}

InformerFactory::~InformerFactory() {
  stop();
}

Informer& InformerFactory::subscribe(const ResourceDescriptor& resource, const std::string& ns,
                                     ReflectorSink& sink) {
  Informer* informer = nullptr;
  bool startNow = false;
  {
    std::lock_guard lock(mutex_);
    auto key = std::make_pair(resource.apiVersion() + "/" + resource.resource, ns);
    auto it = informers_.find(key);
    if (it == informers_.end()) {
      ReflectorOptions ro;
      ro.resource = resource;
      ro.ns = ns;
      ro.pageSize = options_.pageSize;
      ro.watchTimeoutSeconds = options_.watchTimeoutSeconds;
      ro.backoff = options_.backoff;
      it = informers_.emplace(key, std::make_unique<Informer>(client_, ro, clock_, random_)).first;
      startNow = started_;
    }
    informer = it->second.get();
  }
  informer->subscribe(sink);
  if (startNow) {
    informer->start();
  }
  return *informer;
}

void InformerFactory::unsubscribe(ReflectorSink& sink) {
  std::lock_guard lock(mutex_);
  for (auto& [key, informer] : informers_) {
    informer->unsubscribe(sink);
  }
}

void InformerFactory::start() {
  std::vector<Informer*> all;
  {
    std::lock_guard lock(mutex_);
    started_ = true;
    for (auto& [key, informer] : informers_) {
      all.push_back(informer.get());
    }
  }
  for (auto* i : all) {
    i->start();
  }
}

void InformerFactory::stop() {
  std::vector<Informer*> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, informer] : informers_) {
      all.push_back(informer.get());
    }
  }
  for (auto* i : all) {
    i->stop();
  }
}

bool InformerFactory::waitForSync(Millis timeout) const {
  std::vector<Informer*> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, informer] : informers_) {
      all.push_back(informer.get());
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* i : all) {
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (!i->waitForSync(std::max(left, Millis(0)))) {
      return false;
    }
  }
  return true;
}

std::vector<std::pair<std::string, ReflectorStats>> InformerFactory::stats() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, ReflectorStats>> out;
  for (const auto& [key, informer] : informers_) {
    out.emplace_back(key.second.empty() ? informer->resource().resource
                                        : informer->resource().resource + " in " + key.second,
                     informer->stats());
  }
  return out;
}

size_t InformerFactory::size() const {
  std::lock_guard lock(mutex_);
  return informers_.size();
}

}  // namespace sidecar::controller
