#pragma once

// Istio-shaped template data and simple stand-ins for the injector's extra template functions,
// shared by the conformance test and the benchmark. The stand-ins are deliberately simple:
// they exercise the engine's calling conventions, not Istio's exact output.

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

#include "template/template.h"
#include "test/template/test_objects.h"

namespace sidecar::tmpl::testing {

// YAML as Istio reads values: through JSON, so every number is a float64.
inline Value yamlToValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      MapValue::Entries entries;
      for (const auto& kv : node) {
        entries.emplace(kv.first.as<std::string>(), yamlToValue(kv.second));
      }
      return makeMap(std::move(entries));
    }
    case YAML::NodeType::Sequence: {
      List items;
      for (const auto& item : node) {
        items.push_back(yamlToValue(item));
      }
      return makeList(std::move(items));
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") {
        return Value(s);
      }
      if (s == "true" || s == "True" || s == "TRUE") {
        return Value(true);
      }
      if (s == "false" || s == "False" || s == "FALSE") {
        return Value(false);
      }
      if (s == "null" || s == "~" || s.empty()) {
        return Value::nil();
      }
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.')) {
        return Value(d);
      }
      return Value(s);
    }
    default:
      return Value::nil();
  }
}

inline Value containerPort(std::string name, int port) {
  return makeStruct("v1.ContainerPort", {{"Name", Value(std::move(name))},
                                          {"ContainerPort", Value(port)},
                                          {"Protocol", Value("TCP")}});
}

inline Value container(std::string name, std::string image, List ports) {
  return makeStruct("v1.Container", {{"Name", Value(std::move(name))},
                                      {"Image", Value(std::move(image))},
                                      {"Ports", makeList(std::move(ports))}});
}

inline Value durationValue(std::string text) {
  return makeStruct("*types.Duration", {{"Text", Value(text)}}, {});
}

inline Value proxyConfig() {
  auto tracer = [](std::map<std::string, Value, std::less<>> getters) {
    std::map<std::string, StructObject::Method, std::less<>> methods;
    for (const auto& entry : getters) {
      Value v = entry.second;
      methods.emplace(entry.first, [v] { return v; });
    }
    return Value(std::make_shared<const StructObject>("*v1alpha1.Tracing_X",
                                                      std::map<std::string, Value, std::less<>>{},
                                                      std::move(methods)));
  };
  Value zipkin = tracer({{"GetAddress", Value("zipkin.istio-system:9411")}});
  Value lightstep = tracer({{"GetAddress", Value("")},
                            {"GetAccessToken", Value("")},
                            {"GetSecure", Value(false)},
                            {"GetCacertPath", Value("")}});
  Value datadog = tracer({{"GetAddress", Value("$(HOST_IP):8126")}});
  Value stackdriver = tracer({{"GetDebug", Value(false)},
                              {"GetMaxNumberOfAttributes", Value(int64_t{0})},
                              {"GetMaxNumberOfAnnotations", Value(int64_t{0})},
                              {"GetMaxNumberOfMessageEvents", Value(int64_t{0})}});
  Value tracing = tracer({{"GetZipkin", zipkin},
                          {"GetLightstep", lightstep},
                          {"GetDatadog", datadog},
                          {"GetStackdriver", stackdriver}});
  Value interception = Value(std::make_shared<const EnumObject>(
      "v1alpha1.ProxyConfig_InboundInterceptionMode", 0,
      std::vector<std::string>{"REDIRECT", "TPROXY", "NONE"}));
  Value authPolicy = Value(std::make_shared<const EnumObject>(
      "v1alpha1.AuthenticationPolicy", 0, std::vector<std::string>{"NONE", "MUTUAL_TLS"}));
  return makeStruct(
      "*v1alpha1.ProxyConfig",
      {{"ConfigPath", Value("/etc/istio/proxy")},
       {"BinaryPath", Value("/usr/local/bin/envoy")},
       {"ServiceCluster", Value("istio-proxy")},
       {"DrainDuration", durationValue("45s")},
       {"ParentShutdownDuration", durationValue("1m0s")},
       {"ConnectTimeout", durationValue("10s")},
       {"DiscoveryAddress", Value("istio-pilot.istio-system:15010")},
       {"StatsdUdpAddress", Value("")},
       {"ProxyAdminPort", Value(15000)},
       {"Concurrency", Value(2)},
       {"ControlPlaneAuthPolicy", authPolicy},
       {"InterceptionMode", interception},
       {"EnvoyMetricsService", Value(std::make_shared<const NilPointer>("*v1alpha1.RemoteService"))},
       {"EnvoyAccessLogService",
        Value(std::make_shared<const NilPointer>("*v1alpha1.RemoteService"))}},
      {{"GetTracing", [tracing] { return tracing; }}});
}

