// Parse and execute cost of the template engine on an injection-sized template. The
// built-in template is this project's own (a sidecar spec with feature switches); when the
// shared conformance corpus is present, Istio's 1.4 and 1.1 injection templates are
// measured as well.

#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

#include "template/template.h"
#include "test/template/istio_fixture.h"

namespace sidecar::tmpl::testing {
namespace {

constexpr std::string_view kCore = R"TPL(
{{- define "labels" -}}
app: {{ .Meta.Labels.app | default "unknown" }}
{{- range $k, $v := .Meta.Labels }}
{{- if ne $k "app" }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
{{- end -}}
{{- define "resources" -}}
{{- if . }}
resources:
  {{- with .requests }}
  requests:
    cpu: {{ .cpu | quote }}
    memory: {{ .memory | quote }}
  {{- end }}
  {{- with .limits }}
  limits:
    cpu: {{ .cpu | quote }}
    memory: {{ .memory | quote }}
  {{- end }}
{{- else }}
resources: {}
{{- end }}
{{- end -}}
{{- $mode := annotation .Meta "sidecar.example.io/interceptionMode" .Proxy.InterceptionMode -}}
{{- $statusPort := annotation .Meta "status.sidecar.example.io/port" .Values.global.proxy.statusPort -}}
initContainers:
{{- if ne $mode "NONE" }}
- name: mesh-init
  image: {{ printf "%s/%s:%s" .Values.global.hub .Values.global.proxy_init.image .Values.global.tag | quote }}
  args:
  - "-p"
  - "15001"
  - "-u"
  - "1337"
  - "-m"
  - {{ $mode | quote }}
  - "-i"
  - {{ annotation .Meta "traffic.sidecar.example.io/includeOutboundIPRanges" .Values.global.proxy.includeIPRanges | quote }}
  - "-x"
  - {{ annotation .Meta "traffic.sidecar.example.io/excludeOutboundIPRanges" .Values.global.proxy.excludeIPRanges | quote }}
  - "-b"
  - {{ annotation .Meta "traffic.sidecar.example.io/includeInboundPorts" (includeInboundPorts .Spec.Containers) | quote }}
  - "-d"
  - {{ excludeInboundPort $statusPort (annotation .Meta "traffic.sidecar.example.io/excludeInboundPorts" "") | quote }}
  {{- if isset .Meta.Annotations "traffic.sidecar.example.io/kubevirtInterfaces" }}
  - "-k"
  - {{ index .Meta.Annotations "traffic.sidecar.example.io/kubevirtInterfaces" | quote }}
  {{- end }}
  imagePullPolicy: {{ .Values.global.imagePullPolicy }}
  {{- include "resources" .Values.global.proxy_init.resources | indent 2 }}
  securityContext:
    capabilities:
      add:
      - NET_ADMIN
    {{- if .Values.global.proxy.privileged }}
    privileged: true
    {{- end }}
{{- end }}
containers:
- name: mesh-proxy
  image: {{ if contains "/" .Values.global.proxy.image }}{{ .Values.global.proxy.image }}{{ else }}{{ .Values.global.hub }}/{{ .Values.global.proxy.image }}:{{ .Values.global.tag }}{{ end }}
  ports:
  - containerPort: 15090
    protocol: TCP
    name: http-envoy-prom
  args:
  - proxy
  - sidecar
  - --domain
  - $(POD_NAMESPACE).svc.{{ .Values.global.proxy.clusterDomain }}
  - --serviceCluster
  {{- if index .Meta.Labels "app" }}
  - {{ printf "%s.%s" (index .Meta.Labels "app") (valueOrDefault .Deployment.Namespace "default") | quote }}
  {{- else }}
  - {{ printf "%s.%s" (valueOrDefault .Deployment.Name "mesh-proxy") (valueOrDefault .Deployment.Namespace "default") | quote }}
  {{- end }}
  - --drainDuration
  - {{ formatDuration .Proxy.DrainDuration | quote }}
  - --parentShutdownDuration
  - {{ formatDuration .Proxy.ParentShutdownDuration | quote }}
  - --discoveryAddress
  - {{ annotation .Meta "sidecar.example.io/discoveryAddress" .Proxy.DiscoveryAddress | quote }}
  {{- if eq .Values.global.proxy.tracer "zipkin" }}
  - --zipkinAddress
  - {{ .Proxy.GetTracing.GetZipkin.GetAddress | quote }}
  {{- else if eq .Values.global.proxy.tracer "datadog" }}
  - --datadogAgentAddress
  - {{ .Proxy.GetTracing.GetDatadog.GetAddress | quote }}
  {{- end }}
  - --proxyAdminPort
  - {{ .Proxy.ProxyAdminPort | quote }}
  {{- if gt .Proxy.Concurrency 0 }}
  - --concurrency
  - {{ .Proxy.Concurrency | quote }}
  {{- end }}
  {{- if ne $statusPort "0" }}
  - --statusPort
  - {{ $statusPort | quote }}
  - --applicationPorts
  - {{ annotation .Meta "readiness.status.sidecar.example.io/applicationPorts" (applicationPorts .Spec.Containers) | quote }}
  {{- end }}
  env:
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: POD_PORTS
    value: |-
      [
      {{- range $i, $c := .Spec.Containers }}
        {{- range $j, $p := $c.Ports }}
          {{ if or $i $j }},{{ end }}{{ structToJSON $p }}
        {{- end }}
      {{- end }}
      ]
  - name: INTERCEPTION_MODE
    value: {{ or (index .Meta.Annotations "sidecar.example.io/interceptionMode") .Proxy.InterceptionMode.String | quote }}
  {{- if .Meta.Annotations }}
  - name: METAJSON_ANNOTATIONS
    value: |
      {{ toJSON .Meta.Annotations }}
  {{- end }}
  {{- if .Meta.Labels }}
  - name: METAJSON_LABELS
    value: |
      {{ toJSON .Meta.Labels }}
  {{- end }}
  - name: WORKLOAD
    value: {{ printf "kubernetes://apis/%s/namespaces/%s/%ss/%s" .Type.APIVersion (valueOrDefault .Deployment.Namespace "default") (toLower .Type.Kind) .Deployment.Name | quote }}
FEATURES
  {{- range $i, $e := .Values.global.extraEnv }}
  - name: {{ $e.name }}
    value: {{ $e.value | quote }}
  {{- end }}
  {{- if ne $statusPort "0" }}
  readinessProbe:
    httpGet:
      path: /healthz/ready
      port: {{ $statusPort }}
    initialDelaySeconds: {{ annotation .Meta "readiness.status.sidecar.example.io/initialDelaySeconds" .Values.global.proxy.readinessInitialDelaySeconds }}
    periodSeconds: {{ annotation .Meta "readiness.status.sidecar.example.io/periodSeconds" .Values.global.proxy.readinessPeriodSeconds }}
    failureThreshold: {{ annotation .Meta "readiness.status.sidecar.example.io/failureThreshold" .Values.global.proxy.readinessFailureThreshold }}
  {{- end }}
  securityContext:
    readOnlyRootFilesystem: true
    runAsUser: 1337
  {{- include "resources" .Values.global.proxy.resources | indent 2 }}
  volumeMounts:
  - mountPath: /etc/mesh/proxy
    name: mesh-envoy
  {{- range $name, $mount := .Values.global.proxy.extraMounts }}
  - mountPath: {{ $mount.path }}
    name: {{ $name }}
    {{- if $mount.readOnly }}
    readOnly: true
    {{- end }}
  {{- end }}
volumes:
- emptyDir:
    medium: Memory
  name: mesh-envoy
- name: mesh-certs
  secret:
    optional: true
    secretName: {{ printf "mesh.%s" (valueOrDefault .Spec.ServiceAccountName "default") }}
{{- if .Values.global.podDNSSearchNamespaces }}
dnsConfig:
  searches:
  {{- range .Values.global.podDNSSearchNamespaces }}
  - {{ render . }}
  {{- end }}
{{- end }}
metadata:
  labels:
    {{- include "labels" . | indent 4 }}
)TPL";

// One feature switch block; the built-in template carries many with distinct names.
std::string featureBlock(int i) {
  std::string n = std::to_string(i);
  return "  {{- with index .Values.features \"f" + n + "\" }}\n"
         "  {{- if .enabled }}\n"
         "  - name: FEATURE_" + n + "\n"
         "    value: {{ .value | default \"on\" | quote }}\n"
         "  {{- else if eq (annotation $.Meta \"feature.example.io/f" + n + "\" \"off\") \"on\" }}\n"
         "  - name: FEATURE_" + n + "_FORCED\n"
         "    value: \"true\"\n"
         "  {{- end }}\n"
         "  {{- end }}\n";
}

std::string ownTemplate() {
  std::string features;
  for (int i = 0; i < 32; ++i) {
    features += featureBlock(i);
  }
  std::string text(kCore);
  text.replace(text.find("FEATURES\n"), 9, features);
  return text;
}

std::shared_ptr<FuncMap> ownFunctions() {
  auto funcs = istioFunctions();
  funcs->add(
      "quote",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        std::string s = "\"";
        s += args[0].print();
        return Value(s + "\"");
      },
      1, 1);
  funcs->add(
      "default",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        return args[1].truth() ? args[1] : args[0];
      },
      2, 2);
  funcs->add(
      "include",
      [](std::span<const Value> args, const CallContext& ctx) -> Expected<Value> {
        // Stands in for Helm's include: a named sub-template rendered into a string.
        (void)ctx;
        std::string s = args[1].isMap() ? "\n" : "\nresources: {}";
        if (args[1].isMap()) {
          for (const auto& [k, v] : args[1].asMap().entries()) {
            s += k + ": " + v.print() + "\n";
          }
        }
        return Value(s);
      },
      2, 2);
  return funcs;
}

