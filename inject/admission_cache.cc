#include "inject/admission_cache.h"

#include <simdjson.h>

#include <array>
#include <atomic>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "inject/placeholder_watch.h"

namespace sidecar::inject {

namespace {

namespace dom = simdjson::dom;

// Upper case cannot occur in a volume name (a DNS label), so a real pod never carries it as
// one; a pod that carries it anywhere is keyed on its own bytes (see canonicalKey).
constexpr std::string_view kPlaceholder = "kube-api-access-SIDECAR-CACHE-PLACEHOLDER";
constexpr std::string_view kTokenVolumePrefix = "kube-api-access-";
constexpr size_t kShards = 16;

bool isDnsLabelText(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return !s.empty();
}

bool hasServiceAccountTokenSource(dom::object volume) {
  dom::array sources;
  if (volume["projected"]["sources"].get_array().get(sources) != simdjson::SUCCESS) {
    return false;
  }
  for (dom::element source : sources) {
    dom::element token;
    if (source.is_object() && source["serviceAccountToken"].get(token) == simdjson::SUCCESS) {
      return true;
    }
  }
  return false;
}

size_t countQuoted(std::string_view text, std::string_view name) {
  size_t count = 0;
  for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + name.size())) {
    if (at > 0 && text[at - 1] == '"' && at + name.size() < text.size() && text[at + name.size()] == '"') {
      ++count;
    }
  }
  return count;
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size() + 64);
  size_t start = 0;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, start)) {
    out.append(text.substr(start, at - start));
    out.append(to);
    start = at + from.size();
  }
  out.append(text.substr(start));
  return out;
}

void restoreName(AdmissionOutcome& outcome, std::string_view name) {
  auto restore = [&](std::string& s) {
    if (s.find(kPlaceholder) != std::string::npos) {
      s = replaceAll(s, kPlaceholder, name);
    }
  };
  restore(outcome.patch);
  restore(outcome.message);
  restore(outcome.decision.explanation);
  for (auto& w : outcome.warnings) {
    restore(w);
  }
}

size_t outcomeBytes(const AdmissionOutcome& outcome) {
  size_t n = sizeof(outcome) + outcome.patch.size() + outcome.message.size() + outcome.decision.explanation.size();
  for (const auto& w : outcome.warnings) {
    n += w.size();
  }
  return n;
}

}  // namespace

std::string serviceAccountVolumeForCanonicalKey(std::string_view podJson) {
  thread_local dom::parser parser;
  dom::element root;
  if (parser.parse(podJson.data(), podJson.size(), true).get(root) != simdjson::SUCCESS) {
    return {};
  }
  dom::array volumes;
  if (root["spec"]["volumes"].get_array().get(volumes) != simdjson::SUCCESS) {
    return {};
  }
  std::string name;
  for (dom::element volume : volumes) {
    dom::object object;
    std::string_view volumeName;
    if (volume.get_object().get(object) != simdjson::SUCCESS ||
        object["name"].get_string().get(volumeName) != simdjson::SUCCESS) {
      continue;
    }
    if (volumeName.substr(0, kTokenVolumePrefix.size()) == kTokenVolumePrefix && isDnsLabelText(volumeName) &&
        hasServiceAccountTokenSource(object)) {
      if (!name.empty()) {
        return {};  // two token volumes: unusual enough to not bother
      }
      name = std::string(volumeName);
    }
  }
  if (name.empty()) {
    return {};
  }
  // Where the name may legitimately appear: the volume itself and mounts of it.
  size_t structural = 0;
  for (dom::element volume : volumes) {
    std::string_view volumeName;
    if (volume["name"].get_string().get(volumeName) == simdjson::SUCCESS && volumeName == name) {
      ++structural;
    }
  }
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    dom::array containers;
    if (root["spec"][list].get_array().get(containers) != simdjson::SUCCESS) {
      continue;
    }
    for (dom::element container : containers) {
      dom::array mounts;
      if (container["volumeMounts"].get_array().get(mounts) != simdjson::SUCCESS) {
        continue;
      }
      for (dom::element mount : mounts) {
        std::string_view mountName;
        if (mount["name"].get_string().get(mountName) == simdjson::SUCCESS && mountName == name) {
          ++structural;
        }
      }
    }
  }
  // Any other occurrence (an env value, an annotation, an escaped spelling) would make a
  // byte-level replacement change more than those names.
  if (countQuoted(podJson, name) != structural || podJson.find(kPlaceholder) != std::string_view::npos) {
    return {};
  }
  return name;
}

struct AdmissionCache::Impl {
  struct Entry {
    std::string key;
    AdmissionOutcome outcome;  // with kPlaceholder where the pod had its token volume name
    size_t bytes = 0;
  };
  struct Shard {
    std::mutex mutex;
    std::list<Entry> lru;  // most recent first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;
    size_t bytes = 0;
  };

  explicit Impl(AdmissionCacheOptions o) : options(o) {}

  // Switches to `config`, emptying every shard, when it is newer than the config the entries
  // were computed with; returns false for an older one (a request that started before a
  // reload), which is then answered without the cache rather than emptying it. The current
  // config stays referenced, so its address cannot be reused while entries for it exist.
  bool useConfig(const InjectionConfigPtr& config) {
    if (currentRaw.load(std::memory_order_acquire) == config.get()) {
      return true;
    }
    std::lock_guard lock(configMutex);
    if (currentRaw.load(std::memory_order_relaxed) == config.get()) {
      return true;
    }
    if (current && config->generation < current->generation) {
      return false;
    }
    for (auto& shard : shards) {
      std::lock_guard shardLock(shard.mutex);
      shard.index.clear();
      shard.lru.clear();
      shard.bytes = 0;
    }
    current = config;
    observesTokenName.store(false, std::memory_order_relaxed);
    currentRaw.store(config.get(), std::memory_order_release);
    return true;
  }

