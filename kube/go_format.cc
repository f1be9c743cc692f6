#include "kube/go_format.h"

namespace sidecar::kube {

std::string formatYamlFloatKey(double v) {
  std::string s = formatGoFloat(v, 32);
  if (s == "+Inf") {
    return ".inf";
  }
  if (s == "-Inf") {
    return "-.inf";
  }
  if (s == "NaN") {
    return ".nan";
  }
  return s;
}

}  // namespace sidecar::kube
