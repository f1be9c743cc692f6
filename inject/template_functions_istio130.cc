#include "inject/template_functions_istio130.h"

#include <algorithm>

#include "inject/template_data.h"
#include "inject/template_functions.h"
#include "inject/values.h"
#include "template/func_args.h"
#include "template/sprig.h"

namespace sidecar::inject {
namespace {

using nlohmann::json;
using tmpl::CallContext;
using tmpl::Value;
using Args = std::span<const Value>;
using Entries = tmpl::MapValue::Entries;

Expected<std::string> stringParam(Args args, size_t i) {
  return tmpl::args::string(args, i);
}

// A map[string]string parameter (annotations, labels, strdict/mergeMaps results).
Expected<const Entries*> stringMapParam(Args args, size_t i) {
  return tmpl::args::map(args, i, "map[string]string", false);
}

Value stringMap(Entries entries) {
  return tmpl::makeStringMap(std::move(entries));
}

std::string entryString(const Value& v) {
  return v.isString() ? v.asString() : v.print();
}

// mergeMaps: later maps win; no maps at all is a nil map.
Expected<std::optional<Entries>> mergeMapArgs(Args args) {
  if (args.empty()) {
    return std::optional<Entries>();
  }
  Entries out;
  for (size_t i = 0; i < args.size(); ++i) {
    auto m = stringMapParam(args, i);
    if (!m) {
      return Unexpected<Error>(m.error());
    }
    for (const auto& [k, v] : **m) {
      out[k] = v;
    }
  }
  return std::optional<Entries>(std::move(out));
}

// The containers of a []corev1.Container argument, as their JSON.
std::vector<const json*> containerNodes(const Value& v) {
  std::vector<const json*> out;
  if (!v.isList()) {
    return out;
  }
  for (const auto& item : v.asList()) {
    auto view = kubeView(item);
    if (view && view->node != nullptr) {
      out.push_back(view->node);
    }
  }
  return out;
}

std::string jsonString(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// getContainerPorts: TCP ports only (UDP and SCTP are skipped since Istio 1.2x).
std::string containerPorts130(const Value& containers, bool skipProxy) {
  std::string out;
  for (const json* c : containerNodes(containers)) {
    if (skipProxy && jsonString(*c, "name") == "istio-proxy") {
      continue;
    }
    auto ports = c->find("ports");
    if (ports == c->end() || !ports->is_array()) {
      continue;
    }
    for (const auto& p : *ports) {
      const std::string protocol = p.is_object() ? jsonString(p, "protocol") : std::string();
      if (protocol == "UDP" || protocol == "SCTP") {
        continue;
      }
      auto cp = p.is_object() ? p.find("containerPort") : p.end();
      const int64_t n = p.is_object() && cp != p.end() && cp->is_number() ? cp->get<int64_t>() : 0;
      out += (out.empty() ? "" : ",") + std::to_string(n);
    }
  }
  return out;
}

// omitNil: nulls vanish from maps and lists, recursively; containers left empty become nil.
std::optional<json> omitNil(const json& v) {
  if (v.is_null()) {
    return std::nullopt;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, item] : v.items()) {
      if (auto kept = omitNil(item)) {
        out[k] = std::move(*kept);
      }
    }
    if (out.size() != v.size() && out.empty()) {
      return std::nullopt;
    }
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const auto& item : v) {
      if (auto kept = omitNil(item)) {
        out.push_back(std::move(*kept));
      }
    }
    if (out.size() != v.size() && out.empty()) {
      return std::nullopt;
    }
    return out;
  }
  return v;
}

