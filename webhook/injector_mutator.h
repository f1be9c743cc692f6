#pragma once

// The PodMutator the server runs in production: the shared injection core over whichever
// config is active right now. Where the config comes from (files, ConfigMaps) is the
// caller's business; this class only reads the current pointer, so a reload never blocks
// an admission and in-flight admissions finish on the config they started with.

#include <functional>
#include <string>

#include "inject/config.h"
#include "webhook/pod_mutator.h"

namespace sidecar::webhook {

class InjectorMutator : public PodMutator {
 public:
  // Returns the active config, or null while none has loaded yet.
  using ConfigSource = std::function<inject::InjectionConfigPtr()>;

  explicit InjectorMutator(ConfigSource source) : source_(std::move(source)) {}

  MutationResult mutate(const AdmissionRequestView& request) const override;
  bool ready(std::string* why) const override;

 private:
  ConfigSource source_;
};

}  // namespace sidecar::webhook
