#include "inject/injector.h"

#include <charconv>
#include <cmath>
#include <exception>
#include <regex>
#include <set>

#include "inject/annotations.h"
#include "inject/template_functions.h"
#include "kube/json_access.h"
#include "kube/json_patch.h"
#include "kube/quantity.h"
#include "kube/schema.h"
#include "kube/yaml.h"

namespace sidecar::inject {

namespace {

using kube::arrayMember;
using kube::intMember;
using kube::member;
using kube::stringMember;
using nlohmann::json;

constexpr std::string_view kProxyName = "istio-proxy";
constexpr std::string_view kProberEnv = "ISTIO_KUBE_APP_PROBERS";
constexpr std::string_view kServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

const json kEmptyObject = json::object();
const json kEmptyArray = json::array();
const json kNull;
const json kZero = 0;
const json kEmptyString = "";

const json* annotationsOf(const json& metadata) {
  if (!metadata.is_object()) {
    return nullptr;
  }
  auto it = metadata.find("annotations");
  return it == metadata.end() || !it->is_object() ? nullptr : &*it;
}

json namesOf(const json& items) {
  if (items.empty()) {
    return nullptr;  // Go marshals a nil slice as null
  }
  json out = json::array();
  for (const auto& item : items) {
    out.push_back(stringMember(item, "name"));
  }
  return out;
}

// An empty `- ` item in a rendered string list is an empty string in Go's typed decode.
void nullStringsToEmpty(json& containers) {
  for (auto& c : containers) {
    if (!c.is_object()) {
      continue;
    }
    for (const char* key : {"args", "command"}) {
      auto it = c.find(key);
      if (it != c.end() && it->is_array()) {
        for (auto& item : *it) {
          if (item.is_null()) {
            item = "";
          }
        }
      }
    }
  }
}

Expected<json> decodeList(const json& rendered, const char* key, std::string_view goType) {
  json out = json::array();
  auto it = rendered.find(key);
  if (it == rendered.end() || it->is_null()) {
    return out;
  }
  if (!it->is_array()) {
    return fail(std::string(key) + ": expected a list, got " + std::string(it->type_name()));
  }
  json items = *it;
  if (goType == "v1.Container") {
    nullStringsToEmpty(items);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].is_null()) {
      // encoding/json decodes a null list element as the zero struct
      items[i] = json::object();
    }
    auto typed = kube::decodeTyped(items[i], goType);
    if (!typed) {
      return fail(std::string(key) + "[" + std::to_string(i) + "]: " + typed.error().message);
    }
    out.push_back(std::move(*typed));
  }
  return out;
}

