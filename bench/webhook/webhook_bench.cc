// Webhook throughput and latency.
//  * Decode: the AdmissionReview hot path (simdjson DOM + compaction of request.object)
//    against nlohmann::json on the same ~80 KB review, in the same process.
//  * Handle: the whole request function (decode, fake mutate, encode) without a network.
//  * Load: a keep-alive TLS load generator (N connections, bounded duration) against the
//    real server with 1 and 2 worker threads. Mutators: a no-op (skip) answer, a fixed small
//    patch, and the real injector (built-in template, mesh and values) on the sleep sample's
//    pod as the API server sends it, each request with its own service-account volume name
//    and uid, with the admission cache and without it. Reports admissions/s, p50/p99
//    latency, and admissions per second of server CPU (the generator runs in the same
//    process on the same cores, so wall-clock rates understate the server).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <sys/resource.h>
#include "common/file.h"
#include "webhook/admission_review.h"

#include "inject/config.h"
#include "webhook/http_handler.h"
#include "webhook/injector_mutator.h"
#include "webhook/log.h"
#include "webhook/server.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using sidecar::webhook::MutationResult;
using Clock = std::chrono::steady_clock;

const std::string kPatch =
    R"([{"op":"add","path":"/spec/initContainers","value":[{"name":"istio-init","image":"docker.io/istio/proxyv2:1.4.0"}]},)"
    R"({"op":"add","path":"/metadata/annotations","value":{"sidecar.istio.io/status":"{\"version\":\"x\"}"}}])";

