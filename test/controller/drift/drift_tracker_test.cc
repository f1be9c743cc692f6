#include "controller/drift/drift_tracker.h"

#include <gtest/gtest.h>

#include "drift_fixtures.h"

namespace sidecar::drift {
namespace {

using namespace testing;

class DriftTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = compileOrDie();
    ASSERT_NE(config_, nullptr);
    tracker_.setConfig(config_);
  }
  ReasonSet reasonsOf(const json& pod) {
    auto added = tracker_.upsertPod(pod);
    EXPECT_TRUE(added.has_value()) << (added ? "" : added.error().message);
    const PodDrift* d = tracker_.find(pod["metadata"]["namespace"], pod["metadata"]["name"]);
    EXPECT_NE(d, nullptr);
    return d ? d->reasons : ReasonSet{};
  }
  static ReasonSet only(DriftReason r) {
    ReasonSet s;
    s.add(r);
    return s;
  }

  inject::InjectionConfigPtr config_;
  DriftTracker tracker_;
};

TEST_F(DriftTrackerTest, UpToDatePodHasNoDrift) {
  EXPECT_TRUE(reasonsOf(PodBuilder("ns", "ok").injected(config_->version)).empty());
}

TEST_F(DriftTrackerTest, MissingSidecar) {
  EXPECT_EQ(reasonsOf(PodBuilder("ns", "plain")), only(DriftReason::MissingSidecar));
}

TEST_F(DriftTrackerTest, UnexpectedSidecarWhenAnnotationDisablesInjection) {
  auto pod = PodBuilder("ns", "optout").annotation("sidecar.istio.io/inject", "false").injected(config_->version);
  EXPECT_EQ(reasonsOf(pod), only(DriftReason::UnexpectedSidecar));
  // Without a sidecar the same opt-out pod is fine.
  EXPECT_TRUE(reasonsOf(PodBuilder("ns", "optout2").annotation("sidecar.istio.io/inject", "false")).empty());
}

TEST_F(DriftTrackerTest, StaleTemplate) {
  EXPECT_EQ(reasonsOf(PodBuilder("ns", "old").injected("0123abcd")), only(DriftReason::StaleTemplate));
}

TEST_F(DriftTrackerTest, SidecarWithoutStatusAnnotationIsStaleTemplate) {
  auto pod = PodBuilder("ns", "manual").build();
  pod["spec"]["containers"].push_back({{"name", "istio-proxy"}, {"image", kProxyImage}});
  EXPECT_EQ(reasonsOf(pod), only(DriftReason::StaleTemplate));
}

TEST_F(DriftTrackerTest, StaleProxyImage) {
  auto pod = PodBuilder("ns", "img").injected(config_->version, "docker.io/istio/proxyv2:1.3.0");
  EXPECT_EQ(reasonsOf(pod), only(DriftReason::StaleProxyImage));
}

TEST_F(DriftTrackerTest, StaleTemplateAndImageTogether) {
  auto reasons = reasonsOf(PodBuilder("ns", "both").injected("old", "other:1"));
  EXPECT_TRUE(reasons.has(DriftReason::StaleTemplate));
  EXPECT_TRUE(reasons.has(DriftReason::StaleProxyImage));
  EXPECT_EQ(reasons.list().size(), 2u);
}

TEST_F(DriftTrackerTest, InjectionWouldFail) {
  auto pod = PodBuilder("ns", "bad").annotation("sidecar.istio.io/interceptionMode", "BOGUS").injected("old");
  EXPECT_EQ(reasonsOf(pod), only(DriftReason::InjectionWouldFail));
  const PodDrift* d = tracker_.find("ns", "bad");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->expected->renderError.find("interceptionMode"), std::string::npos) << d->expected->renderError;
}

TEST_F(DriftTrackerTest, ExpectationCarriesRenderedNamesAndImage) {
  reasonsOf(PodBuilder("ns", "p"));
  const PodDrift* d = tracker_.find("ns", "p");
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(d->expected->proxyImage.has_value());
  EXPECT_EQ(*d->expected->proxyImage, kProxyImage);
  EXPECT_EQ(d->expected->containers, std::vector<std::string>{"istio-proxy"});
  EXPECT_EQ(d->expected->volumes, std::vector<std::string>{"istio-envoy"});
  EXPECT_EQ(d->expected->version, config_->version);
}