Expected<SidecarSpec> decodeSidecarSpec(const std::string& rendered) {
  auto parsed = kube::parseYaml(rendered);
  if (!parsed) {
    return fail(parsed.error().message);
  }
  SidecarSpec spec;
  if (parsed->is_null()) {
    return spec;
  }
  if (!parsed->is_object()) {
    return fail("the rendered template must be a map, got " + std::string(parsed->type_name()));
  }
  const json& doc = *parsed;
  if (auto it = doc.find("rewriteAppHTTPProbe"); it != doc.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return fail("rewriteAppHTTPProbe: expected a boolean, got " + it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    spec.rewriteAppHTTPProbe = it->get<bool>();
  }
  auto init = decodeList(doc, "initContainers", "v1.Container");
  if (!init) {
    return Unexpected<Error>(init.error());
  }
  spec.initContainers = std::move(*init);
  auto containers = decodeList(doc, "containers", "v1.Container");
  if (!containers) {
    return Unexpected<Error>(containers.error());
  }
  spec.containers = std::move(*containers);
  auto volumes = decodeList(doc, "volumes", "v1.Volume");
  if (!volumes) {
    return Unexpected<Error>(volumes.error());
  }
  spec.volumes = std::move(*volumes);
  auto secrets = decodeList(doc, "imagePullSecrets", "v1.LocalObjectReference");
  if (!secrets) {
    return Unexpected<Error>(secrets.error());
  }
  spec.imagePullSecrets = std::move(*secrets);
  if (auto it = doc.find("dnsConfig"); it != doc.end() && !it->is_null()) {
    auto dns = kube::decodeTyped(*it, "v1.PodDNSConfig");
    if (!dns) {
      return fail("dnsConfig: " + dns.error().message);
    }
    spec.dnsConfig = std::move(*dns);
  }
  if (auto it = doc.find("podRedirectAnnot"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) {
      return fail("podRedirectAnnot: expected a map, got " + it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    for (const auto& [k, v] : it->items()) {
      if (v.is_null()) {
        continue;
      }
      spec.podRedirectAnnot[k] = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return spec;
}

// Go's encoding/json of an HTTPGetAction: field order path, port, host, scheme, httpHeaders.
std::string httpGetJson(const json& hg) {
  std::string out = "{";
  bool first = true;
  auto add = [&](const char* key, const json& v) {
    out += first ? "" : ",";
    first = false;
    out += "\"" + std::string(key) + "\":" + goJsonMarshal(v);
  };
  if (!stringMember(hg, "path").empty()) {
    add("path", hg.at("path"));
  }
  add("port", member(hg, "port", kZero));
  if (!stringMember(hg, "host").empty()) {
    add("host", hg.at("host"));
  }
  if (!stringMember(hg, "scheme").empty()) {
    add("scheme", hg.at("scheme"));
  }
  const json& headers = arrayMember(hg, "httpHeaders");
  if (headers.is_array() && !headers.empty()) {
    std::string h = "[";
    for (size_t i = 0; i < headers.size(); ++i) {
      h += (i ? "," : "") + ("{\"name\":" + goJsonMarshal(member(headers[i], "name", kEmptyString)) +
                             ",\"value\":" + goJsonMarshal(member(headers[i], "value", kEmptyString)) + "}");
    }
    out += (first ? "" : ",") + std::string("\"httpHeaders\":") + h + "]";
  }
  return out + "}";
}

// The rewritten HTTPGet action of a probe, or nullopt when the probe has none.
std::optional<json> convertAppProber(const json& container, const char* probeKey, const std::string& path,
                                     int statusPort) {
  const json& probe = member(container, probeKey, kEmptyObject);
  const json& hg = member(probe, "httpGet", kEmptyObject);
  if (!probe.contains("httpGet") || hg.is_null() || !hg.is_object()) {
    return std::nullopt;
  }
  json out = hg;
  out["port"] = statusPort;
  out["path"] = path;
  if (stringMember(out, "scheme") == "HTTPS") {
    out["scheme"] = "HTTP";
  }
  return out;
}

void appendAll(json& target, const char* key, const json& items) {
  if (items.empty()) {
    return;
  }
  json& list = target[key];
  if (!list.is_array()) {
    list = json::array();
  }
  for (const auto& item : items) {
    list.push_back(item);
  }
}

// Names of previously injected pieces, from the existing status annotation or Istio's legacy
// hard-coded names.
struct PreviousStatus {
  std::set<std::string> initContainers, containers, volumes, imagePullSecrets;
};

PreviousStatus previousStatus(const json& metadata) {
  PreviousStatus prev;
  if (const json* annotations = annotationsOf(metadata)) {
    auto it = annotations->find(annotation::kStatus);
    if (it != annotations->end() && it->is_string()) {
      json status = json::parse(it->get<std::string>(), nullptr, false);
      if (status.is_object()) {
        auto names = [&](const char* key, std::set<std::string>& out) {
          const json& list = member(status, key, kEmptyArray);
          if (list.is_array()) {
            for (const auto& n : list) {
              if (n.is_string()) {
                out.insert(n.get<std::string>());
              }
            }
          }
        };
        names("initContainers", prev.initContainers);
        names("containers", prev.containers);
        names("volumes", prev.volumes);
        names("imagePullSecrets", prev.imagePullSecrets);
        if (!prev.initContainers.empty() || !prev.containers.empty() || !prev.volumes.empty() ||
            !prev.imagePullSecrets.empty()) {
          return prev;
        }
      }
    }
  }
  return PreviousStatus{{"istio-init", "enable-core-dump"}, {"istio-proxy"}, {"istio-certs", "istio-envoy"}, {}};
}

// The service-account token mount of the app containers (last one wins, as in Istio).
std::optional<json> serviceAccountMount(const json& containers) {
  std::optional<json> found;
  for (const auto& c : containers) {
    for (const auto& m : arrayMember(c, "volumeMounts")) {
      if (stringMember(m, "mountPath") == kServiceAccountPath) {
        found = m;
      }
    }
  }
  return found;
}

// The sidecar containers as the webhook adds them: the app-prober env var and the
// service-account mount folded in.
json webhookContainers(const SidecarSpec& spec, const json& originalContainers, bool rewrite) {
  json containers = spec.containers;
  if (rewrite) {
    int sidecar = detail::findSidecar(containers);
    if (sidecar >= 0) {
      std::string prober = detail::dumpAppProbers(originalContainers);
      if (!prober.empty()) {
        json& env = containers[sidecar]["env"];
        if (!env.is_array()) {
          env = json::array();
        }
        env.push_back(json{{"name", kProberEnv}, {"value", prober}});
      }
    }
  }
  if (auto mount = serviceAccountMount(originalContainers)) {
    for (auto& c : containers) {
      if (stringMember(c, "name") == kProxyName) {
        json& mounts = c["volumeMounts"];
        if (!mounts.is_array()) {
          mounts = json::array();
        }
        mounts.push_back(*mount);
      }
    }
  }
  return containers;
}

bool tlsModeLabelNeeded(const json& metadata) {
  const json& labels = member(metadata, "labels", kEmptyObject);
  return stringMember(labels, annotation::kTlsModeLabel).empty();
}

}  // namespace

namespace detail {

int findSidecar(const json& containers) {
  if (!containers.is_array()) {
    return -1;
  }
  for (size_t i = 0; i < containers.size(); ++i) {
    if (stringMember(containers[i], "name") == kProxyName) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

int extractStatusPort(const json& container) {
  static const std::regex pattern(R"(^-{1,2}statusPort(=(\d+))?$)");
  const json& args = arrayMember(container, "args");
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].is_string()) {
      continue;
    }
    std::string arg = args[i].get<std::string>();
    auto begin = arg.find_first_not_of(" \t\r\n");
    auto end = arg.find_last_not_of(" \t\r\n");
    arg = begin == std::string::npos ? std::string() : arg.substr(begin, end - begin + 1);
    std::smatch m;
    if (!std::regex_match(arg, m, pattern)) {
      continue;
    }
    std::string port;
    if (m[1].matched) {
      port = m[2].str();
    } else {
      if (i + 1 >= args.size() || !args[i + 1].is_string()) {
        return -1;
      }
      port = args[i + 1].get<std::string>();
    }
    int n = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || ptr != port.data() + port.size()) {
      return -1;
    }
    return n;
  }
  return -1;
}

std::string dumpAppProbers(const json& containers) {
  std::map<std::string, std::string> probers;  // sorted like Go's map marshal
  for (const auto& c : containers) {
    std::string name = stringMember(c, "name");
    if (name == kProxyName) {
      continue;
    }
    std::map<std::string, int64_t> ports;
    for (const auto& p : arrayMember(c, "ports")) {
      if (!stringMember(p, "name").empty()) {
        ports[stringMember(p, "name")] = intMember(p, "containerPort");
      }
    }
    auto add = [&](const char* probeKey, const char* suffix) {
      const json& probe = member(c, probeKey, kEmptyObject);
      const json& hg = member(probe, "httpGet", kEmptyObject);
      if (!probe.contains("httpGet") || !hg.is_object()) {
        return;
      }
      json action = hg;
      const json& port = member(hg, "port", kZero);
      if (port.is_string()) {
        auto it = ports.find(port.get<std::string>());
        if (it == ports.end()) {
          return;  // an unresolvable named port is left out
        }
        action["port"] = it->second;
      }
      probers["/app-health/" + name + "/" + suffix] = httpGetJson(action);
    };
    add("readinessProbe", "readyz");
    add("livenessProbe", "livez");
  }
  if (probers.empty()) {
    return "";
  }
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : probers) {
    out += (first ? "" : ",") + goJsonMarshal(json(k)) + ":" + v;
    first = false;
  }
  return out + "}";
}

std::optional<int64_t> cpuCeil(const json& q) {
  if (!q.is_string() && !q.is_number()) {
    return std::nullopt;
  }
  // Exact decimal arithmetic (resource.Quantity), so "0.1" times ten is one core, not a
  // hair above it.
  auto quantity = kube::Quantity::parse(q.is_string() ? q.get_ref<const std::string&>() : q.dump());
  if (!quantity) {
    return std::nullopt;
  }
  return quantity->ceilValue();
}

void applyConcurrency(json& containers) {
  static const std::regex flag(R"(^-{1,2}concurrency(=(\d+))?$)");
  for (auto& c : containers) {
    if (stringMember(c, "name") != kProxyName) {
      continue;
    }
    const json& args = arrayMember(c, "args");
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i].is_string()) {
        continue;
      }
      std::smatch m;
      std::string arg = args[i].get<std::string>();
      if (!std::regex_match(arg, m, flag)) {
        continue;
      }
      std::string value = m[1].matched ? m[2].str()
                                       : (i + 1 < args.size() && args[i + 1].is_string() ? args[i + 1].get<std::string>()
                                                                                        : std::string());
      int n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec == std::errc() && ptr == value.data() + value.size() && n > 0) {
        return;  // already set explicitly
      }
    }
    const json& resources = member(c, "resources", kEmptyObject);
    int64_t n = 0;
    const json& limit = member(member(resources, "limits", kEmptyObject), "cpu", kNull);
    if (!limit.is_null()) {
      n = cpuCeil(limit).value_or(0);
    }
    if (n <= 0) {
      const json& request = member(member(resources, "requests", kEmptyObject), "cpu", kNull);
      if (!request.is_null()) {
        n = cpuCeil(request).value_or(0);
      }
    }
    if (n > 0) {
      json& list = c["args"];
      if (!list.is_array()) {
        list = json::array();
      }
      list.push_back("--concurrency");
      list.push_back(std::to_string(n));
    }
    return;
  }
}

