#include "inject/values.h"

#include <cmath>

#include "kube/yaml.h"
#include "inject/template_data.h"

namespace sidecar::inject {

tmpl::Value jsonToValue(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return tmpl::Value::nil();
    case nlohmann::json::value_t::boolean:
      return tmpl::Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return tmpl::Value(j.get<double>());
    case nlohmann::json::value_t::string:
      return tmpl::Value(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      tmpl::List items;
      items.reserve(j.size());
      for (const auto& item : j) {
        items.push_back(jsonToValue(item));
      }
      return tmpl::makeList(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      tmpl::MapValue::Entries entries;
      for (const auto& [key, item] : j.items()) {
        entries.emplace(key, jsonToValue(item));
      }
      return tmpl::makeMap(std::move(entries));
    }
    case nlohmann::json::value_t::binary:
      break;
  }
  return tmpl::Value::nil();
}

nlohmann::json valueToJson(const tmpl::Value& v) {
  using K = tmpl::Value::Kind;
  switch (v.kind()) {
    case K::Invalid:
    case K::Nil:
    case K::Func:
      return nullptr;
    case K::Bool:
      return v.asBool();
    case K::Int:
      return v.asInt();
    case K::Float: {
      // Integral floats are written as integers, as Go's encoders print float64 200 as 200.
      double d = v.asFloat();
      if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) {
        return static_cast<int64_t>(d);
      }
      return d;
    }
    case K::String:
      return v.asString();
    case K::List: {
      auto out = nlohmann::json::array();
      for (const auto& item : v.asList()) {
        out.push_back(valueToJson(item));
      }
      return out;
    }
    case K::Map: {
      auto out = nlohmann::json::object();
      for (const auto& [key, item] : v.asMap().entries()) {
        out[key] = valueToJson(item);
      }
      return out;
    }
    case K::Object:
      return objectToJson(v.asObject());
  }
  return nullptr;
}

Expected<tmpl::Value> parseValues(std::string_view text) {
  auto parsed = kube::parseYaml(text);
  if (!parsed) {
    return fail("values: " + parsed.error().message);
  }
  if (parsed->is_null()) {
    return tmpl::makeMap({});
  }
  if (!parsed->is_object()) {
    return fail("values: the top level must be a map, got " + std::string(parsed->type_name()));
  }
  return jsonToValue(*parsed);
}

}  // namespace sidecar::inject