Value ownData() {
  YAML::Node values = YAML::Load(R"(
global:
  hub: registry.example.com/mesh
  tag: 1.4.0
  imagePullPolicy: IfNotPresent
  podDNSSearchNamespaces:
  - "global"
  - "{{ valueOrDefault .Deployment.Namespace \"default\" }}.global"
  extraEnv:
  - {name: ZONE, value: eu-west-1a}
  - {name: CLUSTER, value: prod-1}
  - {name: TIER, value: gold}
  proxy_init:
    image: proxy_init
    resources: {requests: {cpu: 10m, memory: 10Mi}, limits: {cpu: 100m, memory: 50Mi}}
  proxy:
    image: proxyv2
    tracer: zipkin
    clusterDomain: cluster.local
    statusPort: 15020
    privileged: false
    includeIPRanges: "*"
    excludeIPRanges: ""
    readinessInitialDelaySeconds: 1
    readinessPeriodSeconds: 2
    readinessFailureThreshold: 30
    resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 2000m, memory: 1024Mi}}
    extraMounts:
      certs: {path: /etc/certs, readOnly: true}
      tokens: {path: /var/run/secrets/tokens, readOnly: true}
      scratch: {path: /tmp/scratch}
features:
  f0: {enabled: true, value: "fast"}
  f1: {enabled: false}
  f2: {enabled: true}
  f3: {enabled: true, value: "x"}
  f5: {enabled: false}
  f8: {enabled: true, value: "8"}
  f13: {enabled: true}
  f21: {enabled: true, value: "21"}
)");
  Value base = istioData(yamlToValue(values));
  const MapValue& m = base.asMap();
  // Same shapes as Istio's data under this template's own field names.
  return makeMap({{"Type", *m.find("TypeMeta")},
                  {"Deployment", *m.find("DeploymentMeta")},
                  {"Meta", *m.find("ObjectMeta")},
                  {"Spec", *m.find("Spec")},
                  {"Proxy", *m.find("ProxyConfig")},
                  {"Values", *m.find("Values")}});
}

