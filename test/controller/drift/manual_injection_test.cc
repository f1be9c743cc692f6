// Workloads injected with kube-inject carry the sidecar in their own pod template. Where the
// webhook leaves their pods alone, a restart brings the same sidecar back, so they must not
// show up as Missing/UnexpectedSidecar with a restart command; a stale manual sidecar is
// reported with the ManualReinject strategy, which is never performed automatically.

#include <chrono>

#include <gtest/gtest.h>

#include "controller/drift/auto_restart.h"
#include "controller/drift/drift_tracker.h"
#include "controller/drift/report.h"
#include "controller/drift/report_sync.h"
#include "controller/drift/workload_summary.h"
#include "drift_fixtures.h"

namespace sidecar::drift {
namespace {

using namespace testing;

constexpr const char* kStatus = "sidecar.istio.io/status";

json statusFor(const std::string& version) {
  return json{{"version", version},
              {"initContainers", json::array()},
              {"containers", {"istio-proxy"}},
              {"volumes", {"istio-envoy"}},
              {"imagePullSecrets", json::array()}};
}

// The ReplicaSet of `deployment`, its pod template injected by kube-inject from `version`
// (empty: not injected).
json replicaSet(const std::string& ns, const std::string& deployment, const std::string& version) {
  json rs = ownedBy(workload("ReplicaSet", ns, deployment + "-abc"), "Deployment", deployment);
  rs["spec"]["template"]["metadata"]["labels"]["app"] = deployment;
  if (!version.empty()) {
    rs["spec"]["template"]["metadata"]["annotations"][kStatus] = statusFor(version).dump();
  }
  return rs;
}

PodBuilder podOf(const std::string& ns, const std::string& deployment, const std::string& suffix = "x") {
  return std::move(PodBuilder(ns, deployment + "-abc-" + suffix)
                       .owner("ReplicaSet", deployment + "-abc")
                       .label("pod-template-hash", "abc")
                       .label("app", deployment));
}

class ManualInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = compileOrDie();
    ASSERT_NE(config_, nullptr);
    tracker_.setConfig(config_);
    tracker_.setWebhookConfig(webhookConfig());
    add(namespaceObject("plain", {}, {{std::string(kAutoRestartAnnotation), "true"}}));
    add(namespaceObject("mesh", {{"istio-injection", "enabled"}}));
  }
  void add(const json& object) {
    if (object.value("kind", "") == "Pod") {
      auto r = tracker_.upsertPod(object);
      ASSERT_TRUE(r.has_value()) << r.error().message;
      return;
    }
    auto r = tracker_.upsertObject(object);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_TRUE(*r);
  }
  const PodDrift& pod(const std::string& ns, const std::string& name) {
    const PodDrift* p = tracker_.find(ns, name);
    EXPECT_NE(p, nullptr) << ns << "/" << name;
    static const PodDrift kNone;
    return p ? *p : kNone;
  }
  std::optional<WorkloadDrift> drifted(const std::string& kind, const std::string& name) {
    for (const auto& w : summarize(tracker_, {"sidecar-injector"}).workloads) {
      if (w.ref.kind == kind && w.ref.name == name) {
        return w;
      }
    }
    return std::nullopt;
  }
  static ReasonSet only(DriftReason r) {
    ReasonSet s;
    s.add(r);
    return s;
  }

  inject::InjectionConfigPtr config_;
  DriftTracker tracker_;
};

TEST_F(ManualInjectionTest, CurrentManualSidecarInAnUnselectedNamespaceIsNotDrift) {
  add(replicaSet("plain", "sleep", config_->version));
  add(podOf("plain", "sleep").injected(config_->version));
  EXPECT_EQ(pod("plain", "sleep-abc-x").reasons, ReasonSet{});
  EXPECT_TRUE(pod("plain", "sleep-abc-x").manual());
  EXPECT_FALSE(drifted("Deployment", "sleep"));

  // The same pod under a template without the annotation: the webhook must have injected it
  // once, and would not now, so it is unexpected (and a restart removes it).
  add(replicaSet("plain", "other", ""));
  add(podOf("plain", "other").injected(config_->version));
  EXPECT_EQ(pod("plain", "other-abc-x").reasons, only(DriftReason::UnexpectedSidecar));
  EXPECT_FALSE(pod("plain", "other-abc-x").manual());
  EXPECT_EQ(drifted("Deployment", "other")->strategy, RestartStrategy::RolloutRestart);
}

