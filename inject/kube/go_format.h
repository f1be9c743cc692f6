#pragma once

// Go's number-to-text conversions that leak into Kubernetes YAML output. Kept in one place
// because the YAML emitter, ghodss' scalar coercion and the schema decoder must agree.

#include <cstdint>
#include <string>

namespace sidecar::kube {

// strconv.FormatFloat(v, 'g', -1, bits) with bits 32 or 64: the shortest text that reads back
// as the same float of that width; %e form ("1e+06", "1.5e-07") when the decimal exponent is
// < -4 or >= 6, else plain decimals. NaN and infinities print as "NaN", "+Inf", "-Inf".
std::string formatGoFloat(double v, int bits = 64);

}  // namespace sidecar::kube

namespace sidecar::kube {

// encoding/json's text for a float64 ("0.5", "1000", "1e-7", "1e+21").
std::string formatJsonFloat(double v);

}  // namespace sidecar::kube
