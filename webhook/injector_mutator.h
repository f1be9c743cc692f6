#pragma once

// The PodMutator the server runs in production: the shared injection core over whichever
// config is active right now. Where the config comes from (files, ConfigMaps) is the
// caller's business; this class only reads the current pointer, so a reload never blocks
// an admission and in-flight admissions finish on the config they started with. Answers go
// through an inject::AdmissionCache, so the replicas of a workload cost one injection.

#include <functional>
#include <memory>
#include <string>

#include "inject/admission_cache.h"
#include "inject/config.h"
#include "webhook/metrics.h"
#include "webhook/pod_mutator.h"

namespace sidecar::webhook {

class InjectorMutator : public PodMutator {
 public:
  // Returns the active config, or null while none has loaded yet.
  using ConfigSource = std::function<inject::InjectionConfigPtr()>;

  // With metrics, exports sidecar_injection_cache_lookups_total{result="hit|miss|bypass"}.
  explicit InjectorMutator(ConfigSource source, const std::shared_ptr<Metrics>& metrics = nullptr,
                           inject::AdmissionCacheOptions cacheOptions = {});

  MutationResult mutate(const AdmissionRequestView& request) const override;
  bool ready(std::string* why) const override;

  inject::AdmissionCacheStats cacheStats() const { return cache_->stats(); }

 private:
  ConfigSource source_;
  std::unique_ptr<inject::AdmissionCache> cache_;  // thread-safe, hence usable from const mutate()
  prometheus::Counter* hits_ = nullptr;
  prometheus::Counter* misses_ = nullptr;
  prometheus::Counter* bypasses_ = nullptr;
};

}  // namespace sidecar::webhook
