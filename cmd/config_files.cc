#include "cmd/config_files.h"

#include "cmd/defaults.h"
#include "cmd/io.h"

namespace sidecar::cmd {

namespace {

Expected<std::string> readOrDefault(const std::string& path, std::string_view fallback,
                                    const char* what, std::vector<std::string>& notes) {
  if (path.empty()) {
    notes.push_back(std::string("using the built-in ") + what);
    return std::string(fallback);
  }
  return readInput(path);
}

}  // namespace

Expected<inject::InjectionConfigPtr> loadConfig(const ConfigPaths& paths,
                                                std::vector<std::string>& notes) {
  auto injectText =
      readOrDefault(paths.injectConfig, defaultInjectConfig(), "injection config", notes);
  if (!injectText) {
    return Unexpected(injectText.error());
  }
  auto meshText = readOrDefault(paths.meshConfig, defaultMeshConfig(), "mesh config", notes);
  if (!meshText) {
    return Unexpected(meshText.error());
  }
  auto valuesText = readOrDefault(paths.values, defaultValues(), "injector values", notes);
  if (!valuesText) {
    return Unexpected(valuesText.error());
  }
  auto config = inject::compileConfig(*injectText, *meshText, *valuesText);
  if (!config) {
    return Unexpected(config.error());
  }
  for (const auto& w : (*config)->warnings) {
    notes.push_back(w);
  }
  return config;
}

}  // namespace sidecar::cmd