// The SidecarTemplateData of a Deployment "hello" with one annotated, labelled container.
inline Value istioData(Value values) {
  Value objectMeta = makeStruct(
      "*v1.ObjectMeta",
      {{"Name", Value("hello")},
       {"Namespace", Value("")},
       {"Annotations", makeStringMap({{"sidecar.istio.io/userVolumeMount", Value("{}")},
                                      {"prometheus.io/scrape", Value("true")}})},
       {"Labels", makeStringMap({{"app", Value("hello")}, {"version", Value("v1")}})}});
  Value spec = makeStruct(
      "v1.PodSpec",
      {{"Containers",
        makeList({container("hello", "fake.docker.io/google-samples/hello-go-gke:1.0",
                            {containerPort("http", 80), containerPort("metrics", 9090)}),
                  container("sidecar", "busybox", {})})},
       {"ServiceAccountName", Value("")}});
  return makeMap({{"TypeMeta", makeStruct("v1.TypeMeta", {{"APIVersion", Value("apps/v1")},
                                                          {"Kind", Value("Deployment")}})},
                  {"DeploymentMeta", makeStruct("*v1.ObjectMeta", {{"Name", Value("hello")},
                                                                   {"Namespace", Value("default")}})},
                  {"ObjectMeta", objectMeta},
                  {"Spec", spec},
                  {"ProxyConfig", proxyConfig()},
                  {"MeshConfig", makeStruct("*v1alpha1.MeshConfig",
                                            {{"ProxyListenPort", Value(15001)},
                                             {"SdsUdsPath", Value("")}})},
                  {"Values", std::move(values)}});
}

inline std::string joinPorts(const Value& containers) {
  std::string out;
  if (!containers.isList()) {
    return out;
  }
  for (const Value& c : containers.asList()) {
    auto ports = c.asObject().field("Ports");
    if (!ports || !ports->isList()) {
      continue;
    }
    for (const Value& p : ports->asList()) {
      auto n = p.asObject().field("ContainerPort");
      if (!out.empty()) {
        out += ",";
      }
      out += n ? n->print() : "";
    }
  }
  return out;
}

inline Value argOrNil(std::span<const Value> args, size_t i) {
  return i < args.size() && args[i].isValid() ? args[i] : Value::nil();
}

