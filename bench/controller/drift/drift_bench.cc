// Drift recompute cost at cluster scale: 100k pods of 1000 Deployments in 50 namespaces,
// under the built-in (Istio-shaped) injection template.
//  - FullRecompute: a template change re-evaluates every pod (target < 1 s).
//  - Baseline: one render per pod without the cache, measured on 1000 pods and scaled, so the
//    cache's ratio is visible in the same run.
//  - PodEvent*: the incremental cost of one pod add/update (cache hit and miss).
//  - Summarize: rolling 100k pods up into workloads and restart plans.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "controller/drift/drift_tracker.h"
#include "controller/drift/expectation.h"
#include "controller/drift/workload_summary.h"
#include "inject/config.h"

namespace {

using nlohmann::json;
using sidecar::drift::DriftTracker;

constexpr int kNamespaces = 50;
constexpr int kWorkloads = 1000;
constexpr int kPodsPerWorkload = 100;

std::string readFile(const std::string& path) {
  auto text = sidecar::readFile(path);
  if (!text) {
    std::fprintf(stderr, "%s\n", text.error().message.c_str());
    std::abort();
  }
  return std::move(*text);
}

// The built-in config with a template edited by a no-op comment: a new template version.
sidecar::inject::InjectionConfigPtr configVariant(int edit) {
  static const std::string injectText = readFile(std::string(DEFAULTS_DIR) + "/inject-config.yaml");
  static const std::string mesh = readFile(std::string(DEFAULTS_DIR) + "/mesh.yaml");
  static const std::string values = readFile(std::string(DEFAULTS_DIR) + "/values.yaml");
  std::string text = injectText;
  auto at = text.find("template: |\n");
  if (at == std::string::npos) {
    std::abort();
  }
  text.insert(at + 12, "  {{- /* edit " + std::to_string(edit) + " */ -}}\n");
  auto config = sidecar::inject::compileConfig(text, mesh, values);
  if (!config) {
    std::fprintf(stderr, "config: %s\n", config.error().message.c_str());
    std::abort();
  }
  return *config;
}

json makePod(int workload, int replica, const std::string& version) {
  std::string ns = "ns-" + std::to_string(workload % kNamespaces);
  std::string deploy = "app-" + std::to_string(workload);
  std::string rs = deploy + "-6f8d9c";
  json status = {{"version", version},
                 {"initContainers", {"istio-init"}},
                 {"containers", {"istio-proxy"}},
                 {"volumes", {"istio-envoy", "istio-certs"}},
                 {"imagePullSecrets", json::array()}};
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", rs + "-" + std::to_string(replica)},
        {"namespace", ns},
        {"generateName", rs + "-"},
        {"labels", {{"app", deploy}, {"version", "v1"}, {"pod-template-hash", "6f8d9c"}}},
        {"annotations", {{"sidecar.istio.io/status", status.dump()}}},
        {"ownerReferences",
         json::array({{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", rs}, {"controller", true}}})}}},
      {"spec",
       {{"containers",
         json::array({{{"name", "app"},
                       {"image", "example.com/" + deploy + ":1"},
                       {"ports", json::array({{{"containerPort", 8080}, {"protocol", "TCP"}}})},
                       {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}}},
                      {{"name", "istio-proxy"}, {"image", "docker.io/istio/proxyv2:1.4.10"}}})},
        {"initContainers", json::array({{{"name", "istio-init"}, {"image", "docker.io/istio/proxy_init:1.4.10"}}})},
        {"volumes", json::array({{{"name", "istio-envoy"}, {"emptyDir", {{"medium", "Memory"}}}},
                                 {{"name", "istio-certs"}, {"secret", {{"secretName", "istio.default"}}}}})}}},
      {"status", {{"phase", "Running"}}},
  };
}

// One 100k-pod cluster shared by the benchmarks (building it takes longer than they run).
struct Cluster {
  std::vector<sidecar::inject::InjectionConfigPtr> configs;
  std::unique_ptr<DriftTracker> tracker;

  static Cluster& get() {
    static Cluster c = [] {
      Cluster cluster;
      for (int i = 0; i < 2; ++i) {
        cluster.configs.push_back(configVariant(i));
      }
      cluster.tracker = std::make_unique<DriftTracker>();
      cluster.tracker->setConfig(cluster.configs[0]);
      for (int w = 0; w < kWorkloads; ++w) {
        for (int r = 0; r < kPodsPerWorkload; ++r) {
          if (!cluster.tracker->upsertPod(makePod(w, r, cluster.configs[0]->version))) {
            std::abort();
          }
        }
      }
      // The fixture must start clean, or the recompute would measure error paths.
      for (const auto& [key, pod] : cluster.tracker->pods()) {
        if (pod.drifted()) {
          std::fprintf(stderr, "pod %s drifted at setup\n", key.c_str());
          std::abort();
        }
      }
      return cluster;
    }();
    return c;
  }
};

void BM_FullRecomputeAfterTemplateChange(benchmark::State& state) {
  Cluster& c = Cluster::get();
  size_t flip = 0;
  size_t rendersBefore = c.tracker->stats().renders;
  for (auto _ : state) {
    c.tracker->setConfig(c.configs[++flip % 2]);
  }
  size_t drifted = 0;
  for (const auto& [k, p] : c.tracker->pods()) {
    drifted += p.drifted() ? 1 : 0;
  }
  state.counters["pods"] = static_cast<double>(c.tracker->pods().size());
  state.counters["renders_per_recompute"] =
      static_cast<double>(c.tracker->stats().renders - rendersBefore) / static_cast<double>(state.iterations());
  state.counters["drifted"] = static_cast<double>(drifted);
}
BENCHMARK(BM_FullRecomputeAfterTemplateChange)->Unit(benchmark::kMillisecond)->Iterations(6);

// What a recompute would cost if every pod were rendered: per-pod expectation, uncached.
void BM_BaselineUncachedRenderPerPod(benchmark::State& state) {
  Cluster& c = Cluster::get();
  std::vector<const sidecar::drift::PodRecord*> sample;
  for (const auto& [k, p] : c.tracker->pods()) {
    sample.push_back(&p.pod);
    if (sample.size() == 1000) {
      break;
    }
  }
  for (auto _ : state) {
    for (const auto* pod : sample) {
      auto e = sidecar::drift::computeExpectation(*c.configs[0], *pod, nullptr, nullptr);
      benchmark::DoNotOptimize(e);
    }
  }
  // Seconds per pod render; times 100k is what a recompute without the cache would cost.
  state.counters["render_s_per_pod"] =
      benchmark::Counter(static_cast<double>(sample.size()),
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_BaselineUncachedRenderPerPod)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_PodEventCacheHit(benchmark::State& state) {
  Cluster& c = Cluster::get();
  const auto& version = c.tracker->config()->version;
  std::vector<json> events;
  for (int i = 0; i < 256; ++i) {
    events.push_back(makePod(i * 7 % kWorkloads, i % kPodsPerWorkload, version));
  }
  size_t i = 0;
  for (auto _ : state) {
    if (!c.tracker->upsertPod(events[i++ % events.size()])) {
      state.SkipWithError("upsert failed");
    }
  }
}
BENCHMARK(BM_PodEventCacheHit)->Unit(benchmark::kMicrosecond);

// A pod with a template nobody else has (bare pod, new annotation): renders once.
void BM_PodEventNewTemplate(benchmark::State& state) {
  Cluster& c = Cluster::get();
  const auto& version = c.tracker->config()->version;
  json pod = makePod(1, 1, version);
  size_t n = 0;
  for (auto _ : state) {
    pod["metadata"]["annotations"]["bench/nonce"] = std::to_string(++n);
    if (!c.tracker->upsertPod(pod)) {
      state.SkipWithError("upsert failed");
    }
  }
}
BENCHMARK(BM_PodEventNewTemplate)->Unit(benchmark::kMicrosecond);

void BM_Summarize(benchmark::State& state) {
  Cluster& c = Cluster::get();
  for (auto _ : state) {
    auto s = sidecar::drift::summarize(*c.tracker);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Summarize)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
