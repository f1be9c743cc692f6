#include "inject/config.h"

#include <atomic>
#include <exception>

#include "common/sha256.h"
#include "inject/template_functions.h"
#include "inject/values.h"
#include "kube/yaml.h"

namespace sidecar::inject {

namespace {

size_t countOf(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + 2)) {
    ++n;
  }
  return n;
}

void compileSelectors(const nlohmann::json& config, const char* key, std::vector<NamedSelector>& out,
                      std::vector<std::string>& warnings) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) {
    return;
  }
  if (!it->is_array()) {
    warnings.push_back(std::string(key) + ": expected a list of label selectors; ignored");
    return;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    auto selector = LabelSelector::parse((*it)[i]);
    if (!selector) {
      warnings.push_back("invalid selector " + std::string(key) + "[" + std::to_string(i) +
                         "] skipped: " + selector.error().message);
      continue;
    }
    out.push_back({std::move(*selector), i});
  }
}

}  // namespace

bool usesLegacyDelimiters(std::string_view templateText) {
  return countOf(templateText, "[[") > countOf(templateText, "{{");
}

namespace {

Expected<InjectionConfigPtr> compileConfigUnchecked(std::string_view injectConfigText, std::string_view meshText,
                                                    std::string_view valuesText) {
  static std::atomic<uint64_t> generations{0};
  auto config = std::make_shared<InjectionConfig>();
  config->generation = generations.fetch_add(1, std::memory_order_relaxed) + 1;
  auto parsed = kube::parseYaml(injectConfigText);
  if (!parsed) {
    return fail("injection config: " + parsed.error().message);
  }
  nlohmann::json doc = parsed->is_null() ? nlohmann::json::object() : *parsed;
  if (!doc.is_object()) {
    return fail("injection config: the top level must be a map");
  }
  if (auto it = doc.find("policy"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) {
      return fail("injection config: policy: expected a string, got " + it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    config->policy = it->get<std::string>();
  }
  auto tmplIt = doc.find("template");
  if (tmplIt == doc.end() || !tmplIt->is_string() || tmplIt->get_ref<const std::string&>().empty()) {
    return fail("injection config: template: missing or not a string");
  }
  config->templateText = tmplIt->get<std::string>();
  config->version = sha256Hex(config->templateText);
  config->legacy = usesLegacyDelimiters(config->templateText);

  compileSelectors(doc, "neverInjectSelector", config->neverInjectSelector, config->warnings);
  compileSelectors(doc, "alwaysInjectSelector", config->alwaysInjectSelector, config->warnings);
  if (auto it = doc.find("injectedAnnotations"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) {
      return fail("injection config: injectedAnnotations: expected a map, got " + it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    for (const auto& [k, v] : it->items()) {
      config->injectedAnnotations[k] = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }

  auto mesh = parseMeshConfig(meshText);
  if (!mesh) {
    return Unexpected<Error>(mesh.error());
  }
  for (const auto& w : mesh->warnings) {
    config->warnings.push_back(w);
  }
  config->mesh = std::make_shared<const MeshConfig>(std::move(*mesh));
  makeMeshValues(config->mesh, config->env);
  config->env.legacy = config->legacy;

  if (config->legacy) {
    // 1.1 had no values; the file must not influence the output, nor fail the run.
    config->env.values = tmpl::Value();
  } else {
    auto values = parseValues(valuesText);
    if (!values) {
      return Unexpected<Error>(values.error());
    }
    config->env.values = std::move(*values);
  }

  tmpl::ParseOptions options;
  if (config->legacy) {
    options.delimiters = {"[[", "]]"};
  }
  auto functions = config->legacy ? istio11Functions() : istio14Functions();
  auto compiled = tmpl::Template::parse("inject", config->templateText, functions, options);
  if (!compiled) {
    return fail("injection template: " + compiled.error().message);
  }
  config->sidecarTemplate.emplace(std::move(*compiled));
  return InjectionConfigPtr(std::move(config));
}

}  // namespace

Expected<InjectionConfigPtr> compileConfig(std::string_view injectConfigText, std::string_view meshText,
                                           std::string_view valuesText) {
  // Nothing thrown below (JSON/YAML libraries, allocation) may cross the public API.
  try {
    return compileConfigUnchecked(injectConfigText, meshText, valuesText);
  } catch (const std::exception& e) {
    return fail(std::string("injection config: ") + e.what());
  }
}

}  // namespace sidecar::inject
