// Cache memory per pod for 100k synthetic pods (target <= 1.5 KiB), measured as live heap
// growth (glibc mallinfo2), against the baseline of keeping the same pods as parsed JSON.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include "controller/cache_kinds.h"

namespace {

using namespace sidecar::controller;

constexpr int kPods = 100000;

std::string hex(uint64_t v, int width) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(static_cast<std::size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = kHex[v & 0xF];
    v >>= 4;
  }
  return s;
}

// A pod as a Deployment + Istio injection would leave it, including the fields the cache
// must drop (managedFields, last-applied-configuration).
nlohmann::json syntheticPod(int i) {
  const std::string deploy = "service-" + std::to_string(i % 500);
  const std::string hash = hex(static_cast<uint64_t>(i % 500) * 2654435761u, 10);
  const std::string name = deploy + "-" + hash + "-" + hex(static_cast<uint64_t>(i) * 40503u, 5);
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"namespace", "team-" + std::to_string(i % 50)},
        {"uid", hex(static_cast<uint64_t>(i), 8) + "-1f2e-4d3c-8b7a-" + hex(static_cast<uint64_t>(i) * 7u, 12)},
        {"resourceVersion", std::to_string(1000000 + i)},
        {"labels", {{"app", deploy}, {"pod-template-hash", hash}, {"version", "v1"}, {"security.istio.io/tlsMode", "istio"}}},
        {"annotations",
         {{"sidecar.istio.io/status",
           R"({"version":"7c3b1a0e9f","initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-certs"],"imagePullSecrets":null})"},
          {"kubectl.kubernetes.io/last-applied-configuration", std::string(1500, 'x')}}},
        {"ownerReferences",
         {{{"apiVersion", "apps/v1"},
           {"kind", "ReplicaSet"},
           {"name", deploy + "-" + hash},
           {"uid", "rs-" + hex(static_cast<uint64_t>(i % 500), 8) + "-0000-0000-0000-000000000000"},
           {"controller", true}}}},
        {"managedFields",
         {{{"manager", "kube-controller-manager"}, {"operation", "Update"}, {"fieldsV1", {{"f:metadata", {{"f:labels", nlohmann::json::object()}}}}}}}}}},
      {"spec",
       {{"containers",
         {{{"name", "app"}, {"image", "registry.example.com/team/" + deploy + ":1.2.3"}},
          {{"name", "istio-proxy"}, {"image", "docker.io/istio/proxyv2:1.4.10"}}}},
        {"initContainers", {{{"name", "istio-init"}, {"image", "docker.io/istio/proxyv2:1.4.10"}}}}}},
      {"status", {{"phase", "Running"}}}};
}

std::size_t liveHeap() { return mallinfo2().uordblks; }

void BM_PodCacheMemoryPerPod(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<nlohmann::json> items;
    items.reserve(kPods);
    for (int i = 0; i < kPods; ++i) {
      items.push_back(syntheticPod(i));
    }
    // Baseline: the raw objects as parsed JSON (a 10k sample keeps the peak heap sane).
    constexpr int kSample = 10000;
    const std::size_t beforeJson = liveHeap();
    std::vector<nlohmann::json> rawCopy(items.begin(), items.begin() + kSample);
    const double jsonPerPod = static_cast<double>(liveHeap() - beforeJson) / kSample;
    rawCopy.clear();
    rawCopy.shrink_to_fit();
    malloc_trim(0);

    const std::size_t before = liveHeap();
    auto cache = std::make_unique<PodCache>(toPodInfo);
    cache->replace(items, "1");
    const double perPod = static_cast<double>(liveHeap() - before) / kPods;
    benchmark::DoNotOptimize(cache->byNamespace("team-1").size());
    state.counters["bytes_per_pod"] = perPod;
    state.counters["KiB_per_pod"] = perPod / 1024.0;
    state.counters["json_bytes_per_pod"] = jsonPerPod;
    state.counters["ratio_vs_json"] = perPod / jsonPerPod;
    state.counters["pods"] = static_cast<double>(cache->size());
  }
}
BENCHMARK(BM_PodCacheMemoryPerPod)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_PodCacheApplyEvent(benchmark::State& state) {
  PodCache cache(toPodInfo);
  std::vector<nlohmann::json> items;
  for (int i = 0; i < 10000; ++i) {
    items.push_back(syntheticPod(i));
  }
  cache.replace(items, "1");
  int i = 0;
  for (auto _ : state) {
    nlohmann::json p = items[static_cast<std::size_t>(i % 10000)];
    p["metadata"]["resourceVersion"] = std::to_string(2000000 + i);
    cache.apply(WatchEventType::Modified, std::move(p));
    ++i;
  }
}
BENCHMARK(BM_PodCacheApplyEvent);

}  // namespace

BENCHMARK_MAIN();
