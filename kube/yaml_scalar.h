#pragma once

// Internal: yaml.v2's plain-scalar resolution and the emitter's scalar analysis, shared by
// the parser, the emitter and their tests.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sidecar::kube::detail {

// The value yaml.v2 gives an unquoted scalar when decoding into interface{} (timestamps
// stay strings; "<<" is a string here, merge handling belongs to the parser).
nlohmann::json resolvePlainScalar(std::string_view text);

// resolvePlainScalar(text).is_string() without building the value (the emitter asks this
// for every string it writes).
bool plainScalarIsString(std::string_view text);

// yaml.v2's timestamp recognition (YYYY-M-D with optional time), used to decide quoting.
bool looksLikeTimestamp(std::string_view text);

// Sexagesimal-looking text such as "1:20", which yaml.v2 quotes for YAML 1.1 readers.
bool isBase60Float(std::string_view text);

// What libyaml's emitter allows for a scalar (yaml_emitter_analyze_scalar).
struct ScalarAnalysis {
  bool multiline = false;
  bool blockPlainAllowed = true;
  bool singleQuotedAllowed = true;
  bool blockAllowed = true;
};
ScalarAnalysis analyzeScalar(std::string_view text);

// libyaml's is_printable for the UTF-8 character starting at text[i].
bool isPrintableAt(std::string_view text, size_t i);

std::string base64Encode(std::string_view bytes);
bool base64Decode(std::string_view text, std::string& out);

}  // namespace sidecar::kube::detail
