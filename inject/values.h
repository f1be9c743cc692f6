#pragma once

// Injector values: the free-form `values` document handed to templates as .Values. Go decodes
// it YAML -> JSON -> map[string]interface{}, so every number is a float64; these helpers
// reproduce that typing and convert back for functions (toYaml, toJSON) that re-encode.

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "template/value.h"

namespace sidecar::inject {

// Parses YAML or JSON text. Empty text is an empty map; a non-map top level is an error.
Expected<tmpl::Value> parseValues(std::string_view text);

// Free-form JSON -> template value with Go's interface{} typing (numbers become float64,
// maps index missing keys to nil).
tmpl::Value jsonToValue(const nlohmann::json& j);

// Template value -> JSON, for re-encoding free-form data. Host objects become null unless
// they expose JSON themselves (see template_data.h).
nlohmann::json valueToJson(const tmpl::Value& v);

}  // namespace sidecar::inject
