// The drift service's paths without a network:
//  - PodEventThroughService: one pod event through reflector sink -> queue -> worker ->
//    tracker, against the tracker alone in the same process (the baseline), on 10k pods of
//    100 Deployments. The difference is the queue hand-off and the footprint check that
//    decides whether the event needs a sync.
//  - TemplateChangeThroughService100k: setConfig() to recomputed, 100k pods (target < 1 s).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/drift/drift_service.h"
#include "controller/rest_client.h"
#include "inject/config.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kWorkloads = 100;
constexpr int kPodsPerWorkload = 100;

const char* kInjectConfig = R"(policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: "docker.io/istio/proxyv2:1.4.10"
    args: ["--serviceCluster", "{{ .DeploymentMeta.Name }}"]
  volumes:
  - name: istio-envoy
    emptyDir: {}
)";

// Two templates that differ only in a comment: every switch is a new template version.
sidecar::inject::InjectionConfigPtr config(int variant = 0) {
  static auto configs = [] {
    std::vector<sidecar::inject::InjectionConfigPtr> out;
    for (int i = 0; i < 2; ++i) {
      std::string text = kInjectConfig;
      text.insert(text.find("  containers:"), "  {{- /* variant " + std::to_string(i) + " */ -}}\n");
      auto compiled = sidecar::inject::compileConfig(text, "", "");
      if (!compiled) {
        std::fprintf(stderr, "config: %s\n", compiled.error().message.c_str());
        std::abort();
      }
      out.push_back(*compiled);
    }
    return out;
  }();
  return configs[variant];
}

// A running pod of workload `w`; `generation` varies a status field only, as kubelet updates do.
json makePod(int w, int replica, int generation) {
  std::string rs = "app-" + std::to_string(w) + "-6f8d9c";
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", rs + "-" + std::to_string(replica)},
            {"namespace", "ns-" + std::to_string(w % 10)},
            {"labels", {{"app", "app-" + std::to_string(w)}, {"pod-template-hash", "6f8d9c"}}},
            {"ownerReferences",
             json::array({{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", rs}, {"controller", true}}})}}},
          {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "example.com/app:1"}}})}}},
          {"status", {{"phase", "Running"}, {"observedGeneration", generation}}}};
}

std::vector<json> podEvents(int generation, int workloads = kWorkloads) {
  std::vector<json> pods;
  pods.reserve(workloads * kPodsPerWorkload);
  for (int w = 0; w < workloads; ++w) {
    for (int r = 0; r < kPodsPerWorkload; ++r) {
      pods.push_back(makePod(w, r, generation));
    }
  }
  return pods;
}

sidecar::controller::RestClient& offlineClient() {
  // Never called: the service runs without reflectors and without leadership.
  static auto client = [] {
    sidecar::controller::ClusterConnection c;
    c.server = "https://127.0.0.1:1";
    auto created = sidecar::controller::RestClient::create(c);
    if (!created) {
      std::fprintf(stderr, "client: %s\n", created.error().message.c_str());
      std::abort();
    }
    return std::move(*created);
  }();
  return *client;
}

void BM_PodEventThroughService(benchmark::State& state) {
  sidecar::drift::DriftServiceOptions options;
  options.watch = false;
  sidecar::drift::DriftService service(offlineClient(), options, [] { return false; });
  service.setConfig(config());
  service.start();
  auto* sink = service.sinkFor("pods");
  sink->replace(podEvents(0), "1");
  service.waitIdle(60s);
  int generation = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto events = podEvents(++generation);
    state.ResumeTiming();
    for (auto& e : events) {
      sink->apply(sidecar::controller::WatchEventType::Modified, std::move(e));
    }
    if (!service.waitIdle(60s)) {
      std::abort();
    }
  }
  state.SetItemsProcessed(state.iterations() * kWorkloads * kPodsPerWorkload);
  service.stop();
}
BENCHMARK(BM_PodEventThroughService)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

void BM_PodEventTrackerBaseline(benchmark::State& state) {
  sidecar::drift::DriftTracker tracker;
  tracker.setConfig(config());
  for (const auto& p : podEvents(0)) {
    if (!tracker.upsertPod(p)) {
      std::abort();
    }
  }
  int generation = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto events = podEvents(++generation);
    state.ResumeTiming();
    for (const auto& e : events) {
      if (!tracker.upsertPod(e)) {
        std::abort();
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kWorkloads * kPodsPerWorkload);
}
BENCHMARK(BM_PodEventTrackerBaseline)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

// Issue 6's bound: a template change recomputes 100k cached pods (1000 workloads) in under a
// second, measured from setConfig() to the worker having applied it.
void BM_TemplateChangeThroughService100k(benchmark::State& state) {
  sidecar::drift::DriftServiceOptions options;
  options.watch = false;
  sidecar::drift::DriftService service(offlineClient(), options, [] { return false; });
  service.setConfig(config(0));
  service.start();
  service.sinkFor("pods")->replace(podEvents(0, 1000), "1");
  if (!service.waitIdle(120s)) {
    std::abort();
  }
  int flip = 0;
  for (auto _ : state) {
    service.setConfig(config(++flip % 2));
    if (!service.waitIdle(60s)) {
      std::abort();
    }
  }
  state.counters["pods"] = static_cast<double>(service.inspect([](const auto& t) { return t.pods().size(); }));
  service.stop();
}
BENCHMARK(BM_TemplateChangeThroughService100k)->Unit(benchmark::kMillisecond)->Iterations(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
