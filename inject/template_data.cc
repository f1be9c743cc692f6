#include "inject/template_data.h"

#include <cctype>
#include <unordered_map>
#include <vector>

#include "inject/placeholder_watch.h"
#include "inject/raw_json.h"
#include "inject/values.h"
#include "kube/schema_types.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;

enum class GoKind { String, Int, Bool, StringMap, Struct, StructList, StringList, Pointer, Other };

// How a template observes a field of the Kubernetes type table: zero values for absent
// strings, numbers, bools, maps and lists; nil for pointers; typed objects for structs.
// Other leaves (quantities, int-or-string, times, []int64, ...) read as plain JSON values.
GoKind goKind(std::string_view type, kube::SchemaVersion version) {
  if (type.substr(0, 1) == "*") {
    return GoKind::Pointer;
  }
  if (type == "string") {
    return GoKind::String;
  }
  if (type == "int32" || type == "int64") {
    return GoKind::Int;
  }
  if (type == "bool") {
    return GoKind::Bool;
  }
  if (type == "map[string]string") {
    return GoKind::StringMap;
  }
  if (type == "[]string") {
    return GoKind::StringList;
  }
  if (type.substr(0, 2) == "[]") {
    return kube::findStruct(type.substr(2), version) != nullptr ? GoKind::StructList
                                                                : GoKind::Other;
  }
  return kube::findStruct(type, version) != nullptr ? GoKind::Struct : GoKind::Other;
}

std::string lowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