TEST_F(ManualInjectionTest, StaleManualTemplateNeedsAManualReinjectNeverAnAutomaticOne) {
  add(replicaSet("plain", "sleep", "old-version"));
  add(podOf("plain", "sleep").injected("old-version"));
  EXPECT_EQ(pod("plain", "sleep-abc-x").reasons, only(DriftReason::StaleTemplate));

  auto w = drifted("Deployment", "sleep");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->strategy, RestartStrategy::ManualReinject);
  EXPECT_EQ(strategyName(w->strategy), "ManualReinject");
  EXPECT_EQ(w->command,
            "sidecar-injector kube-inject -i sidecar-injector -f <manifest of deployment/sleep before injection> | "
            "kubectl -n plain apply -f -");
  EXPECT_FALSE(w->needsRestart());
  // The namespace opted in to automatic restarts, but no restart would help.
  EXPECT_FALSE(w->autoRestart);
  EXPECT_EQ(workloadJson(*w)["restartStrategy"], "ManualReinject");
  EXPECT_EQ(workloadJson(*w)["autoRestart"], false);

  // Even a planner told the workload opted in performs nothing for it.
  auto now = std::chrono::steady_clock::now();
  AutoRestartPlanner planner(AutoRestartPolicy{}, [&] { return now; });
  DriftSummary summary = summarize(tracker_);
  for (auto& d : summary.workloads) {
    d.autoRestart = true;
  }
  EXPECT_TRUE(planner.plan(summary).empty());
  EXPECT_EQ(driftMetrics(summary).workloadsNeedingRestart, 0.0);

  std::string message = eventMessage(*w);
  EXPECT_NE(message.find("StaleTemplate"), std::string::npos) << message;
  EXPECT_NE(message.find("re-inject (never automatic): sidecar-injector kube-inject"), std::string::npos) << message;
  EXPECT_EQ(message.find("restart:"), std::string::npos) << message;
}

TEST_F(ManualInjectionTest, StaleManualProxyImage) {
  add(replicaSet("plain", "sleep", config_->version));
  add(podOf("plain", "sleep").injected(config_->version, "docker.io/istio/proxyv2:1.3.0"));
  EXPECT_EQ(pod("plain", "sleep-abc-x").reasons, only(DriftReason::StaleProxyImage));
  EXPECT_EQ(drifted("Deployment", "sleep")->strategy, RestartStrategy::ManualReinject);
}

TEST_F(ManualInjectionTest, ManualSidecarWithInjectionDisabledByAnnotationIsNotUnexpected) {
  // kube-inject ignores sidecar.istio.io/inject; the webhook honours it and skips the pod.
  json rs = replicaSet("mesh", "tool", config_->version);
  rs["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/inject"] = "false";
  add(rs);
  add(podOf("mesh", "tool").annotation("sidecar.istio.io/inject", "false").injected(config_->version));
  EXPECT_EQ(pod("mesh", "tool-abc-x").reasons, ReasonSet{});
  EXPECT_TRUE(pod("mesh", "tool-abc-x").manual());
}

TEST_F(ManualInjectionTest, WhereTheWebhookInjectsItReplacesAManualSidecarSoARestartFixesIt) {
  // Istio's webhook removes the pieces the status annotation names and injects afresh.
  add(replicaSet("mesh", "sleep", "old-version"));
  add(podOf("mesh", "sleep").injected("old-version"));
  EXPECT_EQ(pod("mesh", "sleep-abc-x").reasons, only(DriftReason::StaleTemplate));
  EXPECT_FALSE(pod("mesh", "sleep-abc-x").manual());
  auto w = drifted("Deployment", "sleep");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->strategy, RestartStrategy::RolloutRestart);
  EXPECT_EQ(w->command, "kubectl -n mesh rollout restart deployment/sleep");
}

