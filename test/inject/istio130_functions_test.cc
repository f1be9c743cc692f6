// Istio 1.30's template function set: sprig with pkg/kube/inject's InjectionFuncmap on top.
// Expected outputs are what Istio 1.30.3's template.go and sprig v3.3.0 produce.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "inject/template_data.h"
#include "inject/template_functions_istio130.h"
#include "inject/values.h"
#include "template/sprig.h"

namespace sidecar::inject {
namespace {

using nlohmann::json;

std::shared_ptr<const tmpl::FuncMap> functions() {
  static const auto funcs =
      makeIstio130Functions([](std::string_view name) -> std::optional<std::string> {
        if (name == "ISTIO_META_X") {
          return "from-env";
        }
        if (name == "EMPTY") {
          return "";
        }
        return std::nullopt;
      });
  return funcs;
}

tmpl::Value data() {
  static const auto spec = std::make_shared<const json>(json::parse(R"({"containers": [
      {"name": "app", "image": "registry/app:1.2@sha256:abc",
       "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}, {"containerPort": 90, "protocol": "TCP"}]},
      {"name": "istio-proxy", "ports": [{"containerPort": 15090}]}]})"));
  tmpl::MapValue::Entries fields;
  fields.emplace("Spec",
                 makeKubeValue(spec, spec.get(), "v1.PodSpec", kube::SchemaVersion::Kubernetes135));
  fields.emplace("V", jsonToValue(json::parse(
                          R"({"a": null, "b": {"c": null}, "d": [null, 1], "e": "x", "f": {}})")));
  fields.emplace("Str", tmpl::Value("hello"));
  return tmpl::makeMap(std::move(fields));
}

std::string run(std::string_view text) {
  tmpl::ParseOptions options;
  options.goVersion = tmpl::GoVersion::Go122;
  auto t = tmpl::Template::parse("inject", text, functions(), options);
  if (!t) {
    return "PARSE:" + t.error().message;
  }
  auto out = t->execute(data());
  return out ? *out : "ERR:" + out.error().message;
}

struct Case {
  const char* name;
  const char* text;
  const char* expected;
};

class Istio130Functions : public ::testing::TestWithParam<Case> {};

TEST_P(Istio130Functions, MatchIstio) {
  const Case& c = GetParam();
  const std::string got = run(c.text);
  const std::string want = c.expected;
  if (want.rfind("ERR:", 0) == 0) {
    EXPECT_NE(got.find(want.substr(4)), std::string::npos) << got;
  } else {
    EXPECT_EQ(got, want);
  }
}

const Case kCases[] = {
    {"SprigIsThere", R"({{ .Str | quote }} {{ list 1 2 | join "," }} {{ trunc 2 .Str }})",
     R"("hello" 1,2 he)"},
    {"IstioIndentSkipsFirstLine", R"([{{ indent 2 "a\nb" }}])", "[a\n  b]"},
    {"SprigNindentStays", R"([{{ nindent 2 "a\nb" }}])", "[\n  a\n  b]"},
    {"Contains", R"({{ contains "ell" "hello" }} {{ contains "hello" "ell" }})", "true false"},
    {"EnvWithDefault",
     R"({{ env "ISTIO_META_X" "d" }} {{ env "UNSET" "d" }} {{ env "EMPTY" "d" }})", "from-env d d"},
    {"StrdictOmit", R"({{ omit (strdict "a" "1" "b" "2" "c") "a" }})", "map[b:2 c:]"},
    {"OmitNeedsStringMap", R"({{ omit .V "a" }})", "ERR:expected map[string]string"},
    {"ToJsonMapMerges", R"({{ toJsonMap (strdict "a" "1") (strdict "a" "2" "b" "<") }})",
     R"({"a":"2","b":"\u003c"})"},
    {"ToJsonMapOfNothing", R"({{ toJsonMap }})", "null"},
    {"MergeMaps", R"({{ mergeMaps (strdict "a" "1" "b" "1") (strdict "b" "2") }})", "map[a:1 b:2]"},
    {"OmitNil", R"({{ omitNil .V | toJson }})", R"({"d":[1],"e":"x","f":{}})"},
    {"ToJsonEscapesHtml", R"({{ toJson (dict "a" "<&>") }} {{ toRawJson (dict "a" "<&>") }})",
     R"({"a":"\u003c\u0026\u003e"} {"a":"<&>"})"},
    {"ToPrettyJson", R"({{ toPrettyJson (dict "a" (list 1 2) "b" (dict)) }})",
     "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"},
    {"FromJsonOfSprigAndIstio", R"({{ (fromJson "{\"a\": 1}").a }} {{ fromJSON "bad" }})", "1 {}"},
    {"IncludeInboundPortsSkipsUdp", R"({{ includeInboundPorts .Spec.Containers }})", "80,90,15090"},
    {"ApplicationPortsSkipProxy", R"({{ applicationPorts .Spec.Containers }})", "80,90"},
    {"ExcludeInterfacesIsIdentity",
     R"({{ excludeInterfaces "eth1" }} {{ kubevirtInterfaces "net1" }})", "eth1 net1"},
    {"FormatDurationOfNil", R"({{ formatDuration .Missing }})", "0s"},
    {"MultusEmpty", R"({{ appendMultusNetwork "" "istio-cni" }})", "istio-cni"},
    {"MultusListAppend",
     R"({{ appendMultusNetwork "a, b" "istio-cni" }}|{{ appendMultusNetwork "a, istio-cni" "istio-cni" }})",
     "a, b, istio-cni|a, istio-cni"},
    {"MultusJson", R"({{ appendMultusNetwork "[{\"name\": \"x\"}]" "kube-system/istio-cni" }})",
     R"([{"name": "x"}, {"name": "istio-cni", "namespace": "kube-system"}])"},
    {"MultusJsonAlreadyThere",
     R"({{ appendMultusNetwork "[{\"name\": \"istio-cni\", \"namespace\": \"kube-system\"}]" "kube-system/istio-cni" }})",
     R"([{"name": "istio-cni", "namespace": "kube-system"}])"},
    {"OtelWithoutSemconvIsEmpty",
     R"([{{ otelResourceAttributes .Missing (strdict) (strdict) "ns" .Spec.Containers }}])", "[]"},
    {"SprigUnsupportedAtRunTime", R"({{ uuidv4 }})", R"(ERR:function "uuidv4" is not supported)"},
    {"EqOnMissingValueIsFalse", R"({{ if eq .V.missing "x" }}yes{{ else }}no{{ end }})", "no"},
};

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Table, Istio130Functions, ::testing::ValuesIn(kCases), caseName);