bool shouldRewriteAppProbers(const json* annotations, const SidecarSpec& spec) {
  if (annotations != nullptr) {
    auto it = annotations->find(annotation::kRewriteAppHTTPProbers);
    if (it != annotations->end() && it->is_string()) {
      if (auto b = annotation::parseGoBool(it->get<std::string>())) {
        return *b;
      }
    }
  }
  return spec.rewriteAppHTTPProbe;
}

}  // namespace detail

namespace {

Expected<InjectionResult> injectPodUnchecked(const InjectionConfig& config, const PodInput& pod) {
  InjectionResult result;
  result.decision = {true, Reason::Injected, "injected"};
  const json& metadata = pod.metadata ? *pod.metadata : kEmptyObject;
  auto valid = annotation::validate(annotationsOf(metadata), &result.warnings);
  if (!valid) {
    return Unexpected<Error>(valid.error());
  }
  TemplateDataInput input;
  input.objectMeta = pod.metadata ? pod.metadata : std::make_shared<const json>(json::object());
  input.podSpec = pod.spec ? pod.spec : std::make_shared<const json>(json::object());
  input.deploymentMeta = pod.deploymentMeta ? pod.deploymentMeta : input.objectMeta;
  input.apiVersion = pod.apiVersion;
  input.kind = pod.kind;
  tmpl::Value data = makeTemplateData(input, config.env);
  auto rendered = config.sidecarTemplate->execute(data);
  if (!rendered) {
    return fail(ErrorCode::FailedPrecondition,
                "rendering the injection template: " + rendered.error().message);
  }
  auto spec = decodeSidecarSpec(*rendered);
  if (!spec) {
    return fail(
        ErrorCode::FailedPrecondition,
        "failed parsing generated injected YAML (check Istio sidecar injector configuration): " +
            spec.error().message);
  }
  result.spec = std::move(*spec);
  detail::applyConcurrency(result.spec.containers);
  // Istio's member order, which a sorted JSON object would lose: written by hand.
  result.statusAnnotation = "{\"version\":" + goJsonMarshal(config.version) +
                            ",\"initContainers\":" + goJsonMarshal(namesOf(result.spec.initContainers)) +
                            ",\"containers\":" + goJsonMarshal(namesOf(result.spec.containers)) +
                            ",\"volumes\":" + goJsonMarshal(namesOf(result.spec.volumes)) +
                            ",\"imagePullSecrets\":" + goJsonMarshal(namesOf(result.spec.imagePullSecrets)) + "}";
  return result;
}

}  // namespace