  bool find(const std::string& key, size_t hash, AdmissionOutcome& out) {
    Shard& shard = shards[hash % kShards];
    std::lock_guard lock(shard.mutex);
    auto it = shard.index.find(key);
    if (it == shard.index.end()) {
      return false;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    out = it->second->outcome;
    return true;
  }

  void insert(std::string key, size_t hash, const AdmissionOutcome& outcome) {
    Shard& shard = shards[hash % kShards];
    const size_t budget = options.maxBytes / kShards;
    Entry entry{std::move(key), outcome, 0};
    entry.bytes = entry.key.size() * 2 + outcomeBytes(outcome) + 64;
    if (entry.bytes > budget) {
      return;
    }
    std::lock_guard lock(shard.mutex);
    if (shard.index.count(entry.key) != 0) {
      return;  // another thread computed it meanwhile
    }
    shard.bytes += entry.bytes;
    shard.lru.push_front(std::move(entry));
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
    while (shard.bytes > budget && !shard.lru.empty()) {
      shard.bytes -= shard.lru.back().bytes;
      shard.index.erase(shard.lru.back().key);
      shard.lru.pop_back();
    }
  }

  AdmissionCacheOptions options;
  std::array<Shard, kShards> shards;
  std::mutex configMutex;
  InjectionConfigPtr current;
  std::atomic<const InjectionConfig*> currentRaw{nullptr};
  // Set once a computation on the current config read the placeholder: from then on pods are
  // keyed on their own bytes.
  std::atomic<bool> observesTokenName{false};
  std::atomic<uint64_t> hits{0}, misses{0}, bypasses{0}, placeholderObserved{0};
};

AdmissionCache::AdmissionCache(AdmissionCacheOptions options) : impl_(std::make_unique<Impl>(options)) {}

AdmissionCache::~AdmissionCache() = default;

AdmissionOutcome AdmissionCache::admit(const InjectionConfigPtr& config, std::string_view podJson,
                                       std::string_view requestNamespace, CacheLookup* lookup) {
  auto setLookup = [&](CacheLookup value) {
    if (lookup != nullptr) {
      *lookup = value;
    }
  };
  if (!config) {
    setLookup(CacheLookup::Bypass);
    AdmissionOutcome outcome;
    outcome.kind = AdmissionOutcome::Kind::Failed;
    outcome.decision = {false, Reason::TemplateError, "no injection config"};
    outcome.message = "the injection config has not been loaded yet";
    outcome.code = ErrorCode::Unavailable;
    return outcome;
  }
  if (podJson.size() > impl_->options.maxPodBytes || !impl_->useConfig(config)) {
    impl_->bypasses.fetch_add(1, std::memory_order_relaxed);
    setLookup(CacheLookup::Bypass);
    return admitPod(*config, podJson, requestNamespace);
  }

  std::string tokenName;
  if (!impl_->observesTokenName.load(std::memory_order_relaxed)) {
    tokenName = serviceAccountVolumeForCanonicalKey(podJson);
  }
  std::string canonical =
      tokenName.empty() ? std::string(podJson) : replaceAll(podJson, "\"" + tokenName + "\"", "\"" + std::string(kPlaceholder) + "\"");
  std::string key;
  key.reserve(requestNamespace.size() + 1 + canonical.size());
  key.append(requestNamespace).push_back('\n');
  key.append(canonical);
  const size_t hash = std::hash<std::string>{}(key);

  AdmissionOutcome outcome;
  if (impl_->find(key, hash, outcome)) {
    impl_->hits.fetch_add(1, std::memory_order_relaxed);
    setLookup(CacheLookup::Hit);
    if (!tokenName.empty()) {
      restoreName(outcome, tokenName);
    }
    return outcome;
  }
  impl_->misses.fetch_add(1, std::memory_order_relaxed);
  setLookup(CacheLookup::Miss);
  if (tokenName.empty()) {
    outcome = admitPod(*config, podJson, requestNamespace);
    impl_->insert(std::move(key), hash, outcome);
    return outcome;
  }
  bool observed = false;
  {
    detail::PlaceholderWatch watch(kPlaceholder);
    outcome = admitPod(*config, canonical, requestNamespace);
    observed = watch.observed();
  }
  if (observed) {
    // The template looked at the name: this result is only right for the placeholder.
    impl_->placeholderObserved.fetch_add(1, std::memory_order_relaxed);
    impl_->observesTokenName.store(true, std::memory_order_relaxed);
    return admitPod(*config, podJson, requestNamespace);
  }
  impl_->insert(std::move(key), hash, outcome);
  restoreName(outcome, tokenName);
  return outcome;
}

AdmissionCacheStats AdmissionCache::stats() const {
  AdmissionCacheStats s;
  s.hits = impl_->hits.load();
  s.misses = impl_->misses.load();
  s.bypasses = impl_->bypasses.load();
  s.placeholderObserved = impl_->placeholderObserved.load();
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    s.entries += shard.lru.size();
    s.bytes += shard.bytes;
  }
  return s;
}

}  // namespace sidecar::inject
