// compileConfig over arbitrary inputs: the bytes are split at the first two NUL bytes into
// injection config, mesh config and values. Bad config must be an error, never a crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "inject/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  auto first = all.find('\0');
  std::string_view injectConfig = all.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? std::string_view() : all.substr(first + 1);
  auto second = rest.find('\0');
  std::string_view mesh = rest.substr(0, second);
  std::string_view values = second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);
  (void)sidecar::inject::compileConfig(injectConfig, mesh, values);
  return 0;
}