TEST_F(DriftTrackerTest, HostNetworkPodsAreNotInjected) {
  auto pod = PodBuilder("ns", "host").injected(config_->version).build();
  pod["spec"]["hostNetwork"] = true;
  EXPECT_EQ(reasonsOf(pod), only(DriftReason::UnexpectedSidecar));
}

TEST_F(DriftTrackerTest, WebhookNamespaceSelectorAndNamespaceChange) {
  tracker_.setWebhookConfig(webhookConfig());
  ASSERT_TRUE(tracker_.upsertObject(namespaceObject("apps")).has_value());
  // Not labelled: the API server never calls the webhook, so a sidecar is unexpected.
  EXPECT_EQ(reasonsOf(PodBuilder("apps", "a").injected(config_->version)), only(DriftReason::UnexpectedSidecar));
  EXPECT_TRUE(reasonsOf(PodBuilder("apps", "b")).empty());
  EXPECT_FALSE(tracker_.find("apps", "b")->expected->webhookCalled);

  // Labelling the namespace recomputes its pods.
  ASSERT_TRUE(tracker_.upsertObject(namespaceObject("apps", {{"istio-injection", "enabled"}})).has_value());
  EXPECT_TRUE(tracker_.find("apps", "a")->reasons.empty());
  EXPECT_EQ(tracker_.find("apps", "b")->reasons, only(DriftReason::MissingSidecar));

  // Removing the webhook config makes the tracker assume the webhook is called.
  tracker_.removeObject("Namespace", "", "apps");
  EXPECT_EQ(tracker_.find("apps", "a")->reasons, only(DriftReason::UnexpectedSidecar));
  tracker_.setWebhookConfig(std::nullopt);
  EXPECT_TRUE(tracker_.find("apps", "a")->reasons.empty());
}

TEST_F(DriftTrackerTest, NamespaceUpdatesRecomputeOnlyWhenLabelsChange) {
  tracker_.setWebhookConfig(webhookConfig());
  reasonsOf(PodBuilder("apps", "a"));
  reasonsOf(PodBuilder("other", "b"));
  size_t before = tracker_.stats().evaluations;
  // First sight of the namespace: its pods were evaluated without it.
  ASSERT_TRUE(tracker_.upsertObject(namespaceObject("apps")).has_value());
  EXPECT_EQ(tracker_.stats().evaluations - before, 1u);

  // Annotations (auto-restart opt-in) and status do not change webhook selection.
  before = tracker_.stats().evaluations;
  ASSERT_TRUE(tracker_.upsertObject(namespaceObject("apps", {}, {{"team", "a"}})).has_value());
  EXPECT_EQ(tracker_.stats().evaluations, before);

  ASSERT_TRUE(tracker_.upsertObject(namespaceObject("apps", {{"istio-injection", "enabled"}})).has_value());
  EXPECT_EQ(tracker_.stats().evaluations - before, 1u);
  EXPECT_EQ(tracker_.find("apps", "a")->reasons, only(DriftReason::MissingSidecar));
  // The same labels again (a relist): nothing to do.
  ASSERT_TRUE(tracker_.upsertObject(namespaceObject("apps", {{"istio-injection", "enabled"}})).has_value());
  EXPECT_EQ(tracker_.stats().evaluations - before, 1u);
  // A malformed namespace is an error, not a crash.
  EXPECT_FALSE(tracker_.upsertObject(json{{"kind", "Namespace"}, {"metadata", "x"}}).has_value());
}

TEST_F(DriftTrackerTest, ConfigChangeRecomputesEverything) {
  reasonsOf(PodBuilder("ns", "a").injected(config_->version));
  auto upgraded = compileOrDie(kInjectConfig, kUpgradedValues);
  tracker_.setConfig(upgraded);
  EXPECT_EQ(tracker_.find("ns", "a")->reasons, only(DriftReason::StaleProxyImage));
  auto policyOff = compileOrDie(std::string(kInjectConfig).replace(0, 15, "policy: disabled"));
  tracker_.setConfig(policyOff);
  EXPECT_EQ(tracker_.find("ns", "a")->reasons, only(DriftReason::UnexpectedSidecar));
}

