#pragma once

// Internal to the schema walkers (schema.cc's typed decoder, type_check.cc's checker): the
// path of the value being looked at and the words of encoding/json's type errors, so both
// report a mismatch the same way ("spec.containers[0].name: cannot unmarshal number 5 into
// string").

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/go_format.h"

namespace sidecar::kube::detail {

// The JSON path of a value, one step per object: rendered only for error messages
// (building strings for every field would dominate a walk).
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view field;  // empty for an index step
  size_t index = 0;

  std::string str() const {
    std::string base = parent != nullptr ? parent->str() : std::string();
    if (parent == nullptr && field.empty()) {
      return base;
    }
    if (field.empty()) {
      return base + "[" + std::to_string(index) + "]";
    }
    return base.empty() ? std::string(field) : base + "." + std::string(field);
  }
};

// How encoding/json names a JSON value in "cannot unmarshal <kind> into <type>".
inline std::string jsonKind(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::boolean:
      return "bool";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::number_float:
      return "number " + formatJsonFloat(v.get<double>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "number " + v.dump();
    default:
      return "null";
  }
}

// encoding/json's fallback match of a key to a field name.
inline bool asciiEqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace sidecar::kube::detail
