#include "inject/template_functions.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "kube/yaml.h"
#include "inject/template_data.h"
#include "inject/values.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;
using tmpl::CallContext;
using tmpl::Value;
using Args = std::span<const Value>;

// What Go's fmt.Sprint prints for an interface{} argument (missing values arrive as nil).
std::string sprintArg(const Value& v) { return v.isValid() ? v.print() : std::string("<nil>"); }

Expected<std::string> stringArg(Args args, size_t i, std::string_view fn) {
  const Value& v = args[i];
  if (v.isString()) {
    return v.asString();
  }
  if (!v.isValid() || v.isNil()) {
    return fail("error calling " + std::string(fn) + ": invalid value; expected string");
  }
  return fail("error calling " + std::string(fn) + ": wrong type for value; expected string; got " +
              v.typeName());
}

Expected<int64_t> intArg(Args args, size_t i, std::string_view fn) {
  const Value& v = args[i];
  if (v.isInt()) {
    return v.asInt();
  }
  if (v.isFloat() && std::floor(v.asFloat()) == v.asFloat()) {
    return static_cast<int64_t>(v.asFloat());
  }
  return fail("error calling " + std::string(fn) + ": wrong type for value; expected int; got " +
              v.typeName());
}

// Containers given as .Spec.Containers (a list of v1.Container objects).
json containersJson(const Value& v) {
  json out = json::array();
  if (!v.isList()) {
    return out;
  }
  for (const auto& item : v.asList()) {
    auto view = kubeView(item);
    if (view && view->node != nullptr) {
      out.push_back(*view->node);
    }
  }
  return out;
}

const json* metaAnnotations(const Value& meta) {
  auto view = kubeView(meta);
  if (!view || view->node == nullptr) {
    return nullptr;
  }
  auto it = view->node->find("annotations");
  if (it == view->node->end() || !it->is_object()) {
    return nullptr;
  }
  return &*it;
}

// encoding/json of a ContainerPort: Go struct field order and omitempty.
std::string containerPortJson(const json& p) {
  std::string out = "{";
  bool first = true;
  auto add = [&](const char* key, const json& value) {
    out += first ? "" : ",";
    first = false;
    out += "\"" + std::string(key) + "\":" + goJsonMarshal(value);
  };
  auto str = [&](const char* key) -> std::string {
    auto it = p.find(key);
    return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* key) -> int64_t {
    auto it = p.find(key);
    return it != p.end() && it->is_number() ? it->get<int64_t>() : 0;
  };
  if (!str("name").empty()) {
    add("name", str("name"));
  }
  if (num("hostPort") != 0) {
    add("hostPort", num("hostPort"));
  }
  add("containerPort", num("containerPort"));
  if (!str("protocol").empty()) {
    add("protocol", str("protocol"));
  }
  if (!str("hostIP").empty()) {
    add("hostIP", str("hostIP"));
  }
  return out + "}";
}

Expected<Value> fnFormatDuration(Args args, const CallContext&) {
  auto d = durationView(args[0]);
  if (!d || !d->has_value()) {
    return Value("1s");
  }
  return Value(formatGoDuration(**d));
}

Expected<Value> fnIsset(Args args, const CallContext&) {
  auto key = stringArg(args, 1, "isset");
  if (!key) {
    return Unexpected<Error>(key.error());
  }
  if (!args[0].isMap()) {
    return Value(false);
  }
  return Value(args[0].asMap().find(*key) != nullptr);
}

Expected<Value> fnExcludeInboundPort(Args args, const CallContext&) {
  auto excluded = stringArg(args, 1, "excludeInboundPort");
  if (!excluded) {
    return Unexpected<Error>(excluded.error());
  }
  return Value(excludeInboundPort(sprintArg(args[0]), *excluded));
}

Expected<Value> fnIncludeInboundPorts(Args args, const CallContext&) {
  json containers = containersJson(args[0]);
  return Value(containerPorts(&containers, false));
}

Expected<Value> fnApplicationPorts(Args args, const CallContext&) {
  json containers = containersJson(args[0]);
  return Value(containerPorts(&containers, true));
}

