#include "controller/drift/reconciler.h"

#include "controller/drift/cluster_reader.h"
#include "controller/drift/report.h"

namespace sidecar::drift {

namespace ctl = controller;
using nlohmann::json;

namespace {

const ctl::ResourceDescriptor* descriptorOf(const std::string& kind) {
  if (kind == "Deployment") {
    return &ctl::resources::kDeployments;
  }
  if (kind == "StatefulSet") {
    return &ctl::resources::kStatefulSets;
  }
  if (kind == "DaemonSet") {
    return &ctl::resources::kDaemonSets;
  }
  return nullptr;
}

std::string apiVersionOf(const std::string& kind) {
  if (kind == "Pod") {
    return "v1";
  }
  if (kind == "Job" || kind == "CronJob") {
    return "batch/v1";
  }
  return "apps/v1";
}

}  // namespace

DriftReconciler::DriftReconciler(ctl::RestClient& client, ReconcilerOptions options, std::function<bool()> isLeader,
                                 SteadyClock steady, WallClock wall)
    : client_(client),
      options_(std::move(options)),
      isLeader_(std::move(isLeader)),
      steady_(std::move(steady)),
      wall_(std::move(wall)),
      tracker_(std::make_unique<DriftTracker>()),
      events_(client, options_.component),
      planner_(options_.restartPolicy, steady_) {}

void DriftReconciler::setConfig(inject::InjectionConfigPtr config, std::string configHash) {
  tracker_->setConfig(std::move(config), std::move(configHash));
}

Expected<void> DriftReconciler::onUpsert(const json& object) {
  std::string kind = object.value("kind", "");
  if (kind == "Pod") {
    return tracker_->upsertPod(object);
  }
  if (kind == "MutatingWebhookConfiguration") {
    tracker_->setWebhookConfig(object);
    return {};
  }
  auto added = tracker_->upsertObject(object);
  if (!added) {
    return Unexpected(added.error());
  }
  return {};
}

void DriftReconciler::onDelete(const std::string& kind, const std::string& namespaceName, const std::string& name) {
  if (kind == "Pod") {
    tracker_->removePod(namespaceName, name);
  } else if (kind == "MutatingWebhookConfiguration") {
    tracker_->setWebhookConfig(std::nullopt);
  } else {
    tracker_->removeObject(kind, namespaceName, name);
  }
}

Expected<void> DriftReconciler::relist() {
  auto fresh = std::make_unique<DriftTracker>();
  fresh->setConfig(tracker_->config(), tracker_->configHash());
  auto read = readCluster(client_, *fresh);
  if (!read) {
    return Unexpected(read.error());
  }
  tracker_ = std::move(fresh);
  return {};
}

SyncResult DriftReconciler::sync(bool force) {
  SyncResult result;
  if (!isLeader_() || !tracker_->config()) {
    return result;
  }
  const auto now = steady_();
  if (!force && lastWrite_ && now - *lastWrite_ < options_.minWriteInterval) {
    return result;
  }
  lastWrite_ = now;
  result.wrote = true;
  auto summary = std::make_shared<const DriftSummary>(summarize(*tracker_, {options_.injectorNamespace}));
  writeReports(*summary, result);
  emitEvents(*summary, result);
  if (options_.autoRestart) {
    restart(*summary, result);
  }
  result.summary = std::move(summary);
  return result;
}

void DriftReconciler::writeReports(const DriftSummary& summary, SyncResult& result) {
  std::map<std::string, json> existing;
  auto listed = client_.list(kSidecarDriftReports, "");
  if (!listed) {
    result.errors.push_back("listing sidecardriftreports: " + listed.error().message);
    return;
  }
  for (const auto& item : listed->value("items", json::array())) {
    existing[item["metadata"].value("name", "")] = item;
  }
  auto desired = buildReports(summary, formatRfc3339(wall_()));
  for (const ReportWrite& w : planReportWrites(existing, desired)) {
    const std::string path = kSidecarDriftReports.objectPath("", w.name);
    if (w.op == ReportWrite::Op::Delete) {
      if (auto r = client_.remove(kSidecarDriftReports, "", w.name); !r && !r.error().notFound()) {
        result.errors.push_back("deleting report " + w.name + ": " + r.error().message);
        continue;
      }
      ++result.reportWrites;
      continue;
    }
    // The main endpoint drops status on create and update, so status goes through /status
    // with the resourceVersion of the object it replaces.
    json object = w.object;
    if (w.op == ReportWrite::Op::Create) {
      auto created = client_.create(kSidecarDriftReports, "", object);
      if (!created) {
        result.errors.push_back("creating report " + w.name + ": " + created.error().message);
        continue;
      }
      object["metadata"] = (*created)["metadata"];
    } else {
      object["metadata"] = existing[w.name]["metadata"];
    }
    auto put = client_.raw("PUT", path + "/status", object.dump(), "application/json");
    if (!put) {
      result.errors.push_back("updating report " + w.name + " status: " + put.error().message);
      continue;
    }
    if (put->status >= 300) {
      result.errors.push_back("updating report " + w.name + " status: HTTP " + std::to_string(put->status) + ": " +
                              put->body.substr(0, 200));
      continue;
    }
    ++result.reportWrites;
  }
}

void DriftReconciler::emitEvents(const DriftSummary& summary, SyncResult& result) {
  dedup_.retain(summary.workloads);
  for (const WorkloadDrift& w : summary.workloads) {
    if (!dedup_.shouldEmit(w, summary.configHash)) {
      continue;
    }
    ctl::ObjectReference ref{apiVersionOf(w.ref.kind), w.ref.kind, w.ref.namespaceName, w.ref.name, "", ""};
    auto emitted = events_.emitEvent(ref, ctl::EventType::Warning, "SidecarDrift", eventMessage(w));
    if (!emitted) {
      result.errors.push_back("event for " + w.ref.kind + " " + w.ref.namespaceName + "/" + w.ref.name + ": " +
                              emitted.error().message);
      continue;
    }
    ++result.events;
  }
}

void DriftReconciler::restart(const DriftSummary& summary, SyncResult& result) {
  for (const RestartAction& action : planner_.plan(summary)) {
    const std::string target = action.workload.kind + " " + action.workload.namespaceName + "/" + action.workload.name;
    if (action.strategy == RestartStrategy::DeletePodsOneByOne) {
      auto removed = client_.remove(ctl::resources::kPods, action.workload.namespaceName, action.pod);
      if (!removed && !removed.error().notFound()) {
        result.errors.push_back("restarting " + target + " (deleting pod " + action.pod + "): " +
                                removed.error().message);
        planner_.finished(action.workload);
        continue;
      }
    } else {
      const ctl::ResourceDescriptor* rd = descriptorOf(action.workload.kind);
      if (rd == nullptr) {
        planner_.finished(action.workload);
        continue;
      }
      auto patched = client_.patch(*rd, action.workload.namespaceName, action.workload.name,
                                   ctl::PatchType::StrategicMerge, restartPatchBody(formatRfc3339(wall_())));
      if (!patched) {
        result.errors.push_back("restarting " + target + ": " + patched.error().message);
        planner_.finished(action.workload);
        continue;
      }
    }
    result.restarts.push_back(action);
  }
}

}  // namespace sidecar::drift
