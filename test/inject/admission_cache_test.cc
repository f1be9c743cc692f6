// AdmissionCache must give admitPod()'s answer byte for byte while reusing work across pods
// that differ only in their service-account token volume name.

#include "inject/admission_cache.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test/inject/test_fixtures.h"

namespace sidecar::inject {
namespace {

using nlohmann::json;
using testing::compileOrDie;
using testing::kTemplateConfig;

// A ReplicaSet's pod as the API server hands it to mutating webhooks.
json replicaPod(const std::string& tokenVolume) {
  json mounts = json::array({{{"name", "data"}, {"mountPath", "/data"}}});
  json volumes = json::array({{{"name", "data"}, {"emptyDir", json::object()}}});
  if (!tokenVolume.empty()) {
    mounts.push_back({{"name", tokenVolume},
                      {"readOnly", true},
                      {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}});
    volumes.push_back(
        {{"name", tokenVolume},
         {"projected",
          {{"sources", json::array({{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
                                    {{"configMap", {{"name", "kube-root-ca.crt"}}}}})},
           {"defaultMode", 420}}}});
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"generateName", "web-5d8f7c-"},
            {"labels", {{"app", "web"}, {"pod-template-hash", "5d8f7c"}}},
            {"ownerReferences",
             json::array({{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "web-5d8f7c"}, {"controller", true}}})}}},
          {"spec",
           {{"containers",
             json::array({{{"name", "web"},
                           {"image", "nginx"},
                           {"ports", json::array({{{"containerPort", 8080}}})},
                           {"volumeMounts", mounts}}})},
            {"volumes", volumes}}}};
}

void expectSameOutcome(const AdmissionOutcome& got, const AdmissionOutcome& want) {
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.patch, want.patch);
  EXPECT_EQ(got.message, want.message);
  EXPECT_EQ(got.decision.reason, want.decision.reason);
  EXPECT_EQ(got.decision.explanation, want.decision.explanation);
  EXPECT_EQ(got.warnings, want.warnings);
}