Expected<Value> fnKubevirtInterfaces(Args args, const CallContext&) {
  auto s = stringArg(args, 0, "kubevirtInterfaces");
  if (!s) {
    return Unexpected<Error>(s.error());
  }
  return Value(*s);
}

Expected<Value> fnAnnotation(Args args, const CallContext&) {
  auto name = stringArg(args, 1, "annotation");
  if (!name) {
    return Unexpected<Error>(name.error());
  }
  if (const json* annotations = metaAnnotations(args[0])) {
    auto it = annotations->find(*name);
    if (it != annotations->end()) {
      return Value(it->is_string() ? it->get<std::string>() : it->dump());
    }
  }
  return Value(sprintArg(args[2]));
}

Expected<Value> fnValueOrDefault(Args args, const CallContext&) {
  const Value& v = args[0];
  if (!v.isValid() || v.isNil() || (v.isString() && v.asString().empty())) {
    return args[1].isValid() ? args[1] : Value::nil();
  }
  return v;
}

Expected<Value> fnToJson(Args args, const CallContext&) {
  const Value& v = args[0];
  if (!v.isMap()) {
    return Value("{}");
  }
  json out = json::object();
  for (const auto& [k, item] : v.asMap().entries()) {
    out[k] = item.isString() ? json(item.asString()) : valueToJson(item);
  }
  return Value(goJsonMarshal(out));
}

Expected<Value> fnFromJson(Args args, const CallContext&) {
  auto text = stringArg(args, 0, "fromJSON");
  if (!text) {
    return Unexpected<Error>(text.error());
  }
  json parsed = json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) {
    return Value("{}");
  }
  return jsonToValue(parsed);
}

Expected<Value> fnStructToJson(Args args, const CallContext&) {
  const Value& v = args[0];
  if (!v.isValid() || v.isNil()) {
    return Value("{}");
  }
  if (auto view = kubeView(v); view && view->goType == "ContainerPort") {
    return Value(containerPortJson(view->node != nullptr ? *view->node : json::object()));
  }
  return Value(goJsonMarshal(valueToJson(v)));
}

Expected<Value> fnProtoToJson(Args args, const CallContext&) {
  auto node = protoView(args[0]);
  if (!node || *node == nullptr) {
    return Value("{}");
  }
  return Value(goJsonMarshal(objectToJson(args[0].asObject())));
}

Expected<Value> fnToYaml(Args args, const CallContext&) {
  return Value(kube::toYaml(valueToJson(args[0])));
}

Expected<Value> fnIndent(Args args, const CallContext&) {
  auto spaces = intArg(args, 0, "indent");
  if (!spaces) {
    return Unexpected<Error>(spaces.error());
  }
  auto source = stringArg(args, 1, "indent");
  if (!source) {
    return Unexpected<Error>(source.error());
  }
  std::string pad(static_cast<size_t>(std::max<int64_t>(0, *spaces)), ' ');
  std::string out;
  out.reserve(source->size());
  for (char c : *source) {
    out += c;
    if (c == '\n') {
      out += pad;
    }
  }
  return Value(std::move(out));
}

Expected<Value> fnDirectory(Args args, const CallContext&) {
  auto path = stringArg(args, 0, "directory");
  if (!path) {
    return Unexpected<Error>(path.error());
  }
  auto slash = path->rfind('/');
  return Value(slash == std::string::npos ? std::string() : path->substr(0, slash + 1));
}

Expected<Value> fnContains(Args args, const CallContext&) {
  auto needle = stringArg(args, 0, "contains");
  if (!needle) {
    return Unexpected<Error>(needle.error());
  }
  auto haystack = stringArg(args, 1, "contains");
  if (!haystack) {
    return Unexpected<Error>(haystack.error());
  }
  return Value(haystack->find(*needle) != std::string::npos);
}

Expected<Value> fnToLower(Args args, const CallContext&) {
  auto s = stringArg(args, 0, "toLower");
  if (!s) {
    return Unexpected<Error>(s.error());
  }
  std::string out = *s;
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return Value(std::move(out));
}

