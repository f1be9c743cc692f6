// Every small parser and formatter that user-controlled text reaches, beside the big ones
// that have targets of their own (YAML, templates, admission): quantities, protobuf
// durations, base64, Go's float formatting and yaml.v2's scalar resolution. The first byte
// picks the subject; each one is checked against a property, not only for crashes:
//   - a quantity that parses prints canonically, and the canonical text parses to itself;
//   - a duration that parses prints with Go's String() and never overflows;
//   - base64 that decodes re-encodes to text that decodes to the same bytes;
//   - Go's shortest float text reads back as the same float (of the width asked for), and
//     sigs.k8s.io/yaml's key text never crashes, for every double (the issue 16 crash);
//   - a plain scalar resolves, and a float resolution formats as a key.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/base64.h"
#include "common/go_duration.h"
#include "common/go_format.h"
#include "kube/go_format.h"
#include "kube/quantity.h"
#include "kube/yaml_scalar.h"

namespace {

[[noreturn]] void failed(const char* what, const std::string& detail) {
  std::fprintf(stderr, "formatters_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void checkQuantity(std::string_view text) {
  auto q = sidecar::kube::Quantity::parse(text);
  if (!q) {
    return;
  }
  const std::string canonical = q->toString();
  auto again = sidecar::kube::Quantity::parse(canonical);
  if (!again) {
    failed("canonical quantity does not parse", std::string(text) + " -> " + canonical);
  }
  if (again->toString() != canonical) {
    failed("canonical quantity is not stable", canonical + " -> " + again->toString());
  }
  (void)q->milliValue();
  (void)q->ceilValue();
}

void checkDuration(std::string_view text) {
  auto d = sidecar::parseProtoDuration(text);
  if (!d) {
    return;
  }
  const std::string printed = sidecar::formatGoDuration(*d);
  if (printed.empty()) {
    failed("empty duration text", std::string(text));
  }
}

void checkBase64(std::string_view text) {
  auto decoded = sidecar::base64Decode(text);
  if (!decoded) {
    return;
  }
  const std::string encoded = sidecar::base64Encode(*decoded);
  auto again = sidecar::base64Decode(encoded);
  if (!again || *again != *decoded) {
    failed("base64 does not round-trip", encoded);
  }
}

void checkFloatBits(const uint8_t* data, size_t size) {
  double v = 0;
  std::memcpy(&v, data, size < sizeof v ? size : sizeof v);
  const std::string s64 = sidecar::formatGoFloat(v, 64);
  const std::string s32 = sidecar::formatGoFloat(v, 32);
  (void)sidecar::kube::formatYamlFloatKey(v);
  if (std::isfinite(v)) {
    (void)sidecar::formatJsonFloat(v);
    if (std::strtod(s64.c_str(), nullptr) != v) {
      failed("64-bit text does not read back", s64);
    }
    const float f = std::strtof(s32.c_str(), nullptr);
    const bool overflows = std::fabs(v) >= 0x1.ffffffp+127;
    if (overflows ? !std::isinf(f) : f != static_cast<float>(v)) {
      failed("32-bit text does not read back", s32);
    }
  }
}

void checkScalar(std::string_view text) {
  const auto resolved = sidecar::kube::detail::resolvePlainScalar(text);
  if (resolved.is_number_float()) {
    (void)sidecar::kube::formatYamlFloatKey(resolved.get<double>());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 4096) {
    return 0;
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      checkQuantity(text);
      break;
    case 1:
      checkDuration(text);
      break;
    case 2:
      checkBase64(text);
      break;
    case 3:
      checkFloatBits(data + 1, size - 1);
      break;
    default:
      checkScalar(text);
      // The same text as a float too: the decimal edge cases reach the formatter this way.
      checkFloatBits(data + 1, size - 1);
      break;
  }
  return 0;
}