// appendMultusNetwork: add Istio's CNI network to a pod's k8s.v1.cni.cncf.io/networks value
// (JSON list or comma-separated names) unless it is there.
std::string appendMultusNetwork(const std::string& existing, const std::string& network) {
  if (existing.empty()) {
    return network;
  }
  const size_t bracket = existing.rfind(']');
  if (bracket != std::string::npos) {
    const json networks = json::parse(existing, nullptr, false);
    if (networks.is_discarded() || !networks.is_array()) {
      return existing;
    }
    const size_t slash = network.find('/');
    const std::string ns = slash == std::string::npos ? std::string() : network.substr(0, slash);
    const std::string name = slash == std::string::npos ? network : network.substr(slash + 1);
    for (const auto& net : networks) {
      if (!net.is_object()) {
        return existing;  // Go's unmarshal into []map[string]any fails
      }
      auto n = net.find("name");
      if (n != net.end() && n->is_string() && *n == name) {
        auto s = net.find("namespace");
        const bool nsNil = s == net.end() || s->is_null();
        if ((nsNil && ns.empty()) || (!nsNil && s->is_string() && *s == ns)) {
          return existing;
        }
      }
    }
    const std::string entry = ns.empty()
                                  ? ", {\"name\": \"" + name + "\"}"
                                  : ", {\"name\": \"" + name + "\", \"namespace\": \"" + ns + "\"}";
    return existing.substr(0, bracket) + entry + existing.substr(bracket);
  }
  size_t start = 0;
  for (;;) {
    const size_t comma = existing.find(',', start);
    std::string_view part(existing.data() + start,
                          (comma == std::string::npos ? existing.size() : comma) - start);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) {
      part.remove_prefix(1);
    }
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) {
      part.remove_suffix(1);
    }
    if (part == network) {
      return existing;
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return existing + ", " + network;
}

std::pair<std::string, std::string> imageTagDigest(std::string image) {
  std::string digest;
  if (const size_t at = image.find('@'); at != std::string::npos) {
    digest = image.substr(at + 1);
    image = image.substr(0, at);
  }
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  std::string tag;
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = image.substr(colon + 1);
  }
  return {tag, digest};
}

Expected<Value> otelResourceAttributes(Args a) {
  auto mesh = protoView(a[0]);
  bool semconv = false;
  if (mesh && *mesh != nullptr) {
    auto providers = (*mesh)->find("extensionProviders");
    if (providers != (*mesh)->end() && providers->is_array()) {
      for (const auto& p : *providers) {
        auto otel = p.is_object() ? p.find("opentelemetry") : p.end();
        if (p.is_object() && otel != p.end() && otel->is_object() &&
            jsonString(*otel, "serviceAttributeEnrichment") == "OTEL_SEMANTIC_CONVENTIONS") {
          semconv = true;
          break;
        }
      }
    }
  }
  if (!semconv) {
    return Value(std::string());
  }
  auto annotations = stringMapParam(a, 1);
  auto labels = stringMapParam(a, 2);
  auto ns = stringParam(a, 3);
  if (!annotations || !labels || !ns) {
    return fail(!annotations ? annotations.error().message
                : !labels    ? labels.error().message
                             : ns.error().message);
  }
  const auto get = [](const Entries* m, const char* key) {
    auto it = m->find(key);
    return it == m->end() ? std::string() : entryString(it->second);
  };
  const auto containers = containerNodes(a[4]);
  std::vector<std::string> attrs;
  if (auto v = get(*annotations, "resource.opentelemetry.io/service.namespace"); !v.empty()) {
    attrs.push_back("service.namespace=" + v);
  } else if (!ns->empty()) {
    attrs.push_back("service.namespace=" + *ns);
  }
  if (auto v = get(*annotations, "resource.opentelemetry.io/service.version"); !v.empty()) {
    attrs.push_back("service.version=" + v);
  } else if (auto l = get(*labels, "app.kubernetes.io/version"); !l.empty()) {
    attrs.push_back("service.version=" + l);
  } else if (containers.size() == 1) {
    auto [tag, digest] = imageTagDigest(jsonString(*containers[0], "image"));
    if (!tag.empty() && !digest.empty()) {
      attrs.push_back("service.version=" + tag + "@" + digest);
    } else if (!digest.empty()) {
      attrs.push_back("service.version=" + digest);
    } else if (!tag.empty()) {
      attrs.push_back("service.version=" + tag);
    }
  }
  if (auto v = get(*annotations, "resource.opentelemetry.io/service.instance.id"); !v.empty()) {
    attrs.push_back("service.instance.id=" + v);
  } else if (!containers.empty()) {
    attrs.push_back("service.instance.id=" + *ns + ".$(POD_NAME)." +
                    jsonString(*containers[0], "name"));
  }
  std::string out;
  for (size_t i = 0; i < attrs.size(); ++i) {
    out += (i == 0 ? "" : ",") + attrs[i];
  }
  return Value(std::move(out));
}

