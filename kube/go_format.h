#pragma once

// sigs.k8s.io/yaml's text for floats; Go's strconv and encoding/json forms it builds on are
// common/go_format.h (one implementation for the template engine and this codec).

#include <string>

#include "common/go_format.h"

namespace sidecar::kube {

// sigs.k8s.io/yaml's text for a float where a string is needed (a map key, or a float in a
// string field): FormatFloat(v, 'g', -1, 32), with the infinities and NaN spelled the YAML
// way. A finite double beyond float32's range is ".inf" there, as in Go.
std::string formatYamlFloatKey(double v);

}  // namespace sidecar::kube