void BM_ParseOwn(benchmark::State& state) {
  std::string text = ownTemplate();
  auto funcs = ownFunctions();
  for (auto _ : state) {
    auto t = Template::parse("bench", text, funcs);
    benchmark::DoNotOptimize(t);
  }
  state.counters["template_bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_ParseOwn);

void BM_ExecuteOwn(benchmark::State& state) {
  std::string text = ownTemplate();
  auto t = Template::parse("bench", text, ownFunctions());
  if (!t) {
    state.SkipWithError(t.error().message.c_str());
    return;
  }
  Value data = ownData();
  size_t bytes = 0;
  std::string out;
  for (auto _ : state) {
    out.clear();
    auto r = t->executeInto(out, data);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["output_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ExecuteOwn);

// Istio's templates, registered only when the corpus is readable at run time.
void registerIstio() {
  namespace fs = std::filesystem;
  struct Spec {
    const char* name;
    const char* dir;
    bool legacy;
  };
  for (const Spec& spec : {Spec{"Istio14", "istio-1.4/kube-inject/frontend", false},
                           Spec{"Istio11", "istio-1.1/kube-inject/hello-namespace", true}}) {
    fs::path dir = fs::path(SIDECAR_CONFORMANCE_DIR) / spec.dir;
    if (!fs::exists(dir / "inject-config.yaml")) {
      continue;
    }
    std::string text = YAML::LoadFile((dir / "inject-config.yaml").string())["template"].as<std::string>();
    Value values = fs::exists(dir / "values.yaml")
                       ? yamlToValue(YAML::LoadFile((dir / "values.yaml").string()))
                       : Value();
    ParseOptions options;
    if (spec.legacy) {
      options.delimiters = {"[[", "]]"};
    }
    auto funcs = istioFunctions();
    benchmark::RegisterBenchmark(
        (std::string("BM_Parse") + spec.name).c_str(),
        [text, funcs, options](benchmark::State& state) {
          for (auto _ : state) {
            auto t = Template::parse("inject", text, funcs, options);
            benchmark::DoNotOptimize(t);
          }
          state.counters["template_bytes"] = static_cast<double>(text.size());
        });
    benchmark::RegisterBenchmark(
        (std::string("BM_Execute") + spec.name).c_str(),
        [text, funcs, options, values](benchmark::State& state) {
          auto t = Template::parse("inject", text, funcs, options);
          if (!t) {
            state.SkipWithError(t.error().message.c_str());
            return;
          }
          Value data = istioData(values);
          std::string out;
          for (auto _ : state) {
            out.clear();
            auto r = t->executeInto(out, data);
            if (!r) {
              state.SkipWithError(r.error().message.c_str());
              return;
            }
            benchmark::DoNotOptimize(out.data());
          }
          state.counters["output_bytes"] = static_cast<double>(out.size());
        });
  }
}

}  // namespace
}  // namespace sidecar::tmpl::testing

int main(int argc, char** argv) {
  sidecar::tmpl::testing::registerIstio();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