void copyFrom(tmpl::FuncMap& to, const tmpl::FuncMap& from, std::string_view name) {
  const auto* entry = from.find(name);
  if (entry != nullptr) {
    to.add(std::string(name), entry->fn, entry->minArgs, entry->maxArgs);
  }
}

}  // namespace

std::string goJsonIndent(std::string_view compact) {
  std::string out;
  int depth = 0;
  bool inString = false;
  const auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(2 * std::max(0, d)), ' ');
  };
  for (size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < compact.size()) {
        out += compact[++i];
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out += compact[++i];  // {} and [] stay on one line
        } else {
          newline(++depth);
        }
        break;
      case '}':
      case ']':
        newline(--depth);
        out += c;
        break;
      case ',':
        out += c;
        newline(depth);
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string goJsonUnescapeHtml(std::string_view compact) {
  std::string out;
  out.reserve(compact.size());
  for (size_t i = 0; i < compact.size(); ++i) {
    if (compact[i] == '\\' && i + 1 < compact.size()) {
      const std::string_view rest = compact.substr(i, 6);
      if (rest == "\\u003c" || rest == "\\u003e" || rest == "\\u0026") {
        out += rest == "\\u003c" ? '<' : rest == "\\u003e" ? '>' : '&';
        i += 5;
      } else {
        out += compact[i];
        out += compact[++i];
      }
      continue;
    }
    out += compact[i];
  }
  return out;
}