// A pod padded with containers and env vars until the review is about targetBytes.
std::string bigReview(size_t targetBytes) {
  nlohmann::json pod = {{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata",
                         {{"name", "productpage-v1-5f9dbcd669-x7k2p"},
                          {"namespace", "bookinfo"},
                          {"labels", {{"app", "productpage"}, {"version", "v1"}}},
                          {"annotations", {{"prometheus.io/scrape", "true"}}}}},
                        {"spec", {{"containers", nlohmann::json::array()}}}};
  nlohmann::json review = {{"apiVersion", "admission.k8s.io/v1"},
                           {"kind", "AdmissionReview"},
                           {"request",
                            {{"uid", "3b5b2a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"},
                             {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                             {"namespace", "bookinfo"},
                             {"operation", "CREATE"},
                             {"object", pod}}}};
  for (int c = 0; review.dump().size() < targetBytes; ++c) {
    nlohmann::json container = {{"name", "app-" + std::to_string(c)},
                                {"image", "docker.io/istio/examples-bookinfo-productpage-v1:1.15.0"},
                                {"ports", {{{"containerPort", 9080 + c}, {"protocol", "TCP"}}}},
                                {"env", nlohmann::json::array()}};
    for (int e = 0; e < 20; ++e) {
      container["env"].push_back({{"name", "VAR_" + std::to_string(e)},
                                  {"value", "value-" + std::to_string(c * 100 + e)}});
    }
    review["request"]["object"]["spec"]["containers"].push_back(container);
  }
  return review.dump();
}

const std::string& review80k() {
  static const std::string review = bigReview(80 << 10);
  return review;
}

class FixedMutator : public sidecar::webhook::PodMutator {
 public:
  explicit FixedMutator(bool patch) : patch_(patch) {}
  MutationResult mutate(const sidecar::webhook::AdmissionRequestView& request) const override {
    benchmark::DoNotOptimize(request.object.data());
    if (patch_) {
      return {MutationResult::Outcome::Patched, kPatch, "", "injected"};
    }
    return {MutationResult::Outcome::Skipped, "", "policy_disabled", "namespace not enabled"};
  }
  bool ready(std::string*) const override { return true; }

 private:
  bool patch_;
};

void BM_DecodeSimdjson(benchmark::State& state) {
  const std::string& body = review80k();
  for (auto _ : state) {
    auto review = sidecar::webhook::decodeAdmissionReview(body);
    benchmark::DoNotOptimize(review->request.object.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["review_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_DecodeSimdjson);

// The share of the decode that is simdjson's validation alone (no field lookups, no
// compaction of the pod).
void BM_SimdjsonParseOnly(benchmark::State& state) {
  const std::string& body = review80k();
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    auto err = parser.parse(body).get(root);
    benchmark::DoNotOptimize(err);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_SimdjsonParseOnly);

// Baseline: the same extraction with nlohmann (parse, pick fields, re-dump the object).
void BM_DecodeNlohmannBaseline(benchmark::State& state) {
  const std::string& body = review80k();
  for (auto _ : state) {
    auto doc = nlohmann::json::parse(body);
    const auto& request = doc.at("request");
    std::string uid = request.at("uid");
    std::string object = request.at("object").dump();
    benchmark::DoNotOptimize(uid.size() + object.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_DecodeNlohmannBaseline);

void BM_HandleInject(benchmark::State& state) {
  const bool patch = state.range(0) != 0;
  const bool big = state.range(1) != 0;
  sidecar::webhook::RequestHandler handler(std::make_shared<FixedMutator>(patch),
                                           std::make_shared<sidecar::webhook::Metrics>(), {});
  const std::string body =
      big ? review80k()
          : R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Pod"},"namespace":"default","operation":"CREATE","object":{"metadata":{"name":"sleep"},"spec":{"containers":[{"name":"sleep","image":"curl"}]}}}})";
  for (auto _ : state) {
    auto response = handler.handle({"POST", "/inject", "application/json", body});
    benchmark::DoNotOptimize(response.body.size());
  }
  state.SetLabel(std::string(patch ? "patch" : "noop") + (big ? "/80KB" : "/small"));
}
BENCHMARK(BM_HandleInject)->Args({0, 0})->Args({1, 0})->Args({1, 1});

// One keep-alive connection of the load generator: write, read, repeat until the deadline.
class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(net::io_context& ioc, net::ssl::context& ctx, const std::vector<std::string>& requests,
                 size_t first, Clock::time_point deadline, std::vector<double>& latencies, std::atomic<int>& errors)
      : stream_(ioc, ctx), requests_(requests), next_(first), deadline_(deadline), latencies_(latencies),
        errors_(errors) {}

  void start(uint16_t port) {
    beast::get_lowest_layer(stream_).async_connect(
        net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) {
            return self->fail();
          }
          self->stream_.async_handshake(net::ssl::stream_base::client,
                                        [self](beast::error_code ec2) {
                                          if (ec2) {
                                            return self->fail();
                                          }
                                          self->send();
                                        });
        });
  }

 private:
  void fail() { errors_.fetch_add(1); }

  void send() {
    if (Clock::now() >= deadline_) {
      return;
    }
    sent_ = Clock::now();
    const std::string& request = requests_[next_++ % requests_.size()];
    net::async_write(stream_, net::buffer(request), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        return self->fail();
      }
      self->parser_.emplace();
      self->parser_->body_limit(1 << 20);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec2, size_t) {
                         if (ec2 || self->parser_->get().result_int() != 200) {
                           return self->fail();
                         }
                         self->latencies_.push_back(
                             std::chrono::duration<double, std::micro>(Clock::now() - self->sent_).count());
                         self->send();
                       });
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  const std::vector<std::string>& requests_;
  size_t next_;
  Clock::time_point deadline_;
  std::vector<double>& latencies_;
  std::atomic<int>& errors_;
  Clock::time_point sent_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

std::string readSource(const std::string& relative) {
  auto text = sidecar::readFile(std::string(SIDECAR_SOURCE_DIR) + "/" + relative);
  if (!text) {
    std::fprintf(stderr, "%s\n", text.error().message.c_str());
    std::abort();
  }
  return std::move(*text);
}

std::string httpRequest(const std::string& body) {
  return "POST /inject HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The sleep sample's pod in distinct AdmissionReviews, as successive replicas reach the webhook:
// each with its own uid and service-account token volume name.
std::vector<std::string> sleepRequests(size_t count) {
  const nlohmann::json pod = nlohmann::json::parse(readSource("bench/testdata/sleep-pod.json"));
  std::vector<std::string> requests;
  for (size_t i = 0; i < count; ++i) {
    std::string suffix = std::to_string(10000 + i);
    std::string text = pod.dump();
    for (size_t at = text.find("x7k2p"); at != std::string::npos; at = text.find("x7k2p", at)) {
      text.replace(at, 5, suffix.substr(suffix.size() - 5));
    }
    nlohmann::json review = {{"apiVersion", "admission.k8s.io/v1"},
                             {"kind", "AdmissionReview"},
                             {"request",
                              {{"uid", "3b5b2a9e-1c2d-4e5f-8a9b-" + std::to_string(100000000000 + i)},
                               {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
                               {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
                               {"namespace", "demo"},
                               {"operation", "CREATE"},
                               {"object", nlohmann::json::parse(text)}}}};
    requests.push_back(httpRequest(review.dump()));
  }
  return requests;
}

enum Mutator { kNoop = 0, kFixedPatch = 1, kInjector = 2, kInjectorNoCache = 3 };

sidecar::webhook::PodMutatorPtr makeMutator(int kind) {
  if (kind == kNoop || kind == kFixedPatch) {
    return std::make_shared<FixedMutator>(kind == kFixedPatch);
  }
  static auto compiled = sidecar::inject::compileConfig(readSource("cmd/defaults/inject-config.yaml"),
                                                        readSource("cmd/defaults/mesh.yaml"),
                                                        readSource("cmd/defaults/values.yaml"));
  if (!compiled) {
    return nullptr;
  }
  sidecar::inject::AdmissionCacheOptions cache;
  if (kind == kInjectorNoCache) {
    cache.maxPodBytes = 0;  // every pod bypasses the cache
  }
  auto config = *compiled;
  return std::make_shared<sidecar::webhook::InjectorMutator>([config] { return config; }, nullptr, cache);
}

double cpuSeconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void BM_LoadTls(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int mutatorKind = static_cast<int>(state.range(1));
  const int connections = static_cast<int>(state.range(2));
  const auto duration = std::chrono::milliseconds(3000);
  sidecar::webhook::logger().setLevel("default", sidecar::webhook::LogLevel::Warn);
  sidecar::webhook::logger().setLevel("webhook", sidecar::webhook::LogLevel::Warn);

  sidecar::webhook::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = threads;
  options.selfSigned = true;
  options.printCaPem = false;
  auto mutator = makeMutator(mutatorKind);
  if (!mutator) {
    state.SkipWithError("the built-in config did not compile");
    return;
  }
  auto server = sidecar::webhook::Server::create(options, mutator);
  if (!server || !(*server)->start()) {
    state.SkipWithError("server did not start");
    return;
  }
  // The same sleep-pod reviews for every mutator, so the no-op baseline pays the same decode.
  const std::vector<std::string> requests = sleepRequests(4096);
  for (auto _ : state) {
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.set_verify_mode(net::ssl::verify_none);
    std::vector<std::vector<double>> latencies(connections);
    std::atomic<int> errors{0};
    const double processCpuBefore = cpuSeconds(RUSAGE_SELF);
    const double clientCpuBefore = cpuSeconds(RUSAGE_THREAD);
    const auto start = Clock::now();
    const auto deadline = start + duration;
    for (int i = 0; i < connections; ++i) {
      std::make_shared<LoadConnection>(ioc, ctx, requests, static_cast<size_t>(i) * 512, deadline, latencies[i],
                                       errors)
          ->start((*server)->port());
    }
    ioc.run();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double serverCpu =
        (cpuSeconds(RUSAGE_SELF) - processCpuBefore) - (cpuSeconds(RUSAGE_THREAD) - clientCpuBefore);
    std::vector<double> all;
    for (auto& l : latencies) {
      all.insert(all.end(), l.begin(), l.end());
    }
    std::sort(all.begin(), all.end());
    state.SetIterationTime(seconds);
    state.counters["adm_per_s"] = static_cast<double>(all.size()) / seconds;
    state.counters["adm_per_server_cpu_s"] = serverCpu > 0 ? static_cast<double>(all.size()) / serverCpu : 0;
    state.counters["p50_us"] = all.empty() ? 0 : all[all.size() / 2];
    state.counters["p99_us"] = all.empty() ? 0 : all[all.size() * 99 / 100];
    state.counters["errors"] = errors.load();
  }
  static const char* kNames[] = {"noop", "fixed-patch", "injector", "injector-uncached"};
  state.SetLabel(std::to_string(threads) + " thread(s), " + kNames[mutatorKind] + ", " + std::to_string(connections) +
                 " conns");
  (*server)->stop();
}
BENCHMARK(BM_LoadTls)
    ->ArgNames({"threads", "mutator", "conns"})
    ->Args({1, kNoop, 8})
    ->Args({1, kInjector, 8})
    ->Args({1, kInjectorNoCache, 8})
    ->Args({2, kNoop, 8})
    ->Args({2, kInjector, 8})
    ->Args({2, kFixedPatch, 8})
    ->Args({2, kInjector, 1})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
