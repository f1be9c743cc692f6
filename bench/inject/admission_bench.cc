// The webhook hot path: admitPod() on a pod whose app container carries 2000 env vars
// (target: <= 0.5 ms, <= 1 MiB allocated per request), against a small pod as baseline, and
// pods of ~64 KiB and ~1 MiB to show the cost grows linearly with size.
// Allocation volume is measured with a counting operator new.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "common/file.h"
#include "inject/admission.h"
#include "inject/admission_cache.h"
#include "inject/config.h"

namespace {

std::atomic<size_t> gAllocated{0};

const char* kConfig = R"(policy: enabled
template: |
  rewriteAppHTTPProbe: true
  initContainers:
  - name: istio-init
    image: "{{ .Values.hub }}/proxy_init:1"
    args: ["-p", "15001", "-u", 1337, "-b", "{{ annotation .ObjectMeta `traffic.sidecar.istio.io/includeInboundPorts` `*` }}"]
  containers:
  - name: istio-proxy
    image: "{{ .Values.hub }}/proxyv2:1"
    args:
    - proxy
    - sidecar
    - --serviceCluster
    - "{{ valueOrDefault .DeploymentMeta.Name `istio-proxy` }}.{{ valueOrDefault .DeploymentMeta.Namespace `default` }}"
    - --drainDuration
    - "{{ formatDuration .ProxyConfig.DrainDuration }}"
    - --statusPort
    - "15020"
    env:
    - name: ISTIO_META_POD_PORTS
      value: |-
        [
        {{- range $index1, $c := .Spec.Containers }}
          {{- range $index2, $p := $c.Ports }}
            {{if or (ne $index1 0) (ne $index2 0)}},{{end}}{{ structToJSON $p }}
          {{- end}}
        {{- end}}
        ]
    {{ if .ObjectMeta.Labels }}
    - name: ISTIO_METAJSON_LABELS
      value: |
             {{ toJSON .ObjectMeta.Labels }}
    {{ end }}
    resources:
      limits: {cpu: 2000m, memory: 1024Mi}
      requests: {cpu: 100m, memory: 128Mi}
  volumes:
  - name: istio-envoy
    emptyDir: {medium: Memory}
)";

std::string makePod(int envVars) {
  nlohmann::json env = nlohmann::json::array();
  for (int i = 0; i < envVars; ++i) {
    env.push_back({{"name", "VAR_" + std::to_string(i)}, {"value", "value-" + std::to_string(i) + "-abcdefghij"}});
  }
  nlohmann::json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "big"}, {"namespace", "default"}, {"labels", {{"app", "big"}}}}},
      {"spec",
       {{"containers",
         {{{"name", "app"},
           {"image", "app:1"},
           {"ports", {{{"name", "http"}, {"containerPort", 8080}}}},
           {"readinessProbe", {{"httpGet", {{"path", "/ready"}, {"port", 8080}}}}},
           {"env", env}}}}}}};
  return pod.dump();
}

const sidecar::inject::InjectionConfig& config() {
  static auto compiled = sidecar::inject::compileConfig(kConfig, "", "hub: docker.io/istio\n");
  if (!compiled) {
    std::abort();
  }
  return **compiled;
}

void runAdmission(benchmark::State& state) {
  std::string pod = makePod(static_cast<int>(state.range(0)));
  const auto& cfg = config();
  size_t allocatedBytes = 0;
  for (auto _ : state) {
    size_t before = gAllocated.load(std::memory_order_relaxed);
    auto outcome = sidecar::inject::admitPod(cfg, pod, "default");
    allocatedBytes = gAllocated.load(std::memory_order_relaxed) - before;
    if (outcome.kind != sidecar::inject::AdmissionOutcome::Kind::Patched) {
      state.SkipWithError("not patched");
      break;
    }
    benchmark::DoNotOptimize(outcome.patch.data());
  }
  state.counters["alloc_KiB_per_op"] = static_cast<double>(allocatedBytes) / 1024.0;
  state.counters["pod_KiB"] = static_cast<double>(pod.size()) / 1024.0;
  // Linear cost shows as a flat bytes/second across pod sizes.
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(pod.size()));
}