Expected<Value> fnRender(Args args, const CallContext& ctx) {
  auto text = stringArg(args, 0, "render");
  if (!text) {
    return Unexpected<Error>(text.error());
  }
  // Errors render as an empty string, as Istio's render does.
  auto parsed = tmpl::Template::parse("render", *text, istio14Functions());
  if (!parsed) {
    return Value(std::string());
  }
  auto out = parsed->execute(ctx.root);
  return Value(out ? *out : std::string());
}

void addCommon(tmpl::FuncMap& m) {
  m.add("formatDuration", fnFormatDuration, 1, 1);
  m.add("isset", fnIsset, 2, 2);
  m.add("excludeInboundPort", fnExcludeInboundPort, 2, 2);
  m.add("includeInboundPorts", fnIncludeInboundPorts, 1, 1);
  m.add("kubevirtInterfaces", fnKubevirtInterfaces, 1, 1);
  m.add("applicationPorts", fnApplicationPorts, 1, 1);
  m.add("annotation", fnAnnotation, 3, 3);
  m.add("valueOrDefault", fnValueOrDefault, 2, 2);
  m.add("toJSON", fnToJson, 1, 1);
  m.add("toJson", fnToJson, 1, 1);
  m.add("fromJSON", fnFromJson, 1, 1);
  m.add("toYaml", fnToYaml, 1, 1);
  m.add("indent", fnIndent, 2, 2);
  m.add("directory", fnDirectory, 1, 1);
}

}  // namespace

std::string goJsonMarshal(const json& j) {
  std::string raw = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
               (raw[i + 2] == '\xA8' || raw[i + 2] == '\xA9')) {
      out += raw[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string excludeInboundPort(std::string_view portIn, std::string_view excluded) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
      s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
      s.remove_suffix(1);
    }
    return s;
  };
  std::string_view port = trim(portIn);
  if (port.empty() || port == "0") {
    return std::string(excluded);
  }
  std::string out;
  size_t start = 0;
  while (true) {
    size_t comma = excluded.find(',', start);
    std::string_view part = excluded.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (part == port) {
      return std::string(excluded);  // already excluded
    }
    part = trim(part);
    if (!part.empty()) {
      out += std::string(part) + ",";
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return out + std::string(port);
}

std::string containerPorts(const json* containers, bool skipProxy) {
  std::string out;
  if (containers == nullptr || !containers->is_array()) {
    return out;
  }
  for (const auto& c : *containers) {
    auto name = c.is_object() ? c.find("name") : c.end();
    if (skipProxy && c.is_object() && name != c.end() && name->is_string() && *name == "istio-proxy") {
      continue;
    }
    if (!c.is_object()) {
      continue;
    }
    auto ports = c.find("ports");
    if (ports == c.end() || !ports->is_array()) {
      continue;
    }
    for (const auto& p : *ports) {
      if (!p.is_object()) {
        continue;
      }
      auto cp = p.find("containerPort");
      int64_t n = cp != p.end() && cp->is_number() ? cp->get<int64_t>() : 0;
      out += (out.empty() ? "" : ",") + std::to_string(n);
    }
  }
  return out;
}

std::shared_ptr<const tmpl::FuncMap> istio14Functions() {
  static const std::shared_ptr<const tmpl::FuncMap> functions = [] {
    auto m = std::make_shared<tmpl::FuncMap>();
    addCommon(*m);
    m->add("structToJSON", fnStructToJson, 1, 1);
    m->add("protoToJSON", fnProtoToJson, 1, 1);
    m->add("contains", fnContains, 2, 2);
    m->add("toLower", fnToLower, 1, 1);
    m->add("render", fnRender, 1, 1);
    return std::shared_ptr<const tmpl::FuncMap>(std::move(m));
  }();
  return functions;
}

std::shared_ptr<const tmpl::FuncMap> istio11Functions() {
  static const std::shared_ptr<const tmpl::FuncMap> functions = [] {
    auto m = std::make_shared<tmpl::FuncMap>();
    addCommon(*m);
    return std::shared_ptr<const tmpl::FuncMap>(std::move(m));
  }();
  return functions;
}

}  // namespace sidecar::inject
