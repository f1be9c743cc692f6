// kube-inject over arbitrary YAML streams: any input must yield output or an error, never a
// crash, hang or sanitizer report.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/inject/inject_fuzz_config.h"
#include "inject/kube_inject.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string out;
  std::string warnings;
  (void)sidecar::inject::kubeInject(sidecar::inject::fuzz::fuzzConfig(), input, out, warnings);
  return 0;
}
