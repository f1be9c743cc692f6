#pragma once

// Memory for the webhook. The pods of one workload reach mutating admission nearly
// identical: the only per-pod difference the API server adds before calling webhooks is the
// name of the projected service-account token volume (kube-api-access-<random>), mounted into
// every container. The cache keys a pod by its bytes with that name replaced by a placeholder,
// computes the injection once on the placeholder pod, and for each later pod puts the real name
// back into the cached patch - exact as long as the computation never looked at the name, which
// detail::PlaceholderWatch checks (a config whose template does look falls back to keying on the
// unmodified bytes). Results are identical to admitPod() byte for byte; a newer config empties
// the cache, and a request still on an older one is computed without it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "inject/admission.h"
#include "inject/config.h"

namespace sidecar::inject {

struct AdmissionCacheOptions {
  size_t maxBytes = 64u << 20;       // keys + results held, across all shards
  size_t maxPodBytes = 256u << 10;  // larger pods are computed every time, never held
};

enum class CacheLookup { Hit, Miss, Bypass };

struct AdmissionCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t bypasses = 0;  // too large to hold, or computed on a config older than the cache's
  uint64_t placeholderObserved = 0;  // computations redone because the template read the name
  size_t entries = 0;
  size_t bytes = 0;
};

class AdmissionCache {
 public:
  explicit AdmissionCache(AdmissionCacheOptions options = {});
  ~AdmissionCache();
  AdmissionCache(const AdmissionCache&) = delete;
  AdmissionCache& operator=(const AdmissionCache&) = delete;

  // admitPod() with memory; thread-safe. `lookup`, when given, says how the answer was found.
  AdmissionOutcome admit(const InjectionConfigPtr& config, std::string_view podJson,
                         std::string_view requestNamespace, CacheLookup* lookup = nullptr);

  AdmissionCacheStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Exposed for tests: the name of the pod's projected service-account token volume when it
// appears in `podJson` only as that volume's name and as volume mount names (so a byte-level
// replacement is a structural one); empty otherwise.
std::string serviceAccountVolumeForCanonicalKey(std::string_view podJson);

}  // namespace sidecar::inject
