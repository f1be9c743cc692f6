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

// sigs.k8s.io/yaml's text for a float where a string is needed (a map key, or a float in a
// string field): FormatFloat(v, 'g', -1, 32), with the infinities and NaN spelled the YAML
// way. A finite double beyond float32's range is ".inf" there, as in Go.
std::string formatYamlFloatKey(double v);

// encoding/json's text for a float64 ("0.5", "1000", "1e-7", "1e+21").
std::string formatJsonFloat(double v);

}  // namespace sidecar::kube
