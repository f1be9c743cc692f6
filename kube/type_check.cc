#include "kube/type_check.h"

#include <cmath>
#include <limits>
#include <string>

#include "kube/json_path.h"
#include "kube/schema_types.h"

namespace sidecar::kube {

namespace {

using nlohmann::json;
using Path = detail::JsonPath;

Unexpected<Error> mismatch(const json& in, const Path& path, std::string_view goType) {
  const std::string where = path.str();
  return fail(ErrorCode::InvalidArgument, (where.empty() ? std::string() : where + ": ") +
                                              "cannot unmarshal " + detail::jsonKind(in) +
                                              " into " + std::string(goType));
}

bool integralIn(const json& in, double low, double high) {
  if (in.is_number_integer() || in.is_number_unsigned()) {
    if (in.is_number_unsigned()) {
      return static_cast<double>(in.get<uint64_t>()) <= high;
    }
    const auto v = static_cast<double>(in.get<int64_t>());
    return v >= low && v <= high;
  }
  if (in.is_number_float()) {
    const double v = in.get<double>();
    return std::floor(v) == v && v >= low && v <= high;
  }
  return false;
}

Expected<void> check(const json& in, std::string_view type, const Path& path);

Expected<void> checkStruct(const json& in, const StructDef& def, const Path& path) {
  if (!in.is_object()) {
    return mismatch(in, path, def.name);
  }
  for (auto it = in.begin(); it != in.end(); ++it) {
    const std::string& key = it.key();
    const FieldDef* field = nullptr;
    for (const auto& f : def.fields) {
      if (f.name == key) {
        field = &f;
        break;
      }
    }
    if (field == nullptr) {
      // encoding/json falls back to a case-insensitive match of the field name.
      for (const auto& f : def.fields) {
        if (detail::asciiEqualFold(f.name, key)) {
          field = &f;
          break;
        }
      }
    }
    if (field == nullptr) {
      continue;
    }
    const Path fieldPath{&path, key, 0};
    if (auto ok = check(it.value(), field->type, fieldPath); !ok) {
      return ok;
    }
  }
  return {};
}

Expected<void> check(const json& in, std::string_view type, const Path& path) {
  if (in.is_null() || in.is_binary()) {
    return {};
  }
  if (type.starts_with("*")) {
    return check(in, type.substr(1), path);
  }
  if (type.starts_with("[]")) {
    if (!in.is_array()) {
      return mismatch(in, path, type);
    }
    for (size_t i = 0; i < in.size(); ++i) {
      if (auto ok = check(in[i], type.substr(2), Path{&path, {}, i}); !ok) {
        return ok;
      }
    }
    return {};
  }
  if (type.starts_with("map[string]")) {
    if (!in.is_object()) {
      return mismatch(in, path, type);
    }
    for (auto it = in.begin(); it != in.end(); ++it) {
      if (auto ok = check(it.value(), type.substr(11), Path{&path, it.key(), 0}); !ok) {
        return ok;
      }
    }
    return {};
  }
  if (type == "string" || type == "Time") {
    return in.is_string() ? Expected<void>{} : mismatch(in, path, type);
  }
  if (type == "bool") {
    return in.is_boolean() ? Expected<void>{} : mismatch(in, path, type);
  }
  if (type == "int32") {
    return integralIn(in, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max())
               ? Expected<void>{}
               : mismatch(in, path, type);
  }
  if (type == "int64") {
    return integralIn(in, -0x1p63, 0x1p63) ? Expected<void>{} : mismatch(in, path, type);
  }
  if (type == "float64") {
    return in.is_number() ? Expected<void>{} : mismatch(in, path, type);
  }
  if (type == "IntOrString") {
    return in.is_string() || integralIn(in, std::numeric_limits<int32_t>::min(),
                                        std::numeric_limits<int32_t>::max())
               ? Expected<void>{}
               : mismatch(in, path, type);
  }
  if (type == "Quantity") {
    // The value itself is resource.Quantity's business (quantity.h); only its JSON kind here.
    return in.is_string() || in.is_number() ? Expected<void>{} : mismatch(in, path, type);
  }
  if (type == "Raw") {
    return {};
  }
  const StructDef* def = findStruct(type);
  if (def == nullptr) {
    return fail(ErrorCode::Internal, path.str() + ": unknown Go type " + std::string(type));
  }
  return checkStruct(in, *def, path);
}

}  // namespace

Expected<void> checkGoTypes(const json& in, std::string_view goType, std::string_view where) {
  return check(in, goType, Path{nullptr, where, 0});
}

}  // namespace sidecar::kube
