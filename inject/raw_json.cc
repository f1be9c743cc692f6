#include "inject/raw_json.h"

namespace sidecar::inject {

namespace {
// A binary subtype nothing else in the project uses marks raw JSON text.
constexpr std::uint64_t kRawJsonSubtype = 0x4A53;  // "JS"
}  // namespace

nlohmann::json makeRawJson(std::string_view text) {
  return nlohmann::json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kRawJsonSubtype);
}

bool isRawJson(const nlohmann::json& j) {
  return j.is_binary() && j.get_binary().has_subtype() && j.get_binary().subtype() == kRawJsonSubtype;
}

nlohmann::json parseRawJson(const nlohmann::json& raw) {
  const auto& bytes = raw.get_binary();
  nlohmann::json parsed = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

nlohmann::json expandRawJson(const nlohmann::json& j) {
  if (isRawJson(j)) {
    return parseRawJson(j);
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : j.items()) {
      out[k] = expandRawJson(v);
    }
    return out;
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : j) {
      out.push_back(expandRawJson(v));
    }
    return out;
  }
  return j;
}

}  // namespace sidecar::inject
