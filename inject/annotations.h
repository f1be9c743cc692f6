#pragma once

// Pod annotation names the injector knows and their validation, as Istio 1.4 checks them
// before rendering: a bad value aborts injection with
// "invalid value '<v>' for annotation '<name>': <why>".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::inject::annotation {

inline constexpr std::string_view kInject = "sidecar.istio.io/inject";
inline constexpr std::string_view kStatus = "sidecar.istio.io/status";
inline constexpr std::string_view kRewriteAppHTTPProbers = "sidecar.istio.io/rewriteAppHTTPProbers";
inline constexpr std::string_view kInterceptionMode = "sidecar.istio.io/interceptionMode";
inline constexpr std::string_view kTlsModeLabel = "security.istio.io/tlsMode";

// Validates every known annotation in `annotations` (a JSON object or null); a bad value is
// ErrorCode::InvalidArgument. Unknown names
// containing "istio" are returned in `warnings`. All failures are reported, joined by "; ".
Expected<void> validate(const nlohmann::json* annotations, std::vector<std::string>* warnings = nullptr);

// Known (registered) annotation names: the rendered podRedirectAnnot entries kube-inject
// copies onto the pod are limited to these.
bool isRedirectAnnotation(std::string_view name);

// Go's strconv.ParseBool; nullopt when `s` is not one of its spellings.
std::optional<bool> parseGoBool(std::string_view s);

}  // namespace sidecar::inject::annotation
