// The webhook entry over arbitrary pod JSON; a produced patch must be valid JSON. The cached
// path must answer exactly as the uncached one, including for a second pod that differs only
// in its service-account token volume name (the cache's one rewrite).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/inject/inject_fuzz_config.h"
#include "inject/admission.h"
#include "inject/admission_cache.h"

namespace {

void requireSame(const sidecar::inject::AdmissionOutcome& a, const sidecar::inject::AdmissionOutcome& b) {
  if (a.kind != b.kind || a.patch != b.patch || a.message != b.message || a.warnings != b.warnings) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view pod(reinterpret_cast<const char*>(data), size);
  const auto& config = sidecar::inject::fuzz::fuzzConfig();
  auto outcome = sidecar::inject::admitPod(config, pod, "default");
  if (outcome.kind == sidecar::inject::AdmissionOutcome::Kind::Patched) {
    auto patch = nlohmann::json::parse(outcome.patch, nullptr, false);
    if (patch.is_discarded() || !patch.is_array()) {
      std::abort();
    }
  }
  // Not owning: the config outlives every run.
  static const sidecar::inject::InjectionConfigPtr shared(&config, [](const sidecar::inject::InjectionConfig*) {});
  static sidecar::inject::AdmissionCache cache;
  requireSame(cache.admit(shared, pod, "default"), outcome);
  std::string name = sidecar::inject::serviceAccountVolumeForCanonicalKey(pod);
  if (!name.empty()) {
    std::string other(pod);
    const std::string from = "\"" + name + "\"";
    const std::string to = "\"" + name + "z\"";
    for (size_t at = other.find(from); at != std::string::npos; at = other.find(from, at + to.size())) {
      other.replace(at, from.size(), to);
    }
    requireSame(cache.admit(shared, other, "default"), sidecar::inject::admitPod(config, other, "default"));
  }
  return 0;
}
