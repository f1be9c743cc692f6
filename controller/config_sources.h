#pragma once

// The inputs of one injector config: the texts the compile step reads, and where they came
// from. Shared by the hot reloader and the compile journal.

#include <string>
#include <vector>

namespace sidecar::controller {

struct ConfigSources {
  std::string injectConfig;  // istio-sidecar-injector/config
  std::string values;        // istio-sidecar-injector/values
  std::string mesh;          // istio/mesh
  bool hasValues = false;
  bool hasMesh = false;
};

// One input object as the operator knows it: "namespace/name" of a ConfigMap (or a file
// path) and its resourceVersion (empty for files).
struct SourceVersion {
  std::string name;
  std::string resourceVersion;
};

// sha256 (hex) of the three texts, length-prefixed so moving text between keys changes it.
std::string sha256Hex(const ConfigSources& sources);

// "istio-system/istio-sidecar-injector@1234, istio-system/istio@1200" for messages.
std::string describe(const std::vector<SourceVersion>& versions);

}  // namespace sidecar::controller