TEST(Istio130FunctionNames, SprigAndIstioNamesAllParse) {
  std::vector<std::string> names(tmpl::sprigFunctionNames().begin(),
                                 tmpl::sprigFunctionNames().end());
  for (const char* istio : {"formatDuration",
                            "isset",
                            "excludeInboundPort",
                            "includeInboundPorts",
                            "kubevirtInterfaces",
                            "excludeInterfaces",
                            "applicationPorts",
                            "annotation",
                            "valueOrDefault",
                            "toJSON",
                            "fromJSON",
                            "structToJSON",
                            "protoToJSON",
                            "toYaml",
                            "indent",
                            "directory",
                            "contains",
                            "toLower",
                            "appendMultusNetwork",
                            "env",
                            "omit",
                            "strdict",
                            "toJsonMap",
                            "mergeMaps",
                            "omitNil",
                            "otelResourceAttributes"}) {
    names.emplace_back(istio);
  }
  for (const auto& name : names) {
    auto t = tmpl::Template::parse("t", "{{if false}}{{" + name + "}}{{end}}", functions());
    EXPECT_TRUE(t) << name << ": " << t.error().message;
  }
}

TEST(GoJson, IndentAndHtml) {
  EXPECT_EQ(goJsonIndent(R"({"a":"x,y:{z}","b":[]})"), "{\n  \"a\": \"x,y:{z}\",\n  \"b\": []\n}");
  EXPECT_EQ(goJsonUnescapeHtml(R"({"a":"\\u003c\u003c"})"), R"({"a":"\\u003c<"})");
}

}  // namespace
}  // namespace sidecar::inject
