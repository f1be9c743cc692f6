#include "controller/config_sources.h"

#include "common/sha256.h"

namespace sidecar::controller {

std::string sha256Hex(const ConfigSources& s) {
  Sha256 hash;
  auto feed = [&](const std::string& part, bool present) {
    hash.update((present ? "1:" : "0:") + std::to_string(part.size()) + ":");
    hash.update(part);
  };
  feed(s.injectConfig, true);
  feed(s.values, s.hasValues);
  feed(s.mesh, s.hasMesh);
  return hash.hexDigest();
}

std::string describe(const std::vector<SourceVersion>& versions) {
  std::string out;
  for (const auto& v : versions) {
    if (!out.empty()) {
      out += ", ";
    }
    out += v.name;
    if (!v.resourceVersion.empty()) {
      out += " (resourceVersion " + v.resourceVersion + ")";
    }
  }
  return out.empty() ? "the injector config" : out;
}

}  // namespace sidecar::controller