tmpl::Value stringMapValue(const json* node) {
  tmpl::MapValue::Entries entries;
  if (node != nullptr && node->is_object()) {
    for (const auto& [k, v] : node->items()) {
      entries.emplace(k, v.is_string() ? tmpl::Value(v.get_ref<const std::string&>())
                                       : tmpl::Value(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
  }
  return tmpl::makeStringMap(std::move(entries));
}

class KubeObject final : public tmpl::Object {
 public:
  KubeObject(JsonPtr root, const json* node, std::string_view goType, kube::SchemaVersion version)
      : root_(std::move(root)),
        node_(node),
        goType_(goType.substr(goType.rfind('.') + 1)),
        version_(version) {}

  // All the types of the table are core/v1, apps/v1 or batch/v1 ones.
  std::string typeName() const override { return "v1." + std::string(goType_); }

  Expected<tmpl::Value> field(std::string_view name) const override {
    if (const kube::StructDef* def = kube::findStruct(goType_, version_)) {
      for (const auto& f : def->fields) {
        if (f.goName == name) {
          const GoKind kind = goKind(f.type, version_);
          if (kind != GoKind::Other) {
            return typed(f, kind);
          }
          break;
        }
      }
    }
    // Not listed: reachable through its JSON name when present, zero (nil) otherwise.
    const json* child = find(lowerFirst(name));
    if (child == nullptr) {
      return tmpl::Value::nil();
    }
    detail::PlaceholderWatch::noteJson(*child);
    return jsonToValue(isRawJson(*child) ? parseRawJson(*child) : *child);
  }

  std::string print() const override {
    if (node_ == nullptr) {
      return "{}";
    }
    detail::PlaceholderWatch::noteJson(*node_);
    return node_->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  const json* node() const { return node_; }
  std::string_view goType() const { return goType_; }

 private:
  const json* find(std::string_view key) const {
    if (node_ == nullptr || !node_->is_object()) {
      return nullptr;
    }
    auto it = node_->find(key);
    if (it == node_->end() || it->is_null()) {
      return nullptr;
    }
    return &*it;
  }

  tmpl::Value typed(const kube::FieldDef& f, GoKind kind) const {
    const json* child = find(f.name);
    JsonPtr owner = root_;
    if (child != nullptr && isRawJson(*child)) {
      // Left unparsed by the webhook's reader; parsed now that a template reads it.
      auto parsed = std::make_shared<const json>(parseRawJson(*child));
      child = parsed->is_null() ? nullptr : parsed.get();
      owner = std::move(parsed);
    }
    switch (kind) {
      case GoKind::String:
        if (child == nullptr) {
          return tmpl::Value(std::string());
        }
        detail::PlaceholderWatch::noteJson(*child);
        return child->is_string() ? tmpl::Value(child->get_ref<const std::string&>())
                                  : tmpl::Value(child->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      case GoKind::Int:
        return tmpl::Value(child != nullptr && child->is_number() ? child->get<int64_t>() : int64_t{0});
      case GoKind::Bool:
        return tmpl::Value(child != nullptr && child->is_boolean() && child->get<bool>());
      case GoKind::StringMap:
        if (child != nullptr) {
          detail::PlaceholderWatch::noteJson(*child);
        }
        return stringMapValue(child);
      case GoKind::Struct:
        return makeKubeValue(owner, child, f.type, version_);
      case GoKind::StructList: {
        tmpl::List items;
        if (child != nullptr && child->is_array()) {
          items.reserve(child->size());
          for (const auto& item : *child) {
            items.push_back(makeKubeValue(owner, &item, kube::elementType(f.type), version_));
          }
        }
        return tmpl::makeList(std::move(items));
      }
      case GoKind::StringList: {
        if (child != nullptr) {
          detail::PlaceholderWatch::noteJson(*child);
        }
        tmpl::List items;
        if (child != nullptr && child->is_array()) {
          for (const auto& item : *child) {
            items.push_back(item.is_string() ? tmpl::Value(item.get_ref<const std::string&>())
                                             : tmpl::Value(item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
          }
        }
        return tmpl::makeList(std::move(items));
      }
      case GoKind::Pointer:
        if (child == nullptr) {
          return tmpl::Value::nil();
        }
        detail::PlaceholderWatch::noteJson(*child);
        return jsonToValue(*child);
      case GoKind::Other:
        break;
    }
    return tmpl::Value::nil();
  }

  JsonPtr root_;
  const json* node_;
  std::string_view goType_;
  kube::SchemaVersion version_;
};

class EnumObject final : public tmpl::Object {
 public:
  EnumObject(const ProtoEnum& e, int number) : enum_(e), number_(number) {}
  std::string typeName() const override { return "v1alpha1." + std::string(enum_.goName); }
  Expected<tmpl::Value> field(std::string_view name) const override {
    if (name == "String") {
      return tmpl::Value(enum_.nameOf(number_));
    }
    return fail("can't evaluate field " + std::string(name) + " in type " + typeName());
  }
  bool truth() const override { return number_ != 0; }
  std::string print() const override { return enum_.nameOf(number_); }
  const ProtoEnum& enumType() const { return enum_; }
  int number() const { return number_; }

 private:
  const ProtoEnum& enum_;
  int number_;
};

class DurationObject final : public tmpl::Object {
 public:
  explicit DurationObject(std::optional<int64_t> nanos) : nanos_(nanos) {}
  std::string typeName() const override { return "*types.Duration"; }
  Expected<tmpl::Value> field(std::string_view name) const override {
    if (name == "Seconds" || name == "GetSeconds") {
      return tmpl::Value(nanos_.value_or(0) / 1'000'000'000);
    }
    if (name == "Nanos" || name == "GetNanos") {
      return tmpl::Value(nanos_.value_or(0) % 1'000'000'000);
    }
    if (name == "String") {
      return tmpl::Value(print());
    }
    return fail("can't evaluate field " + std::string(name) + " in type " + typeName());
  }
  bool truth() const override { return nanos_.has_value(); }
  std::string print() const override {
    if (!nanos_) {
      return "<nil>";
    }
    int64_t secs = *nanos_ / 1'000'000'000;
    int64_t nanos = *nanos_ % 1'000'000'000;
    std::string out;
    if (secs != 0) {
      out += "seconds:" + std::to_string(secs) + " ";
    }
    if (nanos != 0) {
      out += "nanos:" + std::to_string(nanos) + " ";
    }
    return out;
  }
  std::optional<int64_t> nanos() const { return nanos_; }

 private:
  std::optional<int64_t> nanos_;
};

class ProtoObject final : public tmpl::Object {
 public:
  ProtoObject(JsonPtr root, const json* node, const ProtoMessage& desc)
      : root_(std::move(root)), node_(node), desc_(desc) {}

  std::string typeName() const override { return "*v1alpha1." + std::string(desc_.goName); }

  Expected<tmpl::Value> field(std::string_view name) const override {
    bool getter = false;
    const ProtoField* f = desc_.findGo(name);
    if (f == nullptr && name.size() > 3 && name.substr(0, 3) == "Get") {
      f = desc_.findGo(name.substr(3));
      getter = f != nullptr;
    }
    if (f == nullptr) {
      return fail("can't evaluate field " + std::string(name) + " in type " + typeName());
    }
    if (node_ == nullptr && !getter) {
      return fail("nil pointer evaluating " + typeName() + "." + std::string(name));
    }
    const json* child = nullptr;
    if (node_ != nullptr) {
      auto it = node_->find(f->jsonName());
      if (it != node_->end() && !it->is_null()) {
        child = &*it;
      }
    }
    switch (f->type) {
      case ProtoType::String:
        return tmpl::Value(child != nullptr && child->is_string() ? child->get<std::string>() : std::string());
      case ProtoType::Int:
      case ProtoType::Int64Value:
        return tmpl::Value(child != nullptr && child->is_number() ? child->get<int64_t>() : int64_t{0});
      case ProtoType::Bool:
      case ProtoType::BoolValue:
        return tmpl::Value(child != nullptr && child->is_boolean() && child->get<bool>());
      case ProtoType::Duration: {
        std::optional<int64_t> nanos;
        if (child != nullptr && child->is_string()) {
          auto parsed = parseProtoDuration(child->get_ref<const std::string&>());
          if (parsed) {
            nanos = *parsed;
          }
        }
        return tmpl::Value(std::static_pointer_cast<const tmpl::Object>(
            std::make_shared<const DurationObject>(nanos)));
      }
      case ProtoType::Enum: {
        int number = 0;
        if (child != nullptr && child->is_string()) {
          number = std::max(0, f->enumType->numberOf(child->get_ref<const std::string&>()));
        }
        return tmpl::Value(std::static_pointer_cast<const tmpl::Object>(
            std::make_shared<const EnumObject>(*f->enumType, number)));
      }
      case ProtoType::Message:
        return makeProtoValue(root_, child, *f->message);
      case ProtoType::List:
      case ProtoType::Map:
        return child == nullptr ? tmpl::Value::nil() : jsonToValue(*child);
    }
    return tmpl::Value::nil();
  }

  bool truth() const override { return node_ != nullptr; }
  std::string print() const override {
    if (node_ == nullptr) {
      return "<nil>";
    }
    std::string out;
    for (const auto& [k, v] : node_->items()) {
      out += k + ":" + v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + " ";
    }
    return out;
  }
  const json* node() const { return node_; }

 private:
  JsonPtr root_;
  const json* node_;
  const ProtoMessage& desc_;
};

class StructObject final : public tmpl::Object {
 public:
  StructObject(std::string typeName, tmpl::MapValue::Entries fields)
      : typeName_(std::move(typeName)), fields_(std::move(fields)) {}
  std::string typeName() const override { return typeName_; }
  Expected<tmpl::Value> field(std::string_view name) const override {
    auto it = fields_.find(name);
    if (it == fields_.end()) {
      return fail("can't evaluate field " + std::string(name) + " in type " + typeName_);
    }
    return it->second;
  }
  std::string print() const override {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : fields_) {
      out += (first ? "" : " ") + v.print();
      first = false;
    }
    return out + "}";
  }
  const tmpl::MapValue::Entries& fields() const { return fields_; }

 private:
  std::string typeName_;
  tmpl::MapValue::Entries fields_;
};

// protobuf-JSON without defaults: zero scalars are left out, set messages stay (even empty).
json protoJsonWithoutDefaults(const json& node) {
  if (!node.is_object()) {
    return node;
  }
  json out = json::object();
  for (const auto& [k, v] : node.items()) {
    if (v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
        (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v.get<double>() == 0) ||
        (v.is_array() && v.empty())) {
      continue;
    }
    out[k] = v.is_object() ? protoJsonWithoutDefaults(v) : v;
  }
  return out;
}

}  // namespace

tmpl::Value makeKubeValue(JsonPtr root, const json* node, std::string_view goType,
                          kube::SchemaVersion version) {
  return tmpl::Value(std::static_pointer_cast<const tmpl::Object>(
      std::make_shared<const KubeObject>(std::move(root), node, goType, version)));
}

tmpl::Value makeProtoValue(JsonPtr root, const json* node, const ProtoMessage& desc) {
  return tmpl::Value(std::static_pointer_cast<const tmpl::Object>(
      std::make_shared<const ProtoObject>(std::move(root), node, desc)));
}

tmpl::Value makeStructValue(std::string typeName, tmpl::MapValue::Entries fields) {
  return tmpl::Value(std::static_pointer_cast<const tmpl::Object>(
      std::make_shared<const StructObject>(std::move(typeName), std::move(fields))));
}

std::optional<KubeView> kubeView(const tmpl::Value& v) {
  if (!v.isObject()) {
    return std::nullopt;
  }
  const auto* k = dynamic_cast<const KubeObject*>(&v.asObject());
  if (k == nullptr) {
    return std::nullopt;
  }
  return KubeView{k->node(), k->goType()};
}

std::optional<const json*> protoView(const tmpl::Value& v) {
  if (!v.isObject()) {
    return std::nullopt;
  }
  const auto* p = dynamic_cast<const ProtoObject*>(&v.asObject());
  if (p == nullptr) {
    return std::nullopt;
  }
  return p->node();
}

std::optional<std::optional<int64_t>> durationView(const tmpl::Value& v) {
  if (!v.isObject()) {
    return std::nullopt;
  }
  const auto* d = dynamic_cast<const DurationObject*>(&v.asObject());
  if (d == nullptr) {
    return std::nullopt;
  }
  return d->nanos();
}

json objectToJson(const tmpl::Object& object) {
  if (const auto* k = dynamic_cast<const KubeObject*>(&object)) {
    if (k->node() == nullptr) {
      return json::object();
    }
    detail::PlaceholderWatch::noteJson(*k->node());
    return expandRawJson(*k->node());
  }
  if (const auto* p = dynamic_cast<const ProtoObject*>(&object)) {
    return p->node() == nullptr ? json(nullptr) : protoJsonWithoutDefaults(*p->node());
  }
  if (const auto* e = dynamic_cast<const EnumObject*>(&object)) {
    return e->print();
  }
  if (const auto* d = dynamic_cast<const DurationObject*>(&object)) {
    return d->nanos() ? json(formatGoDuration(*d->nanos())) : json(nullptr);
  }
  if (const auto* s = dynamic_cast<const StructObject*>(&object)) {
    json out = json::object();
    for (const auto& [k, v] : s->fields()) {
      out[k] = valueToJson(v);
    }
    return out;
  }
  return nullptr;
}

void makeMeshValues(const std::shared_ptr<const MeshConfig>& mesh, TemplateEnvironment& env) {
  // The mesh JSON lives as long as any value built over it.
  JsonPtr root(mesh, &mesh->json);
  env.meshConfig = makeProtoValue(root, &mesh->json, meshConfigDescriptor());
  auto it = mesh->json.find("defaultConfig");
  env.proxyConfig =
      makeProtoValue(root, it == mesh->json.end() ? nullptr : &*it, proxyConfigDescriptor());
}

tmpl::Value makeTemplateData(const TemplateDataInput& input, const TemplateEnvironment& env) {
  tmpl::MapValue::Entries fields;
  fields.emplace("DeploymentMeta",
                 makeKubeValue(input.deploymentMeta, input.deploymentMeta.get(), "v1.ObjectMeta"));
  fields.emplace("ObjectMeta", makeKubeValue(input.objectMeta, input.objectMeta.get(), "v1.ObjectMeta"));
  fields.emplace("Spec", makeKubeValue(input.podSpec, input.podSpec.get(), "v1.PodSpec"));
  fields.emplace("ProxyConfig", env.proxyConfig);
  fields.emplace("MeshConfig", env.meshConfig);
  if (!env.legacy) {
    fields.emplace("TypeMeta", makeStructValue("v1.TypeMeta", {{"APIVersion", tmpl::Value(input.apiVersion)},
                                                               {"Kind", tmpl::Value(input.kind)}}));
    fields.emplace("Values", env.values);
  }
  return makeStructValue("inject.SidecarTemplateData", std::move(fields));
}

}  // namespace sidecar::inject