TEST_F(DriftTrackerTest, RendersAreCachedPerPodTemplate) {
  size_t before = tracker_.stats().renders;
  for (int i = 0; i < 50; ++i) {
    auto pod = PodBuilder("ns", "web-abc12-" + std::to_string(i))
                   .owner("ReplicaSet", "web-abc12")
                   .label("app", "web")
                   .label("pod-template-hash", "abc12")
                   .injected(config_->version);
    ASSERT_TRUE(tracker_.upsertPod(pod).has_value());
  }
  EXPECT_EQ(tracker_.stats().renders - before, 1u);
  // StatefulSet pods differ only in their per-pod labels: still one render.
  for (int i = 0; i < 10; ++i) {
    std::string name = "db-" + std::to_string(i);
    ASSERT_TRUE(
        tracker_.upsertPod(PodBuilder("ns", name).owner("StatefulSet", "db").label("statefulset.kubernetes.io/pod-name", name))
            .has_value());
  }
  EXPECT_EQ(tracker_.stats().renders - before, 2u);
  // A different annotation is a different pod template.
  ASSERT_TRUE(tracker_.upsertPod(PodBuilder("ns", "web-abc12-x")
                                     .owner("ReplicaSet", "web-abc12")
                                     .label("app", "web")
                                     .label("pod-template-hash", "abc12")
                                     .annotation("extra", "1"))
                  .has_value());
  EXPECT_EQ(tracker_.stats().renders - before, 3u);
  tracker_.setConfig(compileOrDie(kInjectConfig, kUpgradedValues));
  EXPECT_EQ(tracker_.stats().renders - before, 6u);
}

TEST_F(DriftTrackerTest, PodUpdateAndDelete) {
  reasonsOf(PodBuilder("ns", "p"));
  EXPECT_TRUE(tracker_.find("ns", "p")->drifted());
  reasonsOf(PodBuilder("ns", "p").injected(config_->version));
  EXPECT_FALSE(tracker_.find("ns", "p")->drifted());
  tracker_.removePod("ns", "p");
  EXPECT_EQ(tracker_.find("ns", "p"), nullptr);
  EXPECT_TRUE(tracker_.pods().empty());
}

TEST_F(DriftTrackerTest, NoConfigMeansNoDrift) {
  DriftTracker empty;
  ASSERT_TRUE(empty.upsertPod(PodBuilder("ns", "p")).has_value());
  EXPECT_FALSE(empty.find("ns", "p")->drifted());
  EXPECT_EQ(empty.find("ns", "p")->expected, nullptr);
}

TEST_F(DriftTrackerTest, BadPodsAreErrorsNamingTheField) {
  auto noName = tracker_.upsertPod(json{{"metadata", {{"namespace", "x"}}}});
  ASSERT_FALSE(noName.has_value());
  EXPECT_NE(noName.error().message.find("metadata.name"), std::string::npos);

  auto owners = PodBuilder("ns", "o").build();
  owners["metadata"]["ownerReferences"] = "nope";
  auto badOwners = tracker_.upsertPod(owners);
  ASSERT_FALSE(badOwners.has_value());
  EXPECT_NE(badOwners.error().message.find("ownerReferences"), std::string::npos);

  auto containers = PodBuilder("ns", "c").build();
  containers["spec"]["containers"] = 3;
  auto badContainers = tracker_.upsertPod(containers);
  ASSERT_FALSE(badContainers.has_value());
  EXPECT_NE(badContainers.error().message.find("spec.containers"), std::string::npos);

  EXPECT_FALSE(tracker_.upsertPod(json::array()).has_value());
  EXPECT_TRUE(tracker_.pods().empty());

  // A garbled status annotation is read as "injected from an unknown template", not a crash.
  auto garbled = PodBuilder("ns", "g").injected(config_->version).annotation("sidecar.istio.io/status", "{not json");
  EXPECT_EQ(reasonsOf(garbled), only(DriftReason::StaleTemplate));
}

TEST(PodRecordTest, StripsInjectedPiecesForReinjection) {
  auto config = compileOrDie();
  auto rec = makePodRecord(PodBuilder("ns", "p").injected(config->version));
  ASSERT_TRUE(rec.has_value());
  EXPECT_TRUE(rec->actual.present);
  EXPECT_TRUE(rec->actual.hasStatus);
  EXPECT_EQ(rec->actual.statusVersion, config->version);
  EXPECT_EQ(rec->actual.proxyImage.value_or(""), kProxyImage);
  ASSERT_EQ((*rec->spec)["containers"].size(), 1u);
  EXPECT_EQ((*rec->spec)["containers"][0]["name"], "app");
  EXPECT_TRUE((*rec->spec)["volumes"].empty());
  EXPECT_FALSE((*rec->metadata)["annotations"].contains("sidecar.istio.io/status"));
}

}  // namespace
}  // namespace sidecar::drift
