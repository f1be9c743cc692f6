#include "controller/drift/workload_summary.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace sidecar::drift {

namespace {

using Labels = std::map<std::string, std::string, std::less<>>;

Labels labelsOf(const PodRecord& pod) {
  Labels out;
  auto it = pod.metadata->find("labels");
  if (it != pod.metadata->end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) {
        out.emplace(k, v.get<std::string>());
      }
    }
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The StatefulSet controller replaces pods from the highest ordinal down; deleting in the
// same order keeps the lowest (often the primary) up longest.
long ordinalOf(const std::string& podName) {
  auto dash = podName.rfind('-');
  if (dash == std::string::npos) {
    return -1;
  }
  long value = -1;
  auto [ptr, ec] = std::from_chars(podName.data() + dash + 1, podName.data() + podName.size(), value);
  return ec == std::errc() && ptr == podName.data() + podName.size() ? value : -1;
}

struct Accumulator {
  WorkloadDrift drift;
  std::vector<std::string> restartablePods;  // drifted and still running
  std::vector<const PodRecord*> members;
  bool manual = false;  // a drifted pod's sidecar came from the workload's own template
};

void plan(Accumulator& acc, const Inventory& inventory, const SummaryOptions& options) {
  WorkloadDrift& w = acc.drift;
  const std::string prefix = "kubectl -n " + w.ref.namespaceName + " ";
  const std::string& kind = w.ref.kind;
  auto deleteOneByOne = [&] {
    w.strategy = RestartStrategy::DeletePodsOneByOne;
    w.pods = acc.restartablePods;
    if (kind == "StatefulSet") {
      std::stable_sort(w.pods.begin(), w.pods.end(),
                       [](const std::string& a, const std::string& b) { return ordinalOf(a) > ordinalOf(b); });
    }
    for (const auto& p : w.pods) {
      w.command += (w.command.empty() ? "" : " && ") + prefix + "delete pod " + p + " --wait";
    }
  };
  if (acc.manual && kind != "Job" && kind != "Pod") {
    // A CronJob belongs here too: its next run is created from the same injected template.
    // (A Job's template is immutable, and a bare pod is never taken as manual.) `kubectl get
    // -o yaml | kube-inject` would not do: kube-inject, like istioctl, skips a workload that
    // already has istio-proxy, so the sidecar-free manifest it was created from is needed.
    w.strategy = RestartStrategy::ManualReinject;
    w.command = "sidecar-injector kube-inject" +
                (options.injectorNamespace.empty() ? std::string() : " -i " + options.injectorNamespace) +
                " -f <manifest of " + lower(kind) + "/" + w.ref.name + " before injection> | " +
                prefix + "apply -f -";
  } else if (kind == "Job" || kind == "CronJob" || acc.restartablePods.empty()) {
    // A Job's next run (or a finished pod's replacement) picks up the current config.
    w.strategy = RestartStrategy::None;
  } else if (kind == "Deployment") {
    w.strategy = RestartStrategy::RolloutRestart;
    w.command = prefix + "rollout restart deployment/" + w.ref.name;
  } else if (kind == "StatefulSet" || kind == "DaemonSet") {
    if (inventory.updateStrategy(w.ref) == "OnDelete") {
      deleteOneByOne();
    } else {
      w.strategy = RestartStrategy::RolloutRestart;
      w.command = prefix + "rollout restart " + lower(kind) + "/" + w.ref.name;
    }
  } else if (kind == "Pod") {
    w.strategy = RestartStrategy::Recreate;
    w.command = prefix + "delete pod " + w.ref.name + "  # then re-create it from its manifest";
  } else {
    // A bare ReplicaSet or another controller: it replaces deleted pods from its template.
    deleteOneByOne();
  }

  for (const PdbInfo& pdb : inventory.pdbs(w.ref.namespaceName)) {
    bool matches = pdb.selectsAll;
    for (size_t i = 0; !matches && i < acc.members.size(); ++i) {
      matches = pdb.selector.matches(labelsOf(*acc.members[i]));
    }
    if (matches) {
      w.pdb = PdbRef{pdb.name, pdb.allowedDisruptions};
      break;
    }
  }
  // Opting in cannot make the operator re-inject a manifest it does not have.
  w.autoRestart = w.strategy != RestartStrategy::ManualReinject && inventory.autoRestartEnabled(w.ref);
}

}  // namespace

std::string_view strategyName(RestartStrategy s) {
  switch (s) {
    case RestartStrategy::RolloutRestart:
      return "RolloutRestart";
    case RestartStrategy::DeletePodsOneByOne:
      return "DeletePodsOneByOne";
    case RestartStrategy::Recreate:
      return "Recreate";
    case RestartStrategy::ManualReinject:
      return "ManualReinject";
    case RestartStrategy::None:
      return "None";
  }
  return "None";
}

bool impactOrder(const WorkloadDrift& a, const WorkloadDrift& b) {
  if (a.driftedPods != b.driftedPods) {
    return a.driftedPods > b.driftedPods;
  }
  return std::tie(a.ref.namespaceName, a.ref.name, a.ref.kind) < std::tie(b.ref.namespaceName, b.ref.name, b.ref.kind);
}

DriftSummary summarize(const DriftTracker& tracker, const SummaryOptions& options) {
  DriftSummary summary;
  summary.configHash = tracker.configHash();
  const Inventory& inventory = tracker.inventory();
  std::map<WorkloadRef, Accumulator> workloads;
  std::map<std::string, NamespaceDrift> namespaces;

  for (const auto& [key, entry] : tracker.pods()) {
    const PodRecord& pod = entry.pod;
    NamespaceDrift& ns = namespaces[pod.namespaceName];
    ns.name = pod.namespaceName;
    ++ns.totalPods;
    ++summary.totalPods;
    WorkloadRef ref = inventory.resolveOwner(pod);
    Accumulator& acc = workloads[ref];
    acc.drift.ref = ref;
    ++acc.drift.totalPods;
    acc.members.push_back(&pod);
    if (!entry.drifted()) {
      continue;
    }
    ++ns.driftedPods;
    ++summary.driftedPods;
    ++acc.drift.driftedPods;
    acc.drift.reasons.merge(entry.reasons);
    acc.manual = acc.manual || entry.manual();
    for (DriftReason r : entry.reasons.list()) {
      ++ns.reasonCounts[static_cast<size_t>(r)];
      ++summary.reasonCounts[static_cast<size_t>(r)];
    }
    if (!pod.completed()) {
      acc.restartablePods.push_back(pod.name);
    }
  }

  for (auto& [ref, acc] : workloads) {
    if (acc.drift.driftedPods == 0) {
      continue;
    }
    plan(acc, inventory, options);
    namespaces[ref.namespaceName].workloads.push_back(acc.drift);
    summary.workloads.push_back(std::move(acc.drift));
  }
  std::sort(summary.workloads.begin(), summary.workloads.end(), impactOrder);
  for (auto& [name, ns] : namespaces) {
    std::sort(ns.workloads.begin(), ns.workloads.end(), impactOrder);
    summary.namespaces.push_back(std::move(ns));
  }
  return summary;
}

}  // namespace sidecar::drift