inline std::shared_ptr<FuncMap> istioFunctions() {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "annotation",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        if (args[0].isObject()) {
          auto ann = args[0].asObject().field("Annotations");
          if (ann && ann->isMap()) {
            if (const Value* v = ann->asMap().find(args[1].print())) {
              return *v;
            }
          }
        }
        return Value(argOrNil(args, 2).print());
      },
      3, 3);
  funcs->add(
      "valueOrDefault",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        const Value& v = args[0];
        if (!v.isValid() || v.isNil() || (v.isString() && v.asString().empty())) {
          return args[1];
        }
        return v;
      },
      2, 2);
  funcs->add(
      "isset",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        return Value(args[0].isMap() && args[1].isString() &&
                     args[0].asMap().find(args[1].asString()) != nullptr);
      },
      2, 2);
  funcs->add(
      "excludeInboundPort",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        std::string port = argOrNil(args, 0).print();
        std::string list = argOrNil(args, 1).print();
        if (port.empty() || port == "0" || list.find(port) != std::string::npos) {
          return Value(list);
        }
        return Value(list.empty() ? port : list + "," + port);
      },
      2, 2);
  auto portsFn = [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
    return Value(joinPorts(args[0]));
  };
  funcs->add("includeInboundPorts", portsFn, 1, 1);
  funcs->add("applicationPorts", portsFn, 1, 1);
  funcs->add(
      "kubevirtInterfaces",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> { return args[0]; },
      1, 1);
  funcs->add(
      "formatDuration",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        if (!args[0].isObject()) {
          return Value("1s");
        }
        auto text = args[0].asObject().field("Text");
        return text ? *text : Value("1s");
      },
      1, 1);
  auto toJson = [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
    std::string out = "{";
    if (args[0].isMap()) {
      bool first = true;
      for (const auto& [k, v] : args[0].asMap().entries()) {
        out += first ? "\"" : ",\"";
        first = false;
        out += k + "\":\"" + v.print() + "\"";
      }
    }
    return Value(out + "}");
  };
  funcs->add("toJSON", toJson, 1, 1);
  funcs->add("toJson", toJson, 1, 1);
  funcs->add(
      "fromJSON",
      [](std::span<const Value>, const CallContext&) -> Expected<Value> { return makeMap({}); },
      1, 1);
  funcs->add(
      "structToJSON",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        if (!args[0].isObject()) {
          return Value("{}");
        }
        auto port = args[0].asObject().field("ContainerPort");
        return Value("{\"containerPort\":" + (port ? port->print() : std::string("0")) + "}");
      },
      1, 1);
  funcs->add(
      "protoToJSON",
      [](std::span<const Value>, const CallContext&) -> Expected<Value> { return Value("{}"); },
      1, 1);
  funcs->add(
      "toYaml",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        std::string out;
        if (args[0].isMap()) {
          for (const auto& [k, v] : args[0].asMap().entries()) {
            out += k + ": " + v.print() + "\n";
          }
        }
        return Value(out);
      },
      1, 1);
  funcs->add(
      "indent",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        if (!args[0].isInt() && !args[0].isFloat()) {
          return fail("indent: width must be a number");
        }
        int64_t n = args[0].isInt() ? args[0].asInt() : static_cast<int64_t>(args[0].asFloat());
        std::string pad(static_cast<size_t>(std::max<int64_t>(n, 0)), ' ');
        std::string s = args[1].print();
        std::string out;
        for (char c : s) {
          out.push_back(c);
          if (c == '\n') {
            out += pad;
          }
        }
        return Value(out);
      },
      2, 2);
  funcs->add(
      "directory",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        std::string s = args[0].print();
        auto slash = s.rfind('/');
        return Value(slash == std::string::npos ? std::string(".") : s.substr(0, slash));
      },
      1, 1);
  funcs->add(
      "contains",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        return Value(args[1].print().find(args[0].print()) != std::string::npos);
      },
      2, 2);
  funcs->add(
      "toLower",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        std::string s = args[0].print();
        for (char& c : s) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return Value(s);
      },
      1, 1);
  funcs->add(
      "render",
      [](std::span<const Value> args, const CallContext& ctx) -> Expected<Value> {
        // A non-owning handle: the function map outlives every execution that uses it.
        std::shared_ptr<const FuncMap> funcs(std::shared_ptr<const FuncMap>{}, &ctx.funcs);
        auto t = Template::parse("render", args[0].print(), funcs);
        if (!t) {
          return Value("");
        }
        auto out = t->execute(ctx.root);
        return Value(out ? *out : std::string());
      },
      1, 1);
  return funcs;
}

}  // namespace sidecar::tmpl::testing
