#pragma once

// The function sets Istio's injector registers with its templates: 1.4's (for `{{ }}`
// configs) and 1.1's smaller one (for `[[ ]]` configs). Each function reproduces the Go
// original's observable behaviour, including its fallbacks on bad input (e.g. formatDuration
// of a nil duration is "1s", fromJSON of bad JSON is the string "{}").

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "template/template.h"

namespace sidecar::inject {

// Process-wide, immutable function sets.
std::shared_ptr<const tmpl::FuncMap> istio14Functions();
std::shared_ptr<const tmpl::FuncMap> istio11Functions();

// encoding/json's compact output: HTML-sensitive characters and U+2028/U+2029 escaped.
std::string goJsonMarshal(const nlohmann::json& j);

// Helpers shared with the injector.
std::string excludeInboundPort(std::string_view port, std::string_view excluded);
std::string containerPorts(const nlohmann::json* containers, bool skipProxy);

}  // namespace sidecar::inject
