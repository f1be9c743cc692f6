#pragma once

// The compiled injection configuration: everything a front end needs to inject a pod, parsed
// and validated once and then shared read-only between threads. The webhook, the CLI and the
// config reloader all build it through compileConfig().

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"
#include "inject/label_selector.h"
#include "inject/mesh_config.h"
#include "inject/template_data.h"
#include "template/template.h"

namespace sidecar::inject {

struct NamedSelector {
  LabelSelector selector;
  size_t index = 0;  // position in the config list, for explanations
};

struct InjectionConfig {
  std::string policy;  // "enabled", "disabled" or anything else (never injects)
  std::string templateText;
  std::string version;  // lower-case hex SHA-256 of templateText
  bool legacy = false;  // an Istio 1.1-era `[[ ]]` template
  std::optional<tmpl::Template> sidecarTemplate;
  std::vector<NamedSelector> neverInjectSelector;
  std::vector<NamedSelector> alwaysInjectSelector;
  std::map<std::string, std::string> injectedAnnotations;
  std::shared_ptr<const MeshConfig> mesh;
  TemplateEnvironment env;
  // Non-fatal findings (invalid selectors skipped, unknown mesh fields); callers log them.
  std::vector<std::string> warnings;
  // Increases with every compileConfig() in the process: tells a newer config from an older
  // one still held by an in-flight request.
  uint64_t generation = 0;
};

using InjectionConfigPtr = std::shared_ptr<const InjectionConfig>;

// injectConfigText: the `config` key of the injector ConfigMap (policy, template, selectors,
// injectedAnnotations). meshText: the mesh config. valuesText: the `values` key (YAML or JSON).
Expected<InjectionConfigPtr> compileConfig(std::string_view injectConfigText, std::string_view meshText,
                                           std::string_view valuesText);

// True when the template uses Istio 1.1's `[[ ]]` delimiters rather than `{{ }}`.
bool usesLegacyDelimiters(std::string_view templateText);

}  // namespace sidecar::inject