std::string readSource(const std::string& relative) {
  auto text = sidecar::readFile(std::string(SIDECAR_SOURCE_DIR) + "/" + relative);
  if (!text) {
    std::abort();
  }
  return std::move(*text);
}

// What production runs: the built-in template, mesh and values, and the sleep sample's pod
// as the API server sends it (generated name, ReplicaSet owner, service-account volume).
void sleepPodBuiltinConfig(benchmark::State& state) {
  static auto compiled = sidecar::inject::compileConfig(readSource("cmd/defaults/inject-config.yaml"),
                                                        readSource("cmd/defaults/mesh.yaml"),
                                                        readSource("cmd/defaults/values.yaml"));
  if (!compiled) {
    state.SkipWithError(compiled.error().message.c_str());
    return;
  }
  const std::string pod = readSource("bench/testdata/sleep-pod.json");
  size_t allocatedBytes = 0;
  for (auto _ : state) {
    size_t before = gAllocated.load(std::memory_order_relaxed);
    auto outcome = sidecar::inject::admitPod(**compiled, pod, "demo");
    allocatedBytes = gAllocated.load(std::memory_order_relaxed) - before;
    if (outcome.kind != sidecar::inject::AdmissionOutcome::Kind::Patched) {
      state.SkipWithError(("not patched: " + outcome.message).c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome.patch.data());
  }
  state.counters["alloc_KiB_per_op"] = static_cast<double>(allocatedBytes) / 1024.0;
}

// The same through AdmissionCache, as the webhook runs it: successive replicas of the sleep
// Deployment, each with its own service-account token volume name, so after the first pod
// every admission is a cache hit that restores the pod's own name into the patch.
void sleepPodBuiltinConfigCached(benchmark::State& state) {
  auto compiled = sidecar::inject::compileConfig(readSource("cmd/defaults/inject-config.yaml"),
                                                 readSource("cmd/defaults/mesh.yaml"),
                                                 readSource("cmd/defaults/values.yaml"));
  if (!compiled) {
    state.SkipWithError(compiled.error().message.c_str());
    return;
  }
  const std::string pod = readSource("bench/testdata/sleep-pod.json");
  std::vector<std::string> replicas;
  for (int i = 0; i < 1024; ++i) {
    std::string text = pod;
    std::string suffix = std::to_string(10000 + i);
    for (size_t at = text.find("x7k2p"); at != std::string::npos; at = text.find("x7k2p", at)) {
      text.replace(at, 5, suffix.substr(suffix.size() - 5));
    }
    replicas.push_back(std::move(text));
  }
  sidecar::inject::AdmissionCache cache;
  size_t next = 0;
  size_t allocatedBytes = 0;
  for (auto _ : state) {
    size_t before = gAllocated.load(std::memory_order_relaxed);
    auto outcome = cache.admit(*compiled, replicas[next++ % replicas.size()], "demo");
    allocatedBytes = gAllocated.load(std::memory_order_relaxed) - before;
    if (outcome.kind != sidecar::inject::AdmissionOutcome::Kind::Patched) {
      state.SkipWithError(("not patched: " + outcome.message).c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome.patch.data());
  }
  auto stats = cache.stats();
  state.counters["alloc_KiB_per_op"] = static_cast<double>(allocatedBytes) / 1024.0;
  state.counters["hit_ratio"] = static_cast<double>(stats.hits) / static_cast<double>(stats.hits + stats.misses);
}

}  // namespace

BENCHMARK(sleepPodBuiltinConfig)->Unit(benchmark::kMicrosecond);
BENCHMARK(sleepPodBuiltinConfigCached)->Unit(benchmark::kMicrosecond);

// 1 env var (baseline), Istio's 2000-env-var case (~100 KiB), then ~64 KiB and ~1 MiB pods.
BENCHMARK(runAdmission)->Arg(1)->Arg(1300)->Arg(2000)->Arg(20000)->Unit(benchmark::kMicrosecond);

void* operator new(size_t size) {
  gAllocated.fetch_add(size, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
// NOLINTNEXTLINE: paired with the counting operator new above (malloc-based).
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

BENCHMARK_MAIN();