TEST_F(ManualInjectionTest, OwnerArrivingOrChangingAfterItsPodsRecomputesThem) {
  add(podOf("plain", "sleep").injected("old-version"));
  add(podOf("plain", "sleep", "y").injected("old-version"));
  EXPECT_EQ(pod("plain", "sleep-abc-x").reasons, only(DriftReason::UnexpectedSidecar));

  add(replicaSet("plain", "sleep", "old-version"));
  EXPECT_EQ(pod("plain", "sleep-abc-x").reasons, only(DriftReason::StaleTemplate));
  EXPECT_EQ(pod("plain", "sleep-abc-y").reasons, only(DriftReason::StaleTemplate));

  // A status-only update of the owner does not re-render its pods.
  const size_t renders = tracker_.stats().renders;
  json rs = replicaSet("plain", "sleep", "old-version");
  rs["status"]["replicas"] = 2;
  add(rs);
  EXPECT_EQ(tracker_.stats().renders, renders);

  // The owner goes away: back to what the pod alone says.
  tracker_.removeObject("ReplicaSet", "plain", "sleep-abc");
  EXPECT_EQ(pod("plain", "sleep-abc-x").reasons, only(DriftReason::UnexpectedSidecar));
}

TEST_F(ManualInjectionTest, BarePodsCannotBeToldApartAndKeepTodaysReport) {
  add(PodBuilder("plain", "manual").injected(config_->version));
  EXPECT_EQ(pod("plain", "manual").reasons, only(DriftReason::UnexpectedSidecar));
  EXPECT_FALSE(pod("plain", "manual").manual());
  EXPECT_EQ(drifted("Pod", "manual")->strategy, RestartStrategy::Recreate);
}

TEST_F(ManualInjectionTest, CronJobsCarryTheStatusOnTheJobTemplateMetadata) {
  // kube-inject of a CronJob annotates spec.jobTemplate.metadata, so the Job (not its pod
  // template) and none of its pods carry the status annotation.
  auto jobFrom = [&](const std::string& version) {
    json job = ownedBy(workload("Job", "plain", "nightly-1"), "CronJob", "nightly");
    job["metadata"]["annotations"][kStatus] = statusFor(version).dump();
    return job;
  };
  json p = PodBuilder("plain", "nightly-1-a").owner("Job", "nightly-1");
  p["spec"]["containers"].push_back({{"name", "istio-proxy"}, {"image", kProxyImage}});
  add(jobFrom(config_->version));
  add(p);
  EXPECT_EQ(pod("plain", "nightly-1-a").reasons, ReasonSet{});

  add(jobFrom("old-version"));
  EXPECT_EQ(pod("plain", "nightly-1-a").reasons, only(DriftReason::StaleTemplate));
  auto w = drifted("CronJob", "nightly");
  ASSERT_TRUE(w);
  // Its next run comes from the same template: a manual re-inject, not "the next run fixes it".
  EXPECT_EQ(w->strategy, RestartStrategy::ManualReinject);
  EXPECT_NE(w->command.find("-f <manifest of cronjob/nightly before injection> | kubectl -n plain apply -f -"), std::string::npos) << w->command;
}

TEST_F(ManualInjectionTest, APodKubeInjectCannotRenderIsNotDriftWhenManual) {
  // Re-creating the pods still works (the webhook is not involved); whoever re-runs
  // kube-inject sees the error.
  add(replicaSet("plain", "sleep", "old-version"));
  add(podOf("plain", "sleep").annotation("sidecar.istio.io/interceptionMode", "BOGUS").injected("old-version"));
  const PodDrift& p = pod("plain", "sleep-abc-x");
  ASSERT_TRUE(p.expected);
  EXPECT_TRUE(p.expected->manual);
  EXPECT_TRUE(p.expected->renderFailed);
  EXPECT_EQ(p.reasons, ReasonSet{});
}

}  // namespace
}  // namespace sidecar::drift