Expected<InjectionResult> injectPod(const InjectionConfig& config, const PodInput& pod) {
  try {
    return injectPodUnchecked(config, pod);
  } catch (const std::exception& e) {
    return fail(ErrorCode::Internal, std::string("injection failed: ") + e.what());
  }
}

void mergeIntoPod(const InjectionConfig& config, const InjectionResult& result, Frontend frontend,
                  json& metadata, json& spec) {
  if (!metadata.is_object()) {
    metadata = json::object();
  }
  if (!spec.is_object()) {
    spec = json::object();
  }
  const SidecarSpec& sic = result.spec;
  const json* podAnnotations = annotationsOf(metadata);
  bool rewrite = detail::shouldRewriteAppProbers(podAnnotations, sic);

  if (frontend == Frontend::Webhook) {
    const json originalContainers = arrayMember(spec, "containers");
    PreviousStatus prev = previousStatus(metadata);
    kube::removeNamedItems(spec, "initContainers", prev.initContainers);
    kube::removeNamedItems(spec, "containers", prev.containers);
    kube::removeNamedItems(spec, "volumes", prev.volumes);
    kube::removeNamedItems(spec, "imagePullSecrets", prev.imagePullSecrets);
    appendAll(spec, "initContainers", sic.initContainers);
    appendAll(spec, "containers", webhookContainers(sic, originalContainers, rewrite));
    appendAll(spec, "volumes", sic.volumes);
    appendAll(spec, "imagePullSecrets", sic.imagePullSecrets);
    if (sic.dnsConfig) {
      spec["dnsConfig"] = *sic.dnsConfig;
    }
  } else {
    appendAll(spec, "initContainers", sic.initContainers);
    appendAll(spec, "containers", sic.containers);
    appendAll(spec, "volumes", sic.volumes);
    if (sic.dnsConfig) {
      spec["dnsConfig"] = *sic.dnsConfig;
    } else {
      spec.erase("dnsConfig");
    }
  }

  // Probe rewrite, after the sidecar is in place: it supplies the status port.
  if (rewrite) {
    json& containers = spec["containers"];
    int sidecar = detail::findSidecar(containers);
    int statusPort = sidecar >= 0 ? detail::extractStatusPort(containers[sidecar]) : -1;
    if (statusPort != -1) {
      if (frontend == Frontend::KubeInject) {
        std::string prober = detail::dumpAppProbers(containers);
        if (!prober.empty()) {
          json& env = containers[sidecar]["env"];
          if (!env.is_array()) {
            env = json::array();
          }
          env.push_back(json{{"name", kProberEnv}, {"value", prober}});
        }
      }
      for (auto& c : containers) {
        std::string name = stringMember(c, "name");
        if (name == kProxyName) {
          continue;
        }
        if (auto hg = convertAppProber(c, "readinessProbe", "/app-health/" + name + "/readyz", statusPort)) {
          c["readinessProbe"]["httpGet"] = std::move(*hg);
        }
        if (auto hg = convertAppProber(c, "livenessProbe", "/app-health/" + name + "/livez", statusPort)) {
          c["livenessProbe"]["httpGet"] = std::move(*hg);
        }
      }
    }
  }

  if (!config.mesh->sdsUdsPath().empty()) {
    spec["securityContext"] = json{{"fsGroup", 1337}};
  }

  json& annotations = metadata["annotations"];
  if (!annotations.is_object()) {
    annotations = json::object();
  }
  if (frontend == Frontend::KubeInject && !config.legacy) {
    // 1.1's injection spec had no podRedirectAnnot: its templates never set it.
    for (const auto& [k, v] : sic.podRedirectAnnot) {
      if (!v.empty() && annotation::isRedirectAnnotation(k)) {
        annotations[k] = v;
      }
    }
  } else {
    for (const auto& [k, v] : config.injectedAnnotations) {
      annotations[k] = v;
    }
  }
  annotations[std::string(annotation::kStatus)] = result.statusAnnotation;

  if (!config.legacy && tlsModeLabelNeeded(metadata)) {
    json& labels = metadata["labels"];
    if (!labels.is_object()) {
      labels = json::object();
    }
    labels[std::string(annotation::kTlsModeLabel)] = "istio";
  }
}