TEST(AdmissionCacheTest, PodsDifferingOnlyInTokenVolumeShareOneComputation) {
  auto config = compileOrDie(kTemplateConfig);
  AdmissionCache cache;
  CacheLookup lookup{};
  for (const std::string name : {"kube-api-access-abcde", "kube-api-access-x7k2p", "kube-api-access-00000"}) {
    const std::string pod = replicaPod(name).dump();
    auto cached = cache.admit(config, pod, "prod", &lookup);
    auto direct = admitPod(*config, pod, "prod");
    ASSERT_EQ(direct.kind, AdmissionOutcome::Kind::Patched) << direct.message;
    expectSameOutcome(cached, direct);
    // The webhook copies the token mount into the sidecar: the patch names this pod's volume.
    EXPECT_NE(cached.patch.find(name), std::string::npos);
    EXPECT_EQ(cached.patch.find("SIDECAR-CACHE-PLACEHOLDER"), std::string::npos);
  }
  EXPECT_EQ(lookup, CacheLookup::Hit);
  auto stats = cache.stats();
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(AdmissionCacheTest, IdenticalPodsWithoutTokenVolumeHit) {
  auto config = compileOrDie(kTemplateConfig);
  AdmissionCache cache;
  const std::string pod = replicaPod("").dump();
  CacheLookup first{}, second{};
  auto a = cache.admit(config, pod, "prod", &first);
  auto b = cache.admit(config, pod, "prod", &second);
  EXPECT_EQ(first, CacheLookup::Miss);
  EXPECT_EQ(second, CacheLookup::Hit);
  expectSameOutcome(b, admitPod(*config, pod, "prod"));
  // The namespace is part of the answer (.DeploymentMeta.Namespace), so part of the key.
  CacheLookup other{};
  auto c = cache.admit(config, pod, "staging", &other);
  EXPECT_EQ(other, CacheLookup::Miss);
  expectSameOutcome(c, admitPod(*config, pod, "staging"));
}

// A config whose sidecar carries one env var rendered from `expression`.
InjectionConfigPtr configRendering(const std::string& expression) {
  return compileOrDie(R"(policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: proxy
    env:
    - name: SEEN
      value: |
        )" + expression + "\n");
}

// Templates that look at volume names must not be served a result computed on the placeholder.
class ObservingTemplateTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ObservingTemplateTest, FallsBackToTheRealPod) {
  auto config = configRendering(GetParam());
  AdmissionCache cache;
  for (const std::string name : {"kube-api-access-aaaaa", "kube-api-access-bbbbb"}) {
    const std::string pod = replicaPod(name).dump();
    CacheLookup lookup{};
    auto cached = cache.admit(config, pod, "prod", &lookup);
    EXPECT_EQ(lookup, CacheLookup::Miss);
    auto direct = admitPod(*config, pod, "prod");
    ASSERT_EQ(direct.kind, AdmissionOutcome::Kind::Patched) << direct.message;
    expectSameOutcome(cached, direct);
    EXPECT_EQ(cached.patch.find("PLACEHOLDER"), std::string::npos);
  }
  EXPECT_EQ(cache.stats().placeholderObserved, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Reads, ObservingTemplateTest,
    ::testing::Values("{{ range .Spec.Volumes }}{{ .Name }},{{ end }}",
                      "{{ range .Spec.Containers }}{{ range .VolumeMounts }}{{ len .Name }}{{ end }}{{ end }}",
                      "{{ structToJSON .Spec }}", "{{ toYaml (index .Spec.Containers 0) }}", "{{ .Spec.Volumes }}",
                      "{{ index .Spec.Volumes 1 }}", "{{ printf `%v` .Spec.Containers }}",
                      "{{ if eq (index .Spec.Volumes 1).Name \"kube-api-access-aaaaa\" }}first{{ end }}"));

// Reading around the name is fine: the result cannot depend on it, so it is shared.
TEST(AdmissionCacheTest, TemplatesReadingOtherVolumeFieldsStillShare) {
  auto config =
      configRendering("{{ len .Spec.Volumes }} {{ (index .Spec.Volumes 1).Projected.DefaultMode }} {{ toJSON .Spec }}");  AdmissionCache cache;
  CacheLookup lookup{};
  for (const std::string name : {"kube-api-access-aaaaa", "kube-api-access-bbbbb"}) {
    const std::string pod = replicaPod(name).dump();
    auto cached = cache.admit(config, pod, "prod", &lookup);
    expectSameOutcome(cached, admitPod(*config, pod, "prod"));
  }
  EXPECT_EQ(lookup, CacheLookup::Hit);
  EXPECT_EQ(cache.stats().placeholderObserved, 0u);
}

TEST(AdmissionCacheTest, NameAppearingElsewhereIsNotReplaced) {
  json pod = replicaPod("kube-api-access-abcde");
  pod["metadata"]["annotations"] = {{"note", "kube-api-access-abcde"}};
  EXPECT_EQ(serviceAccountVolumeForCanonicalKey(pod.dump()), "");
  EXPECT_EQ(serviceAccountVolumeForCanonicalKey(replicaPod("kube-api-access-abcde").dump()), "kube-api-access-abcde");
  // A secret volume with the prefix is not the projected token volume.
  json secret = replicaPod("");
  secret["spec"]["volumes"].push_back({{"name", "kube-api-access-zzzzz"}, {"secret", {{"secretName", "s"}}}});
  EXPECT_EQ(serviceAccountVolumeForCanonicalKey(secret.dump()), "");
  // An escaped spelling of the name in the bytes must not be missed by the count.
  std::string escaped = replicaPod("kube-api-access-abcde").dump();
  escaped.replace(escaped.find("\"kube-api-access-abcde\""), 23, "\"kube-api-access-abcd\\u0065\"");
  EXPECT_EQ(serviceAccountVolumeForCanonicalKey(escaped), "");
  EXPECT_EQ(serviceAccountVolumeForCanonicalKey("not json"), "");
}

TEST(AdmissionCacheTest, ConfigChangeEmptiesTheCache) {
  auto first = compileOrDie(kTemplateConfig);
  std::string edited = kTemplateConfig;
  edited.replace(edited.find("/proxy:1"), 8, "/proxy:2");
  auto second = compileOrDie(edited);
  AdmissionCache cache;
  const std::string pod = replicaPod("kube-api-access-abcde").dump();
  auto a = cache.admit(first, pod, "prod");
  CacheLookup lookup{};
  auto b = cache.admit(second, pod, "prod", &lookup);
  EXPECT_EQ(lookup, CacheLookup::Miss);
  EXPECT_NE(b.patch.find("/proxy:2"), std::string::npos);
  EXPECT_EQ(b.patch.find("/proxy:1"), std::string::npos);
  EXPECT_EQ(cache.stats().entries, 1u);
}

// A request that started before a reload must not empty the cache the new config filled.
TEST(AdmissionCacheTest, AnOlderConfigIsAnsweredWithoutTheCache) {
  auto older = compileOrDie(kTemplateConfig);
  auto newer = compileOrDie(kTemplateConfig);
  ASSERT_GT(newer->generation, older->generation);
  AdmissionCache cache;
  const std::string pod = replicaPod("kube-api-access-abcde").dump();
  cache.admit(newer, pod, "prod");
  CacheLookup lookup{};
  expectSameOutcome(cache.admit(older, pod, "prod", &lookup), admitPod(*older, pod, "prod"));
  EXPECT_EQ(lookup, CacheLookup::Bypass);
  cache.admit(newer, pod, "prod", &lookup);
  EXPECT_EQ(lookup, CacheLookup::Hit);
}

TEST(AdmissionCacheTest, SkipsAndFailuresAreCachedFaithfully) {
  auto config = compileOrDie(kTemplateConfig);
  AdmissionCache cache;
  json skipped = replicaPod("kube-api-access-abcde");
  skipped["metadata"]["annotations"] = {{"sidecar.istio.io/inject", "false"}};
  json invalid = replicaPod("kube-api-access-abcde");
  invalid["metadata"]["annotations"] = {{"sidecar.istio.io/interceptionMode", "NOPE"}};
  for (int round = 0; round < 2; ++round) {
    for (const json& pod : {skipped, invalid}) {
      expectSameOutcome(cache.admit(config, pod.dump(), "prod"), admitPod(*config, pod.dump(), "prod"));
    }
    expectSameOutcome(cache.admit(config, "{broken", "prod"), admitPod(*config, "{broken", "prod"));
  }
  EXPECT_EQ(cache.stats().hits, 3u);
}

TEST(AdmissionCacheTest, LargePodsBypassAndMemoryStaysWithinBudget) {
  auto config = compileOrDie(kTemplateConfig);
  AdmissionCache cache({.maxBytes = 64 * 1024, .maxPodBytes = 4096});
  json big = replicaPod("");
  big["metadata"]["annotations"] = {{"filler", std::string(5000, 'x')}};
  CacheLookup lookup{};
  cache.admit(config, big.dump(), "prod", &lookup);
  EXPECT_EQ(lookup, CacheLookup::Bypass);
  for (int i = 0; i < 200; ++i) {
    json pod = replicaPod("");
    pod["metadata"]["labels"]["n"] = std::to_string(i);
    cache.admit(config, pod.dump(), "prod");
  }
  auto stats = cache.stats();
  EXPECT_LE(stats.bytes, 64u * 1024u);
  EXPECT_GT(stats.entries, 0u);
  EXPECT_LT(stats.entries, 200u);
}

TEST(AdmissionCacheTest, ConcurrentAdmissionsAgreeWithTheUncachedPath) {
  auto config = compileOrDie(kTemplateConfig);
  AdmissionCache cache;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string name = "kube-api-access-" + std::to_string(10000 + t * 1000 + i);
        const std::string pod = replicaPod(name).dump();
        const char* ns = i % 2 == 0 ? "prod" : "dev";
        if (cache.admit(config, pod, ns).patch != admitPod(*config, pod, ns).patch) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GE(cache.stats().hits, 390u);
}

}  // namespace
}  // namespace sidecar::inject
