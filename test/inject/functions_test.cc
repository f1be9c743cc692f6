#include <gtest/gtest.h>

#include "inject/annotations.h"
#include "inject/injector.h"
#include "inject/mesh_config.h"
#include "inject/template_data.h"
#include "inject/template_functions.h"
#include "inject/values.h"
#include "test_fixtures.h"

namespace sidecar::inject {
namespace {

using nlohmann::json;
using testing::yaml;

// Renders `text` with the 1.4 function set over a pod with the given metadata and spec.
std::string render(const std::string& text, const json& metadata = json::object(),
                   const json& spec = json::object(), const std::string& values = "{}",
                   const std::string& mesh = "") {
  auto meshConfig = parseMeshConfig(mesh);
  EXPECT_TRUE(meshConfig.has_value());
  auto meshPtr = std::make_shared<const MeshConfig>(*meshConfig);
  TemplateEnvironment env;
  makeMeshValues(meshPtr, env);
  env.values = *parseValues(values);
  TemplateDataInput input;
  input.objectMeta = std::make_shared<const json>(metadata);
  input.podSpec = std::make_shared<const json>(spec);
  input.deploymentMeta = input.objectMeta;
  input.apiVersion = "apps/v1";
  input.kind = "Deployment";
  auto t = tmpl::Template::parse("t", text, istio14Functions());
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
  if (!t) {
    return "<parse error>";
  }
  auto out = t->execute(makeTemplateData(input, env));
  EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message);
  return out ? *out : "<exec error>";
}

TEST(Functions, ExcludeInboundPort) {
  EXPECT_EQ(excludeInboundPort("15020", ""), "15020");
  EXPECT_EQ(excludeInboundPort("15020", "80,81"), "80,81,15020");
  EXPECT_EQ(excludeInboundPort("15020", "80,15020"), "80,15020");
  EXPECT_EQ(excludeInboundPort("0", "80"), "80");
  EXPECT_EQ(excludeInboundPort("", "80"), "80");
  EXPECT_EQ(excludeInboundPort("15020", " 80 , ,81"), "80,81,15020");
}

TEST(Functions, GoJsonEscapesHtml) {
  EXPECT_EQ(goJsonMarshal(json{{"a", "<b>&"}}), R"({"a":"\u003cb\u003e\u0026"})");
}

TEST(Durations, GoFormatting) {
  EXPECT_EQ(formatGoDuration(45'000'000'000), "45s");
  EXPECT_EQ(formatGoDuration(60'000'000'000), "1m0s");
  EXPECT_EQ(formatGoDuration(100'000'000), "100ms");
  EXPECT_EQ(formatGoDuration(3'723'500'000'000), "1h2m3.5s");
  EXPECT_EQ(formatGoDuration(0), "0s");
  EXPECT_EQ(formatGoDuration(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(formatGoDuration(-2'000'000'000), "-2s");
}

TEST(Durations, ProtoParsing) {
  EXPECT_EQ(*parseProtoDuration("45s"), 45'000'000'000);
  EXPECT_EQ(*parseProtoDuration("0.100s"), 100'000'000);
  EXPECT_EQ(*parseProtoDuration("1.5s"), 1'500'000'000);
  EXPECT_FALSE(parseProtoDuration("45").has_value());
  EXPECT_FALSE(parseProtoDuration("1m").has_value());
  EXPECT_FALSE(parseProtoDuration("s").has_value());
}

TEST(MeshConfigTest, DefaultsForOmittedFields) {
  auto mesh = parseMeshConfig("proxyListenPort: 15002\ndefaultConfig:\n  concurrency: 3\n");
  ASSERT_TRUE(mesh.has_value()) << mesh.error().message;
  EXPECT_EQ(mesh->json["proxyListenPort"], 15002);
  EXPECT_EQ(mesh->json["ingressService"], "istio-ingressgateway");
  EXPECT_EQ(mesh->proxyConfig()["concurrency"], 3);
  EXPECT_EQ(mesh->proxyConfig()["drainDuration"], "45s");
  EXPECT_EQ(mesh->proxyConfig()["discoveryAddress"], "istio-pilot:15010");
  EXPECT_FALSE(mesh->proxyConfig().contains("tracing"));
}

TEST(MeshConfigTest, ValidationLikeIstioctl) {
  auto tooShort = parseMeshConfig("defaultConfig:\n  connectTimeout: 0.0001s\n");
  ASSERT_FALSE(tooShort.has_value());
  EXPECT_NE(tooShort.error().message.find("connectTimeout"), std::string::npos);
  auto fractionalDrain = parseMeshConfig("defaultConfig:\n  drainDuration: 1.5s\n");
  ASSERT_FALSE(fractionalDrain.has_value());
  EXPECT_NE(fractionalDrain.error().message.find("seconds precision"), std::string::npos);
  auto parentTooShort = parseMeshConfig("defaultConfig:\n  drainDuration: 50s\n  parentShutdownDuration: 50s\n");
  ASSERT_FALSE(parentTooShort.has_value());
  EXPECT_NE(parentTooShort.error().message.find("must be greater than drain time"), std::string::npos);
  auto badPort = parseMeshConfig("proxyListenPort: 70000\n");
  ASSERT_FALSE(badPort.has_value());
  EXPECT_NE(badPort.error().message.find("proxyListenPort"), std::string::npos);
  auto badType = parseMeshConfig("defaultConfig:\n  interceptionMode: SIDEWAYS\n");
  ASSERT_FALSE(badType.has_value());
  EXPECT_NE(badType.error().message.find("interceptionMode"), std::string::npos);
  auto badAddress = parseMeshConfig("defaultConfig:\n  discoveryAddress: pilot\n");
  ASSERT_FALSE(badAddress.has_value());
  EXPECT_NE(badAddress.error().message.find("discoveryAddress"), std::string::npos);
}

TEST(AnnotationValidation, RejectsBadValuesWithIstioMessage) {
  struct Case {
    const char* name;
    const char* value;
    bool ok;
  };
  const Case cases[] = {
      {"sidecar.istio.io/interceptionMode", "TPROXY", true},
      {"sidecar.istio.io/interceptionMode", "SIDEWAYS", false},
      {"status.sidecar.istio.io/port", "15020", true},
      {"status.sidecar.istio.io/port", "70000", false},
      {"traffic.sidecar.istio.io/includeOutboundIPRanges", "*", true},
      {"traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,fd00::/8", true},
      {"traffic.sidecar.istio.io/includeOutboundIPRanges", "bad", false},
      {"traffic.sidecar.istio.io/excludeOutboundIPRanges", "*", false},
      {"traffic.sidecar.istio.io/includeInboundPorts", "*", true},
      {"traffic.sidecar.istio.io/includeInboundPorts", "80,81", true},
      {"traffic.sidecar.istio.io/excludeInboundPorts", "*", false},
      {"traffic.sidecar.istio.io/excludeInboundPorts", "80,x", false},
      {"traffic.sidecar.istio.io/excludeOutboundPorts", "", true},
      {"readiness.status.sidecar.istio.io/periodSeconds", "-1", false},
      {"readiness.status.sidecar.istio.io/failureThreshold", "30", true},
      {"sidecar.istio.io/enableCoreDump", "maybe", false},
  };
  for (const auto& c : cases) {
    json annotations{{c.name, c.value}};
    auto r = annotation::validate(&annotations);
    EXPECT_EQ(r.has_value(), c.ok) << c.name << "=" << c.value;
    if (!r) {
      EXPECT_EQ(r.error().message.rfind(std::string("invalid value '") + c.value + "' for annotation '" + c.name + "'",
                                        0),
                0u)
          << r.error().message;
    }
  }
  std::vector<std::string> warnings;
  json misspelled{{"sidecar.istio.io/injekt", "true"}, {"example.com/other", "1"}};
  EXPECT_TRUE(annotation::validate(&misspelled, &warnings).has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("injekt"), std::string::npos);
}

TEST(Probes, StatusPortExtraction) {
  EXPECT_EQ(detail::extractStatusPort(json{{"args", {"proxy", "--statusPort", "15020"}}}), 15020);
  EXPECT_EQ(detail::extractStatusPort(json{{"args", {"-statusPort=1234"}}}), 1234);
  EXPECT_EQ(detail::extractStatusPort(json{{"args", {"--statusPort"}}}), -1);
  EXPECT_EQ(detail::extractStatusPort(json{{"args", {"--statusPorts", "1"}}}), -1);
  EXPECT_EQ(detail::extractStatusPort(json::object()), -1);
}

TEST(Probes, DumpResolvesNamedPortsAndSkipsUnresolvable) {
  json containers = yaml(R"(
- name: app
  ports: [{name: http, containerPort: 8080}]
  readinessProbe: {httpGet: {path: /ready, port: http, scheme: HTTPS}}
  livenessProbe: {httpGet: {path: /live, port: 9090}}
- name: other
  readinessProbe: {httpGet: {port: nope}}
  livenessProbe: {exec: {command: [true]}}
- name: istio-proxy
  readinessProbe: {httpGet: {path: /healthz/ready, port: 15020}}
)");
  EXPECT_EQ(detail::dumpAppProbers(containers),
            R"({"/app-health/app/livez":{"path":"/live","port":9090},)"
            R"("/app-health/app/readyz":{"path":"/ready","port":8080,"scheme":"HTTPS"}})");
  EXPECT_EQ(detail::dumpAppProbers(json::array()), "");
}

TEST(Concurrency, FromLimitThenRequest) {
  json containers = yaml(R"(
- name: istio-proxy
  args: [proxy]
  resources: {limits: {cpu: 2000m}, requests: {cpu: 100m}}
)");
  detail::applyConcurrency(containers);
  EXPECT_EQ(containers[0]["args"], json({"proxy", "--concurrency", "2"}));

  json requestOnly = yaml("- name: istio-proxy\n  resources: {requests: {cpu: 100m}}\n");
  detail::applyConcurrency(requestOnly);
  EXPECT_EQ(requestOnly[0]["args"], json({"--concurrency", "1"}));

  json preset = yaml("- name: istio-proxy\n  args: [--concurrency=4]\n  resources: {limits: {cpu: 8}}\n");
  detail::applyConcurrency(preset);
  EXPECT_EQ(preset[0]["args"], json({"--concurrency=4"}));

  json none = yaml("- name: istio-proxy\n  args: [proxy]\n");
  detail::applyConcurrency(none);
  EXPECT_EQ(none[0]["args"], json({"proxy"}));

  EXPECT_EQ(detail::cpuCeil(json("1.5")), 2);
  EXPECT_EQ(detail::cpuCeil(json("2")), 2);
  EXPECT_EQ(detail::cpuCeil(json(3)), 3);
  EXPECT_FALSE(detail::cpuCeil(json("lots")).has_value());
  // Exact: one core plus a nanocore is two; 1000m and 0.1e1 are exactly one.
  EXPECT_EQ(detail::cpuCeil(json("1000000001n")), 2);
  EXPECT_EQ(detail::cpuCeil(json("1000m")), 1);
  EXPECT_EQ(detail::cpuCeil(json("0.1e1")), 1);
  EXPECT_EQ(detail::cpuCeil(json("1Ki")), 1024);
  EXPECT_EQ(detail::cpuCeil(json(1.5)), 2);
  EXPECT_FALSE(detail::cpuCeil(json("1.5 cores")).has_value());
  EXPECT_FALSE(detail::cpuCeil(json(true)).has_value());
}

TEST(TemplateFunctions, AnnotationPrintsDefaultsLikeGo) {
  json metadata{{"annotations", {{"present", ""}}}};
  EXPECT_EQ(render("{{ annotation .ObjectMeta `present` `d` }}|{{ annotation .ObjectMeta `x` .Values.port }}|"
                   "{{ annotation .ObjectMeta `x` .Values.big }}|{{ annotation .ObjectMeta `x` .Values.missing }}|"
                   "{{ annotation .ObjectMeta `x` .ProxyConfig.InterceptionMode }}",
                   metadata, json::object(), "port: 15020\nbig: 1000000\n"),
            "|15020|1e+06|<nil>|REDIRECT");
}

TEST(TemplateFunctions, ValueOrDefaultKeepsZeros) {
  EXPECT_EQ(render("{{ valueOrDefault .Values.zero 5 }} {{ valueOrDefault .Values.f true }} "
                   "{{ valueOrDefault .Values.empty `d` }} {{ valueOrDefault .Values.missing `m` }}",
                   json::object(), json::object(), "zero: 0\nf: false\nempty: ''\n"),
            "0 false d m");
}

TEST(TemplateFunctions, JsonHelpers) {
  json metadata{{"labels", {{"b", "<x>"}, {"a", "1"}}}};
  json spec = yaml("containers:\n- name: c\n  ports:\n  - {containerPort: 80, name: http}\n  - {containerPort: 81, protocol: UDP, hostPort: 9}\n");
  EXPECT_EQ(render("{{ toJSON .ObjectMeta.Labels }}", metadata), R"({"a":"1","b":"\u003cx\u003e"})");
  EXPECT_EQ(render("{{ toJSON .ObjectMeta.Annotations }}"), "{}");
  EXPECT_EQ(render("{{ range .Spec.Containers }}{{ range .Ports }}{{ structToJSON . }};{{ end }}{{ end }}",
                   json::object(), spec),
            R"({"name":"http","containerPort":80};{"hostPort":9,"containerPort":81,"protocol":"UDP"};)");
  EXPECT_EQ(render("{{ applicationPorts .Spec.Containers }}|{{ includeInboundPorts .Spec.Containers }}",
                   json::object(), spec),
            "80,81|80,81");
  EXPECT_EQ(render("{{ range $k, $v := fromJSON `{\"b\":2,\"a\":\"x\"}` }}{{ $k }}={{ $v }};{{ end }}"), "a=x;b=2;");
  EXPECT_EQ(render("{{ fromJSON `not json` }}"), "{}");
  EXPECT_EQ(render("{{ protoToJSON .ProxyConfig.EnvoyMetricsService }}"), "{}");
  EXPECT_EQ(render("{{ protoToJSON .ProxyConfig.EnvoyMetricsService }}", json::object(), json::object(), "{}",
                   "defaultConfig:\n  envoyMetricsService:\n    address: ems:9000\n"),
            R"({"address":"ems:9000"})");
}

TEST(TemplateFunctions, TextHelpers) {
  EXPECT_EQ(render("{{ toYaml .Values.r | indent 2 }}", json::object(), json::object(),
                   "r: {limits: {cpu: 100m}, b: 2}\n"),
            "b: 2\n  limits:\n    cpu: 100m\n  ");
  EXPECT_EQ(render("{{ directory `/etc/certs/root.pem` }}|{{ contains `/` `a/b` }}|{{ contains `/` `ab` }}|"
                   "{{ toLower `ABC` }}"),
            "/etc/certs/|true|false|abc");
  EXPECT_EQ(render("{{ range .Values.ns }}{{ render . }};{{ end }}", json{{"namespace", "prod"}}, json::object(),
                   "ns: ['{{ valueOrDefault .DeploymentMeta.Namespace \"default\" }}.global', '{{ bad']\n"),
            "prod.global;;");
}

TEST(TemplateFunctions, ProtoGettersAndDurations) {
  EXPECT_EQ(render("[{{ .ProxyConfig.GetTracing.GetZipkin.GetAddress }}]{{ formatDuration .ProxyConfig.DrainDuration }} "
                   "{{ formatDuration .ProxyConfig.ParentShutdownDuration }} {{ formatDuration .ProxyConfig.GetTracing }}"),
            "[]45s 1m0s 1s");
  EXPECT_EQ(render("{{ if .ProxyConfig.InterceptionMode }}t{{ else }}f{{ end }}{{ .ProxyConfig.InterceptionMode.String }}"),
            "fREDIRECT");
  EXPECT_EQ(render("{{ .ProxyConfig.GetTracing.GetZipkin.GetAddress }}", json::object(), json::object(), "{}",
                   "defaultConfig:\n  tracing:\n    zipkin:\n      address: zipkin:9411\n"),
            "zipkin:9411");
  EXPECT_EQ(render("{{ .MeshConfig.ProxyListenPort }} {{ .ProxyConfig.ProxyAdminPort }}"), "15001 15000");
}

TEST(TemplateFunctions, LegacyFunctionSetIsSmaller) {
  EXPECT_NE(istio11Functions()->find("annotation"), nullptr);
  EXPECT_EQ(istio11Functions()->find("contains"), nullptr);
  EXPECT_EQ(istio11Functions()->find("render"), nullptr);
  EXPECT_NE(istio14Functions()->find("render"), nullptr);
}

}  // namespace
}  // namespace sidecar::inject

namespace sidecar::inject {
namespace {

TEST(ConfigTest, ValuesAcceptJsonAndUseFloat64Typing) {
  auto values = parseValues(R"({"global": {"hub": "docker.io", "port": 15020, "big": 1000000, "on": true}})");
  ASSERT_TRUE(values.has_value()) << values.error().message;
  const auto* global = values->asMap().find("global");
  ASSERT_NE(global, nullptr);
  EXPECT_TRUE(global->asMap().find("port")->isFloat());
  EXPECT_EQ(global->asMap().find("port")->print(), "15020");
  EXPECT_EQ(global->asMap().find("big")->print(), "1e+06");
  EXPECT_FALSE(parseValues("- a\n- b\n").has_value()) << "values must be a map";
  EXPECT_TRUE(parseValues("").has_value());
}

TEST(ConfigTest, VersionIsSha256OfTheTemplateAndDelimitersAreDetected) {
  auto config = compileConfig("template: 'containers: []'\n", "", "");
  ASSERT_TRUE(config.has_value());
  // printf 'containers: []' | sha256sum
  EXPECT_EQ((*config)->version, "16bd9ee063a4a169f14ba1f7609cf316315a59182416ae167e24df5874cc8efb");
  EXPECT_FALSE((*config)->legacy);
  EXPECT_TRUE(usesLegacyDelimiters("a: [[ .X ]]\nb: [[ .Y ]]"));
  EXPECT_FALSE(usesLegacyDelimiters("a: {{ .X }}"));
}

TEST(ConfigTest, ErrorsNameTheFailingPart) {
  auto noTemplate = compileConfig("policy: enabled\n", "", "");
  ASSERT_FALSE(noTemplate.has_value());
  EXPECT_NE(noTemplate.error().message.find("template"), std::string::npos);
  auto badTemplate = compileConfig("template: '{{ if }}'\n", "", "");
  ASSERT_FALSE(badTemplate.has_value());
  EXPECT_NE(badTemplate.error().message.find("injection template"), std::string::npos);
  auto unknownFunction = compileConfig("template: '{{ nosuchfn 1 }}'\n", "", "");
  ASSERT_FALSE(unknownFunction.has_value());
  auto badMesh = compileConfig("template: 'x: 1'\n", "defaultConfig: [1]\n", "");
  ASSERT_FALSE(badMesh.has_value());
  EXPECT_NE(badMesh.error().message.find("defaultConfig"), std::string::npos);
  auto badValues = compileConfig("template: 'x: 1'\n", "", "a: [1\n");
  ASSERT_FALSE(badValues.has_value());
  EXPECT_NE(badValues.error().message.find("values"), std::string::npos);
  auto badYaml = compileConfig("template: [\n", "", "");
  ASSERT_FALSE(badYaml.has_value());
  EXPECT_NE(badYaml.error().message.find("line"), std::string::npos);
}

TEST(TemplateData, MissingMetadataReadsAsZeroValues) {
  EXPECT_EQ(render("[{{ index .ObjectMeta.Annotations `x` }}][{{ index .ObjectMeta.Labels `app` }}]"
                   "[{{ .Spec.ServiceAccountName }}][{{ len .Spec.Containers }}][{{ .DeploymentMeta.Name }}]"
                   "{{ if .ObjectMeta.Annotations }}yes{{ else }}no{{ end }}"),
            "[][][][0][]no");
  EXPECT_EQ(render("{{ .TypeMeta.APIVersion }}/{{ .TypeMeta.Kind }}"), "apps/v1/Deployment");
}

}  // namespace
}  // namespace sidecar::inject

namespace sidecar::inject {
namespace {

TEST(ConfigTest, InvalidUtf8InMeshIsAnErrorNotACrash) {
  // Found by inject_config_fuzz: the error message used to re-encode the bad value as JSON.
  auto config = compileConfig("template: 'x: 1'\n", "proxyListenPort: \"\x08\xff\xff\"\n", "");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("proxyListenPort"), std::string::npos) << config.error().message;
}

}  // namespace
}  // namespace sidecar::inject
