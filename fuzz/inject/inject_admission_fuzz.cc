// The webhook entry over arbitrary pod JSON; a produced patch must be valid JSON.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/inject/inject_fuzz_config.h"
#include "inject/admission.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view pod(reinterpret_cast<const char*>(data), size);
  auto outcome = sidecar::inject::admitPod(sidecar::inject::fuzz::fuzzConfig(), pod, "default");
  if (outcome.kind == sidecar::inject::AdmissionOutcome::Kind::Patched) {
    auto patch = nlohmann::json::parse(outcome.patch, nullptr, false);
    if (patch.is_discarded() || !patch.is_array()) {
      std::abort();
    }
  }
  return 0;
}
