#include "inject/mesh_config.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "kube/yaml.h"

namespace sidecar::inject {

namespace {

using nlohmann::json;

constexpr int64_t kMillisecond = 1'000'000;

const ProtoEnum& authPolicyEnum() {
  static const ProtoEnum e{"AuthenticationPolicy", {{"NONE", 0}, {"MUTUAL_TLS", 1}, {"INHERIT", 1000}}};
  return e;
}
const ProtoEnum& accessLogEncodingEnum() {
  static const ProtoEnum e{"MeshConfig_AccessLogEncoding", {{"TEXT", 0}, {"JSON", 1}}};
  return e;
}
const ProtoEnum& ingressModeEnum() {
  static const ProtoEnum e{"MeshConfig_IngressControllerMode", {{"OFF", 0}, {"DEFAULT", 1}, {"STRICT", 2}}};
  return e;
}
const ProtoEnum& meshAuthPolicyEnum() {
  static const ProtoEnum e{"MeshConfig_AuthPolicy", {{"NONE", 0}, {"MUTUAL_TLS", 1}}};
  return e;
}
const ProtoEnum& outboundModeEnum() {
  static const ProtoEnum e{"MeshConfig_OutboundTrafficPolicy_Mode",
                           {{"REGISTRY_ONLY", 0}, {"ALLOW_ANY", 1}, {"VIRTUAL_SERVICE_ONLY", 2}}};
  return e;
}

const ProtoMessage& remoteServiceDescriptor() {
  static const ProtoMessage m{"RemoteService",
                              {{"Address", ProtoType::String},
                               {"TlsSettings", ProtoType::Map},
                               {"TcpKeepalive", ProtoType::Map}}};
  return m;
}

const ProtoMessage& tracingDescriptor() {
  static const ProtoMessage zipkin{"Tracing_Zipkin", {{"Address", ProtoType::String}}};
  static const ProtoMessage lightstep{"Tracing_Lightstep",
                                      {{"Address", ProtoType::String},
                                       {"AccessToken", ProtoType::String},
                                       {"Secure", ProtoType::Bool},
                                       {"CacertPath", ProtoType::String}}};
  static const ProtoMessage datadog{"Tracing_Datadog", {{"Address", ProtoType::String}}};
  static const ProtoMessage stackdriver{"Tracing_Stackdriver",
                                        {{"Debug", ProtoType::Bool},
                                         {"MaxNumberOfAttributes", ProtoType::Int64Value},
                                         {"MaxNumberOfAnnotations", ProtoType::Int64Value},
                                         {"MaxNumberOfMessageEvents", ProtoType::Int64Value}}};
  static const ProtoMessage tracing{"Tracing",
                                    {{"Zipkin", ProtoType::Message, &zipkin},
                                     {"Lightstep", ProtoType::Message, &lightstep},
                                     {"Datadog", ProtoType::Message, &datadog},
                                     {"Stackdriver", ProtoType::Message, &stackdriver},
                                     {"CustomTags", ProtoType::Map}}};
  return tracing;
}

const ProtoMessage& outboundPolicyDescriptor() {
  static const ProtoMessage m{"MeshConfig_OutboundTrafficPolicy",
                              {{"Mode", ProtoType::Enum, nullptr, &outboundModeEnum()}}};
  return m;
}

std::string lowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

// snake_case original proto names are accepted too, as jsonpb does.
std::string camelFromSnake(std::string_view s) {
  std::string out;
  bool upper = false;
  for (char c : s) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

json defaultProxyConfig() {
  return json{{"configPath", "/etc/istio/proxy"},
              {"binaryPath", "/usr/local/bin/envoy"},
              {"serviceCluster", "istio-proxy"},
              {"drainDuration", "45s"},
              {"parentShutdownDuration", "60s"},
              {"discoveryAddress", "istio-pilot:15010"},
              {"connectTimeout", "1s"},
              {"statsdUdpAddress", ""},
              {"envoyMetricsService", json{{"address", ""}}},
              {"envoyAccessLogService", json{{"address", ""}}},
              {"proxyAdminPort", 15000},
              {"controlPlaneAuthPolicy", "NONE"},
              {"customConfigFile", ""},
              {"concurrency", 0},
              {"statNameLength", 189},
              {"interceptionMode", "REDIRECT"}};
}

json defaultMeshConfig() {
  return json{{"mixerCheckServer", ""},
              {"mixerReportServer", ""},
              {"disablePolicyChecks", true},
              {"policyCheckFailOpen", false},
              {"sidecarToTelemetrySessionAffinity", false},
              {"rootNamespace", "istio-system"},
              {"proxyListenPort", 15001},
              {"connectTimeout", "1s"},
              {"protocolDetectionTimeout", "0.100s"},
              {"ingressService", "istio-ingressgateway"},
              {"enableTracing", true},
              {"accessLogFile", "/dev/stdout"},
              {"accessLogEncoding", "TEXT"},
              {"defaultConfig", defaultProxyConfig()},
              {"sdsUdsPath", ""},
              {"enableSdsTokenMount", false},
              {"trustDomain", ""},
              {"trustDomainAliases", json::array()},
              {"defaultServiceExportTo", json::array({"*"})},
              {"defaultVirtualServiceExportTo", json::array({"*"})},
              {"defaultDestinationRuleExportTo", json::array({"*"})},
              {"outboundTrafficPolicy", json{{"mode", "ALLOW_ANY"}}},
              {"dnsRefreshRate", "5s"},
              {"enableAutoMtls", false}};
}

bool isZero(const json& j) {
  if (j.is_null()) {
    return true;
  }
  if (j.is_string()) {
    return j.get_ref<const std::string&>().empty();
  }
  if (j.is_boolean()) {
    return !j.get<bool>();
  }
  if (j.is_number()) {
    return j.get<double>() == 0;
  }
  return false;
}

class Normaliser {
 public:
  std::vector<std::string>& warnings;

  // Checks `in` against `desc` and writes normalised values over `out` (which holds
  // defaults). `path` names the field in messages.
  Expected<void> apply(const json& in, const ProtoMessage& desc, json& out, const std::string& path,
                       bool skipZeros) {
    if (!in.is_object()) {
      return fail(path + ": expected a map, got " + std::string(in.type_name()));
    }
    for (const auto& [key, value] : in.items()) {
      const ProtoField* field = desc.findJson(key);
      if (field == nullptr) {
        field = desc.findJson(camelFromSnake(key));
      }
      std::string fieldPath = path.empty() ? key : path + "." + key;
      if (field == nullptr) {
        warnings.push_back("unknown mesh config field '" + fieldPath + "' ignored");
        continue;
      }
      if (value.is_null()) {
        continue;  // jsonpb leaves the field as it was
      }
      if (skipZeros && isZero(value)) {
        continue;
      }
      auto converted = convert(value, *field, fieldPath);
      if (!converted) {
        return Unexpected<Error>(converted.error());
      }
      out[field->jsonName()] = std::move(*converted);
    }
    return {};
  }

 private:
  Expected<json> convert(const json& value, const ProtoField& field, const std::string& path) {
    switch (field.type) {
      case ProtoType::String:
        if (!value.is_string()) {
          return fail(path + ": expected a string, got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        return value;
      case ProtoType::Int:
      case ProtoType::Int64Value: {
        if (value.is_number_integer()) {
          return value;
        }
        if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>()) {
          return json(static_cast<int64_t>(value.get<double>()));
        }
        if (value.is_string()) {
          const auto& s = value.get_ref<const std::string&>();
          int64_t n = 0;
          auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
          if (ec == std::errc() && ptr == s.data() + s.size()) {
            return json(n);
          }
        }
        if (field.type == ProtoType::Int64Value && value.is_object() && value.contains("value")) {
          return convert(value.at("value"), ProtoField{field.goName, ProtoType::Int}, path);
        }
        return fail(path + ": expected an integer, got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
      case ProtoType::Bool:
      case ProtoType::BoolValue:
        if (!value.is_boolean()) {
          return fail(path + ": expected a boolean, got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        return value;
      case ProtoType::Duration: {
        if (!value.is_string()) {
          return fail(path + ": expected a duration string such as \"1s\", got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        auto nanos = parseProtoDuration(value.get_ref<const std::string&>());
        if (!nanos) {
          return fail(path + ": " + nanos.error().message);
        }
        return value;
      }
      case ProtoType::Enum: {
        if (value.is_string()) {
          if (field.enumType->numberOf(value.get_ref<const std::string&>()) < 0) {
            return fail(path + ": unknown value " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + " for enum " +
                        std::string(field.enumType->goName));
          }
          return value;
        }
        if (value.is_number_integer()) {
          return json(field.enumType->nameOf(value.get<int>()));
        }
        return fail(path + ": expected an enum name, got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
      case ProtoType::Message: {
        json out = json::object();
        auto applied = apply(value, *field.message, out, path, false);
        if (!applied) {
          return Unexpected<Error>(applied.error());
        }
        return out;
      }
      case ProtoType::List:
        if (!value.is_array()) {
          return fail(path + ": expected a list, got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        return value;
      case ProtoType::Map:
        if (!value.is_object()) {
          return fail(path + ": expected a map, got " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        }
        return value;
    }
    return value;
  }
};

int64_t durationOf(const json& message, const char* key) {
  auto it = message.find(key);
  if (it == message.end() || !it->is_string()) {
    return 0;
  }
  auto d = parseProtoDuration(it->get_ref<const std::string&>());
  return d ? *d : 0;
}

std::string validateDuration(const json& message, const char* key, const std::string& what) {
  if (!message.contains(key)) {
    return "";
  }
  int64_t d = durationOf(message, key);
  if (d < kMillisecond) {
    return what + ": duration must be greater than 1ms";
  }
  if (d % kMillisecond != 0) {
    return what + ": only durations to ms precision are supported";
  }
  return "";
}

std::string validatePort(int64_t port, const std::string& what) {
  if (port < 1 || port > 65535) {
    return what + ": port number " + std::to_string(port) + " must be in the range 1..65535";
  }
  return "";
}

std::string validateAddress(const std::string& address, const std::string& what) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return what + ": unable to split \"" + address + "\": missing port in address";
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (host.empty()) {
    return what + ": unable to split \"" + address + "\": missing host";
  }
  int p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size()) {
    return what + ": invalid port \"" + port + "\" in \"" + address + "\"";
  }
  return validatePort(p, what);
}

void collect(std::vector<std::string>& errs, std::string e) {
  if (!e.empty()) {
    errs.push_back(std::move(e));
  }
}

std::vector<std::string> validateProxyConfig(const json& pc) {
  std::vector<std::string> errs;
  auto str = [&](const char* key) { return pc.value(key, std::string()); };
  if (str("configPath").empty()) {
    errs.push_back("defaultConfig.configPath: config path must be set");
  }
  if (str("binaryPath").empty()) {
    errs.push_back("defaultConfig.binaryPath: binary path must be set");
  }
  if (str("serviceCluster").empty()) {
    errs.push_back("defaultConfig.serviceCluster: service cluster must be set");
  }
  std::string drainErr = validateDuration(pc, "drainDuration", "defaultConfig.drainDuration");
  std::string parentErr =
      validateDuration(pc, "parentShutdownDuration", "defaultConfig.parentShutdownDuration");
  collect(errs, drainErr);
  collect(errs, parentErr);
  if (drainErr.empty() && parentErr.empty()) {
    int64_t drain = durationOf(pc, "drainDuration");
    int64_t parent = durationOf(pc, "parentShutdownDuration");
    if (drain % kNanosPerSecond != 0) {
      errs.push_back("defaultConfig.drainDuration: drain time only supports durations to seconds precision");
    }
    if (parent % kNanosPerSecond != 0) {
      errs.push_back(
          "defaultConfig.parentShutdownDuration: parent shutdown time only supports durations to "
          "seconds precision");
    }
    if (parent <= drain) {
      errs.push_back("defaultConfig.parentShutdownDuration: parent shutdown time " +
                     formatGoDuration(parent) + " must be greater than drain time " +
                     formatGoDuration(drain));
    }
  }
  collect(errs, validateAddress(str("discoveryAddress"), "defaultConfig.discoveryAddress"));
  collect(errs, validateDuration(pc, "connectTimeout", "defaultConfig.connectTimeout"));
  if (!str("statsdUdpAddress").empty()) {
    collect(errs, validateAddress(str("statsdUdpAddress"), "defaultConfig.statsdUdpAddress"));
  }
  for (const char* svc : {"envoyMetricsService", "envoyAccessLogService"}) {
    auto it = pc.find(svc);
    if (it != pc.end() && it->is_object() && !it->value("address", std::string()).empty()) {
      collect(errs, validateAddress(it->value("address", std::string()),
                                    std::string("defaultConfig.") + svc + ".address"));
    }
  }
  collect(errs, validatePort(pc.value("proxyAdminPort", int64_t{0}), "defaultConfig.proxyAdminPort"));
  std::string auth = pc.value("controlPlaneAuthPolicy", std::string("NONE"));
  if (auth != "NONE" && auth != "MUTUAL_TLS") {
    errs.push_back("defaultConfig.controlPlaneAuthPolicy: unrecognized control plane auth policy \"" +
                   auth + "\"");
  }
  if (auto it = pc.find("tracing"); it != pc.end() && it->is_object()) {
    for (const char* tracer : {"zipkin", "lightstep"}) {
      auto t = it->find(tracer);
      if (t != it->end() && t->is_object()) {
        collect(errs, validateAddress(t->value("address", std::string()),
                                      std::string("defaultConfig.tracing.") + tracer + ".address"));
      }
    }
  }
  return errs;
}

}  // namespace

std::string ProtoEnum::nameOf(int number) const {
  for (const auto& [name, n] : values) {
    if (n == number) {
      return std::string(name);
    }
  }
  return std::to_string(number);
}

int ProtoEnum::numberOf(std::string_view name) const {
  for (const auto& [n, number] : values) {
    if (n == name) {
      return number;
    }
  }
  return -1;
}

std::string ProtoField::jsonName() const { return lowerFirst(goName); }

const ProtoField* ProtoMessage::findGo(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.goName == name) {
      return &f;
    }
  }
  return nullptr;
}

const ProtoField* ProtoMessage::findJson(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.jsonName() == name) {
      return &f;
    }
  }
  return nullptr;
}

const ProtoEnum& interceptionModeEnum() {
  static const ProtoEnum e{"ProxyConfig_InboundInterceptionMode",
                           {{"REDIRECT", 0}, {"TPROXY", 1}, {"NONE", 2}}};
  return e;
}

const ProtoMessage& proxyConfigDescriptor() {
  static const ProtoMessage m{
      "ProxyConfig",
      {{"ConfigPath", ProtoType::String},
       {"BinaryPath", ProtoType::String},
       {"ServiceCluster", ProtoType::String},
       {"DrainDuration", ProtoType::Duration},
       {"ParentShutdownDuration", ProtoType::Duration},
       {"DiscoveryAddress", ProtoType::String},
       {"DiscoveryRefreshDelay", ProtoType::Duration},
       {"ZipkinAddress", ProtoType::String},
       {"ConnectTimeout", ProtoType::Duration},
       {"StatsdUdpAddress", ProtoType::String},
       {"EnvoyMetricsServiceAddress", ProtoType::String},
       {"EnvoyMetricsService", ProtoType::Message, &remoteServiceDescriptor()},
       {"EnvoyAccessLogService", ProtoType::Message, &remoteServiceDescriptor()},
       {"ProxyAdminPort", ProtoType::Int},
       {"AvailabilityZone", ProtoType::String},
       {"ControlPlaneAuthPolicy", ProtoType::Enum, nullptr, &authPolicyEnum()},
       {"CustomConfigFile", ProtoType::String},
       {"StatNameLength", ProtoType::Int},
       {"Concurrency", ProtoType::Int},
       {"ProxyBootstrapTemplatePath", ProtoType::String},
       {"InterceptionMode", ProtoType::Enum, nullptr, &interceptionModeEnum()},
       {"Tracing", ProtoType::Message, &tracingDescriptor()},
       {"SdsUdsPath", ProtoType::String},
       {"SdsTokenPath", ProtoType::String},
       {"ProxyMetadata", ProtoType::Map}}};
  return m;
}

const ProtoMessage& meshConfigDescriptor() {
  static const ProtoMessage m{
      "MeshConfig",
      {{"MixerCheckServer", ProtoType::String},
       {"MixerReportServer", ProtoType::String},
       {"DisablePolicyChecks", ProtoType::Bool},
       {"PolicyCheckFailOpen", ProtoType::Bool},
       {"SidecarToTelemetrySessionAffinity", ProtoType::Bool},
       {"ProxyListenPort", ProtoType::Int},
       {"ProxyHttpPort", ProtoType::Int},
       {"ConnectTimeout", ProtoType::Duration},
       {"ProtocolDetectionTimeout", ProtoType::Duration},
       {"TcpKeepalive", ProtoType::Map},
       {"IngressClass", ProtoType::String},
       {"IngressService", ProtoType::String},
       {"IngressControllerMode", ProtoType::Enum, nullptr, &ingressModeEnum()},
       {"AuthPolicy", ProtoType::Enum, nullptr, &meshAuthPolicyEnum()},
       {"RdsRefreshDelay", ProtoType::Duration},
       {"EnableTracing", ProtoType::Bool},
       {"AccessLogFile", ProtoType::String},
       {"AccessLogFormat", ProtoType::String},
       {"AccessLogEncoding", ProtoType::Enum, nullptr, &accessLogEncodingEnum()},
       {"EnableEnvoyAccessLogService", ProtoType::Bool},
       {"DefaultConfig", ProtoType::Message, &proxyConfigDescriptor()},
       {"MixerAddress", ProtoType::String},
       {"OutboundTrafficPolicy", ProtoType::Message, &outboundPolicyDescriptor()},
       {"EnableClientSidePolicyCheck", ProtoType::Bool},
       {"SdsUdsPath", ProtoType::String},
       {"SdsRefreshDelay", ProtoType::Duration},
       {"ConfigSources", ProtoType::List},
       {"EnableAutoMtls", ProtoType::BoolValue},
       {"EnableSdsTokenMount", ProtoType::Bool},
       {"SdsUseK8sSaJwt", ProtoType::Bool},
       {"TrustDomain", ProtoType::String},
       {"TrustDomainAliases", ProtoType::List},
       {"DefaultServiceExportTo", ProtoType::List},
       {"DefaultVirtualServiceExportTo", ProtoType::List},
       {"DefaultDestinationRuleExportTo", ProtoType::List},
       {"RootNamespace", ProtoType::String},
       {"LocalityLbSetting", ProtoType::Map},
       {"DnsRefreshRate", ProtoType::Duration},
       {"DisableReportBatch", ProtoType::Bool},
       {"ReportBatchMaxEntries", ProtoType::Int},
       {"ReportBatchMaxTime", ProtoType::Duration},
       {"Certificates", ProtoType::List},
       {"ThriftConfig", ProtoType::Map}}};
  return m;
}

std::string MeshConfig::sdsUdsPath() const { return json.value("sdsUdsPath", std::string()); }

Expected<MeshConfig> parseMeshConfig(std::string_view text) {
  auto parsed = kube::parseYaml(text);
  if (!parsed) {
    return fail("mesh config: " + parsed.error().message);
  }
  MeshConfig mesh;
  mesh.json = defaultMeshConfig();
  Normaliser normaliser{mesh.warnings};
  json input = parsed->is_null() ? json::object() : *parsed;
  if (!input.is_object()) {
    return fail("mesh config: the top level must be a map");
  }
  // The default proxy config is applied field by field under the given one (istioctl
  // re-applies the user's non-zero proxy fields over the defaults), so it is split off.
  json userProxy;
  if (auto it = input.find("defaultConfig"); it != input.end()) {
    userProxy = *it;
    input.erase(it);
  }
  auto applied = normaliser.apply(input, meshConfigDescriptor(), mesh.json, "", false);
  if (!applied) {
    return fail("mesh config: " + applied.error().message);
  }
  if (!userProxy.is_null()) {
    auto proxyApplied = normaliser.apply(userProxy, proxyConfigDescriptor(), mesh.json["defaultConfig"],
                                         "defaultConfig", true);
    if (!proxyApplied) {
      return fail("mesh config: " + proxyApplied.error().message);
    }
  }
  std::vector<std::string> errs;
  collect(errs, validatePort(mesh.json.value("proxyListenPort", int64_t{0}), "proxyListenPort"));
  collect(errs, validateDuration(mesh.json, "connectTimeout", "connectTimeout"));
  auto proxyErrs = validateProxyConfig(mesh.json["defaultConfig"]);
  errs.insert(errs.end(), proxyErrs.begin(), proxyErrs.end());
  if (!errs.empty()) {
    std::string message = "mesh config invalid: ";
    for (size_t i = 0; i < errs.size(); ++i) {
      message += (i ? "; " : "") + errs[i];
    }
    return fail(message);
  }
  return mesh;
}

}  // namespace sidecar::inject
