#include "kube/schema.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kube/go_format.h"
#include "kube/go_time.h"
#include "kube/json_path.h"
#include "kube/quantity.h"
#include "kube/schema_types.h"

namespace sidecar::kube {
namespace {

using detail::asciiEqualFold;
using kube::FieldDef;
using detail::jsonKind;
using kube::StructDef;
using nlohmann::json;
using Path = detail::JsonPath;

// Marshalled output of a decoded Go value, and whether encoding/json's omitempty would
// consider that value empty.
struct Decoded {
  json value;
  bool empty = false;
};

class Decoder {
 public:
  explicit Decoder(SchemaVersion version) : version_(version) {}

  Expected<Decoded> decode(const json* in, std::string_view type, const Path& path) {
    if (type.substr(0, 1) == "*") {
      if (in == nullptr || in->is_null()) {
        return Decoded{nullptr, true};
      }
      auto inner = decode(in, type.substr(1), path);
      if (!inner) {
        return inner;
      }
      inner->empty = false;
      return inner;
    }
    if (type.substr(0, 2) == "[]") {
      return decodeSlice(in, type.substr(2), path);
    }
    if (type.substr(0, 11) == "map[string]") {
      return decodeMap(in, type.substr(11), path);
    }
    if (type == "string") {
      return decodeString(in, path);
    }
    if (type == "bool") {
      return decodeBool(in, path);
    }
    if (type == "int32") {
      return decodeInt(in, path, "int32", std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    }
    if (type == "int64") {
      return decodeInt(in, path, "int64", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    }
    if (type == "float64") {
      if (in == nullptr || in->is_null()) {
        return Decoded{0.0, true};
      }
      if (!in->is_number()) {
        return mismatch(*in, path, "float64");
      }
      return Decoded{*in, in->get<double>() == 0};
    }
    if (type == "IntOrString") {
      return decodeIntOrString(in, path);
    }
    if (type == "Quantity") {
      return decodeQuantity(in, path);
    }
    if (type == "Time") {
      // metav1.Time marshals its zero value as null; a set time is kept as written.
      if (in == nullptr || in->is_null()) {
        return Decoded{nullptr, false};
      }
      if (!in->is_string()) {
        return mismatch(*in, path, "Time");
      }
      auto utc = normalizeRfc3339(in->get<std::string>());
      if (!utc) {
        return fail(path.str() + ": parsing time " + in->dump() + " as RFC 3339 (2006-01-02T15:04:05Z07:00) failed");
      }
      return Decoded{*utc, false};
    }
    if (type == "Raw") {
      if (in == nullptr) {
        return Decoded{nullptr, true};
      }
      return Decoded{*in, in->is_null()};
    }
    const StructDef* def = findStruct(type, version_);
    if (def == nullptr) {
      return fail(path.str() + ": internal error: unknown Go type " + std::string(type));
    }
    return decodeStruct(in, *def, path);
  }

 private:
  static Unexpected<Error> mismatch(const json& in, const Path& path, std::string_view goType) {
    const std::string where = path.str();
    return fail((where.empty() ? std::string() : where + ": ") + "cannot unmarshal " + jsonKind(in) + " into " +
                std::string(goType));
  }

  Expected<Decoded> decodeStruct(const json* in, const StructDef& def, const Path& path) {
    if (in != nullptr && !in->is_null() && !in->is_object()) {
      return mismatch(*in, path, def.name);
    }
    // encoding/json takes each input key in turn: an exact field name first, else a
    // case-insensitive one; a later key for the same field wins.
    std::vector<const json*> given(def.fields.size(), nullptr);
    if (in != nullptr && in->is_object()) {
      for (auto it = in->begin(); it != in->end(); ++it) {
        const FieldDef* match = findField(def, it.key());
        if (match != nullptr) {
          given[static_cast<size_t>(match - def.fields.data())] = &it.value();
        }
      }
    }
    json out = json::object();
    for (size_t i = 0; i < def.fields.size(); ++i) {
      const FieldDef& f = def.fields[i];
      const Path fieldPath{&path, f.name, 0};
      auto d = decode(given[i], f.type, fieldPath);
      if (!d) {
        return Unexpected<Error>(d.error());
      }
      if (f.omitEmpty && d->empty) {
        continue;
      }
      out[std::string(f.name)] = std::move(d->value);
    }
    return Decoded{std::move(out), false};
  }

  Expected<Decoded> decodeSlice(const json* in, std::string_view elem, const Path& path) {
    if (in == nullptr || in->is_null()) {
      return Decoded{nullptr, true};
    }
    if (!in->is_array()) {
      return mismatch(*in, path, "[]" + std::string(elem));
    }
    json out = json::array();
    for (size_t i = 0; i < in->size(); ++i) {
      const Path itemPath{&path, std::string_view(), i};
      auto d = decode(&(*in)[i], elem, itemPath);
      if (!d) {
        return d;
      }
      out.push_back(std::move(d->value));
    }
    const bool empty = out.empty();
    return Decoded{std::move(out), empty};
  }

  Expected<Decoded> decodeMap(const json* in, std::string_view elem, const Path& path) {
    if (in == nullptr || in->is_null()) {
      return Decoded{nullptr, true};
    }
    if (!in->is_object()) {
      return mismatch(*in, path, "map[string]" + std::string(elem));
    }
    json out = json::object();
    for (auto it = in->begin(); it != in->end(); ++it) {
      const Path entryPath{&path, it.key(), 0};
      auto d = decode(&it.value(), elem, entryPath);
      if (!d) {
        return d;
      }
      out[it.key()] = std::move(d->value);
    }
    const bool empty = out.empty();
    return Decoded{std::move(out), empty};
  }

  // ghodss turns YAML numbers and booleans into text before JSON decoding when the target
  // is a string.
  static Expected<Decoded> decodeString(const json* in, const Path& path) {
    if (in == nullptr || in->is_null()) {
      return Decoded{"", true};
    }
    std::string s;
    switch (in->type()) {
      case json::value_t::string:
        s = in->get<std::string>();
        break;
      case json::value_t::boolean:
        s = in->get<bool>() ? "true" : "false";
        break;
      case json::value_t::number_integer:
        s = std::to_string(in->get<int64_t>());
        break;
      case json::value_t::number_unsigned:
        s = std::to_string(in->get<uint64_t>());
        break;
      case json::value_t::number_float:
        // sigs.k8s.io/yaml converts a float bound for a string field the way it converts a
        // float map key (".inf" for infinities and for doubles beyond float32).
        s = formatYamlFloatKey(in->get<double>());
        break;
      default:
        return mismatch(*in, path, "string");
    }
    const bool empty = s.empty();
    return Decoded{std::move(s), empty};
  }

  static Expected<Decoded> decodeBool(const json* in, const Path& path) {
    if (in == nullptr || in->is_null()) {
      return Decoded{false, true};
    }
    if (!in->is_boolean()) {
      return mismatch(*in, path, "bool");
    }
    return Decoded{*in, !in->get<bool>()};
  }

  static Expected<Decoded> decodeInt(const json* in, const Path& path, std::string_view goType, int64_t lo,
                                     int64_t hi) {
    if (in == nullptr || in->is_null()) {
      return Decoded{0, true};
    }
    int64_t v = 0;
    if (in->is_number_integer() && !in->is_number_unsigned()) {
      v = in->get<int64_t>();
    } else if (in->is_number_unsigned()) {
      const uint64_t u = in->get<uint64_t>();
      if (u > static_cast<uint64_t>(hi)) {
        return mismatch(*in, path, goType);
      }
      v = static_cast<int64_t>(u);
    } else if (in->is_number_float()) {
      // Go re-reads the JSON text: "3" decodes into an int, "3.5" or "1e+21" do not.
      const double d = in->get<double>();
      if (!(std::trunc(d) == d) || std::fabs(d) >= 1e21 || d < -9.2e18 || d > 9.2e18) {
        return mismatch(*in, path, goType);
      }
      v = static_cast<int64_t>(d);
    } else {
      return mismatch(*in, path, goType);
    }
    if (v < lo || v > hi) {
      return mismatch(*in, path, goType);
    }
    return Decoded{v, v == 0};
  }

  static Expected<Decoded> decodeIntOrString(const json* in, const Path& path) {
    if (in == nullptr || in->is_null()) {
      return Decoded{0, false};
    }
    if (in->is_string()) {
      return Decoded{*in, false};
    }
    auto asInt = decodeInt(in, path, "IntOrString", std::numeric_limits<int32_t>::min(),
                           std::numeric_limits<int32_t>::max());
    if (!asInt) {
      return asInt;
    }
    asInt->empty = false;
    return asInt;
  }

  static Expected<Decoded> decodeQuantity(const json* in, const Path& path) {
    if (in == nullptr || in->is_null()) {
      return Decoded{"0", false};
    }
    std::string text;
    if (in->is_string()) {
      text = in->get<std::string>();
    } else if (in->is_number_float()) {
      text = formatJsonFloat(in->get<double>());
    } else if (in->is_number()) {
      text = in->dump();
    } else {
      return mismatch(*in, path, "Quantity");
    }
    auto q = Quantity::parse(text);
    if (!q) {
      return fail(path.str() + ": " + q.error().message);
    }
    return Decoded{q->toString(), false};
  }

  SchemaVersion version_;
};

std::string_view stripPackage(std::string_view goType) {
  const size_t dot = goType.rfind('.');
  return dot == std::string_view::npos ? goType : goType.substr(dot + 1);
}

}  // namespace

bool isKnownKind(std::string_view kind) {
  static constexpr std::string_view kKinds[] = {"ReplicationController", "Pod",     "Deployment", "DaemonSet",
                                                "ReplicaSet",            "Job",     "CronJob",    "StatefulSet",
                                                "List",                  "DeploymentConfig"};
  for (auto k : kKinds) {
    if (k == kind) {
      return true;
    }
  }
  return false;
}

Expected<nlohmann::json> decodeTyped(const nlohmann::json& in, std::string_view goType,
                                     SchemaVersion version) {
  const std::string_view name = stripPackage(goType);
  if (findStruct(name, version) == nullptr) {
    return fail("decodeTyped: unknown Go type '" + std::string(goType) + "'");
  }
  if (!in.is_object()) {
    return fail("cannot unmarshal " + jsonKind(in) + " into " + std::string(name));
  }
  Decoder decoder(version);
  const Path root;
  auto d = decoder.decode(&in, name, root);
  if (!d) {
    return Unexpected<Error>(d.error());
  }
  return std::move(d->value);
}

}  // namespace sidecar::kube