std::shared_ptr<const tmpl::FuncMap> makeIstio130Functions(EnvLookup env) {
  auto m = std::make_shared<tmpl::FuncMap>();
  tmpl::SprigHooks hooks;
  hooks.marshalJson = [](const Value& v, tmpl::JsonStyle style) -> Expected<std::string> {
    const std::string compact = goJsonMarshal(valueToJson(v));
    switch (style) {
      case tmpl::JsonStyle::Pretty:
        return goJsonIndent(compact);
      case tmpl::JsonStyle::Raw:
        return goJsonUnescapeHtml(compact);
      default:
        return compact;
    }
  };
  hooks.unmarshalJson = [](std::string_view text) -> Expected<Value> {
    const json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
      return fail("invalid JSON: " + std::string(text.substr(0, 80)));
    }
    return jsonToValue(parsed);
  };
  tmpl::addSprigFunctions(*m, hooks);

  // InjectionFuncmap, over sprig. The functions 1.30 kept from 1.4 unchanged come from there.
  const auto istio14 = istio14Functions();
  for (std::string_view name :
       {"isset", "excludeInboundPort", "kubevirtInterfaces", "annotation", "valueOrDefault",
        "toJSON", "fromJSON", "structToJSON", "protoToJSON", "toYaml", "indent", "directory",
        "contains", "toLower"}) {
    copyFrom(*m, *istio14, name);
  }
  // durationpb's AsDuration of a nil duration is 0 ("0s"); 1.4's gogo types printed "1s".
  const auto* format14 = istio14->find("formatDuration");
  m->add(
      "formatDuration",
      [fn = format14->fn](Args a, const CallContext& ctx) -> Expected<Value> {
        auto d = durationView(a[0]);
        if (!d || !d->has_value()) {
          return Value("0s");
        }
        return fn(a, ctx);
      },
      1, 1);
  m->add(
      "includeInboundPorts",
      [](Args a, const CallContext&) -> Expected<Value> {
        return Value(containerPorts130(a[0], false));
      },
      1, 1);
  m->add(
      "applicationPorts",
      [](Args a, const CallContext&) -> Expected<Value> {
        return Value(containerPorts130(a[0], true));
      },
      1, 1);
  const auto identity = [](Args a, const CallContext&) -> Expected<Value> {
    auto s = stringParam(a, 0);
    if (!s) {
      return Unexpected<Error>(s.error());
    }
    return Value(std::move(*s));
  };
  m->add("excludeInterfaces", identity, 1, 1);
  m->add(
      "appendMultusNetwork",
      [](Args a, const CallContext&) -> Expected<Value> {
        auto existing = stringParam(a, 0);
        auto network = stringParam(a, 1);
        if (!existing || !network) {
          return Unexpected<Error>(!existing ? existing.error() : network.error());
        }
        return Value(appendMultusNetwork(*existing, *network));
      },
      2, 2);
  m->add(
      "env",
      [env = std::move(env)](Args a, const CallContext&) -> Expected<Value> {
        auto key = stringParam(a, 0);
        auto def = stringParam(a, 1);
        if (!key || !def) {
          return Unexpected<Error>(!key ? key.error() : def.error());
        }
        auto value = env ? env(*key) : std::nullopt;
        return Value(value && !value->empty() ? *value : *def);  // os.Getenv: unset and empty alike
      },
      2, 2);
  m->add(
      "omit",
      [](Args a, const CallContext&) -> Expected<Value> {
        auto dict = stringMapParam(a, 0);
        if (!dict) {
          return Unexpected<Error>(dict.error());
        }
        Entries out = **dict;
        for (size_t i = 1; i < a.size(); ++i) {
          auto key = stringParam(a, i);
          if (!key) {
            return Unexpected<Error>(key.error());
          }
          out.erase(*key);
        }
        return stringMap(std::move(out));
      },
      1, -1);
  m->add(
      "strdict",
      [](Args a, const CallContext&) -> Expected<Value> {
        Entries out;
        for (size_t i = 0; i < a.size(); i += 2) {
          auto key = stringParam(a, i);
          if (!key) {
            return Unexpected<Error>(key.error());
          }
          std::string value;
          if (i + 1 < a.size()) {
            auto v = stringParam(a, i + 1);
            if (!v) {
              return Unexpected<Error>(v.error());
            }
            value = std::move(*v);
          }
          out[*key] = Value(std::move(value));
        }
        return stringMap(std::move(out));
      },
      0, -1);
  m->add(
      "mergeMaps",
      [](Args a, const CallContext&) -> Expected<Value> {
        auto merged = mergeMapArgs(a);
        if (!merged) {
          return Unexpected<Error>(merged.error());
        }
        return *merged ? stringMap(std::move(**merged)) : Value::nil();
      },
      0, -1);
  m->add(
      "toJsonMap",
      [](Args a, const CallContext&) -> Expected<Value> {
        auto merged = mergeMapArgs(a);
        if (!merged) {
          return Unexpected<Error>(merged.error());
        }
        if (!*merged) {
          return Value("null");
        }
        json out = json::object();
        for (const auto& [k, v] : **merged) {
          out[k] = entryString(v);
        }
        return Value(goJsonMarshal(out));
      },
      0, -1);
  m->add(
      "omitNil",
      [](Args a, const CallContext&) -> Expected<Value> {
        if (!a[0].isValid() || a[0].isNil() || a[0].isObject()) {
          return a[0].isValid() ? a[0] : Value::nil();
        }
        auto kept = omitNil(valueToJson(a[0]));
        return kept ? jsonToValue(*kept) : Value::nil();
      },
      1, 1);
  m->add(
      "otelResourceAttributes",
      [](Args a, const CallContext&) { return otelResourceAttributes(a); }, 5, 5);
  return m;
}

}  // namespace sidecar::inject