json buildPatch(const InjectionConfig& config, const InjectionResult& result, const json& metadata,
                const json& spec) {
  json patch = json::array();
  const SidecarSpec& sic = result.spec;
  const json* podAnnotations = annotationsOf(metadata);
  bool rewrite = detail::shouldRewriteAppProbers(podAnnotations, sic);
  const json& initContainers = arrayMember(spec, "initContainers");
  const json& containers = arrayMember(spec, "containers");
  const json& volumes = arrayMember(spec, "volumes");
  const json& secrets = arrayMember(spec, "imagePullSecrets");

  PreviousStatus prev = previousStatus(metadata);
  auto removals = [&](const json& list, const std::set<std::string>& names, const std::string& path) {
    for (size_t i = list.size(); i-- > 0;) {
      if (names.count(stringMember(list[i], "name"))) {
        patch.push_back(json{{"op", "remove"}, {"path", path + "/" + std::to_string(i)}});
      }
    }
  };
  removals(initContainers, prev.initContainers, "/spec/initContainers");
  removals(containers, prev.containers, "/spec/containers");
  removals(volumes, prev.volumes, "/spec/volumes");
  removals(secrets, prev.imagePullSecrets, "/spec/imagePullSecrets");

  auto additions = [&](const json& original, const json& added, const std::string& path) {
    bool first = original.empty();
    for (const auto& item : added) {
      if (first) {
        first = false;
        patch.push_back(json{{"op", "add"}, {"path", path}, {"value", json::array({item})}});
      } else {
        patch.push_back(json{{"op", "add"}, {"path", path + "/-"}, {"value", item}});
      }
    }
  };
  additions(initContainers, sic.initContainers, "/spec/initContainers");
  additions(containers, webhookContainers(sic, containers, rewrite), "/spec/containers");
  additions(volumes, sic.volumes, "/spec/volumes");
  additions(secrets, sic.imagePullSecrets, "/spec/imagePullSecrets");

  if (sic.dnsConfig) {
    patch.push_back(json{{"op", "add"}, {"path", "/spec/dnsConfig"}, {"value", *sic.dnsConfig}});
  }
  if (!config.mesh->sdsUdsPath().empty()) {
    patch.push_back(json{{"op", "add"}, {"path", "/spec/securityContext"}, {"value", json{{"fsGroup", 1337}}}});
  } else if (auto it = spec.find("securityContext"); it != spec.end() && !it->is_null()) {
    patch.push_back(json{{"op", "add"}, {"path", "/spec/securityContext"}, {"value", *it}});
  }

  std::map<std::string, std::string> added(config.injectedAnnotations.begin(), config.injectedAnnotations.end());
  added[std::string(annotation::kStatus)] = result.statusAnnotation;
  bool haveAnnotations = podAnnotations != nullptr;
  for (const auto& [key, value] : added) {
    if (!haveAnnotations) {
      haveAnnotations = true;
      patch.push_back(json{{"op", "add"}, {"path", "/metadata/annotations"}, {"value", json{{key, value}}}});
      continue;
    }
    bool existing = podAnnotations != nullptr && !stringMember(*podAnnotations, key).empty();
    patch.push_back(json{{"op", existing ? "replace" : "add"},
                         {"path", "/metadata/annotations/" + kube::escapePointerToken(key)},
                         {"value", value}});
  }

  if (!config.legacy && tlsModeLabelNeeded(metadata)) {
    const json& labels = member(metadata, "labels", kNull);
    std::string key(annotation::kTlsModeLabel);
    if (labels.is_object()) {
      patch.push_back(json{{"op", "add"},
                           {"path", "/metadata/labels/" + kube::escapePointerToken(key)},
                           {"value", "istio"}});
    } else {
      patch.push_back(json{{"op", "add"}, {"path", "/metadata/labels"}, {"value", json{{key, "istio"}}}});
    }
  }

  if (rewrite) {
    int sidecar = detail::findSidecar(sic.containers);
    int statusPort = sidecar >= 0 ? detail::extractStatusPort(sic.containers[sidecar]) : -1;
    if (statusPort != -1) {
      for (size_t i = 0; i < containers.size(); ++i) {
        const json& c = containers[i];
        std::string name = stringMember(c, "name");
        if (name == kProxyName) {
          continue;
        }
        std::string base = "/spec/containers/" + std::to_string(i);
        if (auto hg = convertAppProber(c, "readinessProbe", "/app-health/" + name + "/readyz", statusPort)) {
          patch.push_back(json{{"op", "replace"}, {"path", base + "/readinessProbe/httpGet"}, {"value", *hg}});
        }
        if (auto hg = convertAppProber(c, "livenessProbe", "/app-health/" + name + "/livez", statusPort)) {
          patch.push_back(json{{"op", "replace"}, {"path", base + "/livenessProbe/httpGet"}, {"value", *hg}});
        }
      }
    }
  }
  return patch;
}

}  // namespace sidecar::inject
