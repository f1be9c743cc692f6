#include "controller/drift/drift_tracker.h"

namespace sidecar::drift {

ReasonSet evaluateDrift(const ActualSidecar& actual, const Expectation& expected) {
  ReasonSet reasons;
  if (expected.manual) {
    // Re-created pods get the template's sidecar again, whatever the webhook is set to do,
    // so neither a missing nor an unexpected sidecar is drift. A config kube-inject cannot
    // render is not either: re-creating the pods still works, and re-running kube-inject
    // shows the error to whoever runs it.
    if (!actual.present || expected.renderFailed) {
      return reasons;
    }
    // Pods of a CronJob carry no status annotation (kube-inject puts it on the Job
    // template's metadata), so the template's version stands in.
    const std::string& version = actual.hasStatus ? actual.statusVersion : expected.templateVersion;
    if (version != expected.version) {
      reasons.add(DriftReason::StaleTemplate);
    }
    if (expected.proxyImage && actual.proxyImage != expected.proxyImage) {
      reasons.add(DriftReason::StaleProxyImage);
    }
    return reasons;
  }
  if (!expected.wouldInject()) {
    if (actual.present) {
      reasons.add(DriftReason::UnexpectedSidecar);
    }
    return reasons;
  }
  if (expected.renderFailed) {
    // Nothing to compare against: the only useful fact is that a restart would be refused.
    reasons.add(DriftReason::InjectionWouldFail);
    return reasons;
  }
  if (!actual.present) {
    reasons.add(DriftReason::MissingSidecar);
    return reasons;
  }
  if (!actual.hasStatus || actual.statusVersion != expected.version) {
    reasons.add(DriftReason::StaleTemplate);
  }
  if (expected.proxyImage && actual.proxyImage != expected.proxyImage) {
    reasons.add(DriftReason::StaleProxyImage);
  }
  return reasons;
}

void DriftTracker::setConfig(inject::InjectionConfigPtr config, std::string configHash) {
  config_ = std::move(config);
  configHash_ = !configHash.empty() ? std::move(configHash) : (config_ ? config_->version : std::string());
  recomputeAll();
}

void DriftTracker::setWebhookConfig(std::optional<nlohmann::json> mutatingWebhookConfiguration) {
  webhookConfig_ = std::move(mutatingWebhookConfiguration);
  recomputeAll();
}

Expected<void> DriftTracker::upsertPod(const nlohmann::json& pod) {
  auto record = makePodRecord(pod);
  if (!record) {
    return Unexpected(record.error());
  }
  std::string key = record->key();
  PodDrift& entry = pods_[key];
  entry.pod = std::move(*record);
  evaluate(entry);
  return {};
}

void DriftTracker::removePod(const std::string& namespaceName, const std::string& name) {
  pods_.erase(namespaceName + "/" + name);
}

namespace {

// Webhook selection reads only a namespace's labels; status and annotation updates (and a
// relist that returns the same object) must not re-render its pods.
const nlohmann::json* labelsOf(const nlohmann::json* ns) {
  if (ns == nullptr || !ns->is_object()) {
    return nullptr;
  }
  auto meta = ns->find("metadata");
  if (meta == ns->end() || !meta->is_object()) {
    return nullptr;
  }
  auto labels = meta->find("labels");
  return labels == meta->end() || labels->empty() ? nullptr : &*labels;
}

}  // namespace

Expected<bool> DriftTracker::upsertObject(const nlohmann::json& object) {
  bool isNamespace = false;
  std::string kind;
  if (object.is_object()) {
    auto k = object.find("kind");
    kind = k != object.end() && k->is_string() ? k->get<std::string>() : std::string();
    isNamespace = kind == "Namespace";
  }
  if (kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "Job") {
    return upsertOwner(kind, object);
  }
  std::optional<nlohmann::json> previousLabels;
  bool known = false;
  std::string name;
  if (isNamespace) {
    auto meta = object.find("metadata");
    if (meta != object.end() && meta->is_object()) {
      auto n = meta->find("name");
      name = n != meta->end() && n->is_string() ? n->get<std::string>() : "";
    }
    const nlohmann::json* previous = inventory_.namespaceObject(name);
    known = previous != nullptr;
    if (const auto* l = labelsOf(previous)) {
      previousLabels = *l;
    }
  }
  auto added = inventory_.add(object);
  if (!added) {
    return added;
  }
  if (*added && isNamespace) {
    const nlohmann::json* labels = labelsOf(&object);
    bool same = known && (labels == nullptr ? !previousLabels : previousLabels && *previousLabels == *labels);
    if (!same) {
      recomputeNamespace(name);
    }
  }
  return added;
}

void DriftTracker::removeObject(const std::string& kind, const std::string& namespaceName, const std::string& name) {
  const std::optional<std::string> before = ownerStatus(kind, namespaceName, name);
  inventory_.remove(kind, namespaceName, name);
  if (kind == "Namespace") {
    recomputeNamespace(name);
  } else if (before) {
    recomputeOwned(kind, namespaceName, name);
  }
}

std::optional<std::string> DriftTracker::ownerStatus(const std::string& kind, const std::string& namespaceName,
                                                     const std::string& name) const {
  PodRecord probe;
  probe.namespaceName = namespaceName;
  OwnerRef owner;
  owner.kind = kind;
  owner.name = name;
  probe.controller = std::move(owner);
  return inventory_.templateStatus(probe);
}

Expected<bool> DriftTracker::upsertOwner(const std::string& kind, const nlohmann::json& object) {
  std::string ns, name;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    auto n = meta->find("name");
    name = n != meta->end() && n->is_string() ? n->get<std::string>() : "";
    auto s = meta->find("namespace");
    ns = s != meta->end() && s->is_string() ? s->get<std::string>() : "default";
  }
  const std::optional<std::string> before = ownerStatus(kind, ns, name);
  auto added = inventory_.add(object);
  if (!added) {
    return added;
  }
  // Owners change often (status, replicas); only whether and how their template was
  // injected matters to their pods' expectations.
  if (*added && ownerStatus(kind, ns, name) != before) {
    recomputeOwned(kind, ns, name);
  }
  return added;
}

void DriftTracker::recomputeOwned(const std::string& kind, const std::string& namespaceName, const std::string& name) {
  std::vector<PodDrift*> owned;
  std::string podPrefix = namespaceName + "/";
  for (auto it = pods_.lower_bound(podPrefix); it != pods_.end() && it->first.compare(0, podPrefix.size(), podPrefix) == 0;
       ++it) {
    const auto& controller = it->second.pod.controller;
    if (controller && controller->kind == kind && controller->name == name) {
      cache_.erase(it->second.pod.templateKey);
      owned.push_back(&it->second);
    }
  }
  for (PodDrift* entry : owned) {
    evaluate(*entry);
  }
}

const PodDrift* DriftTracker::find(const std::string& namespaceName, const std::string& name) const {
  auto it = pods_.find(namespaceName + "/" + name);
  return it == pods_.end() ? nullptr : &it->second;
}

void DriftTracker::evaluate(PodDrift& entry) {
  ++stats_.evaluations;
  if (!config_) {
    entry.expected.reset();
    entry.reasons = {};
    return;
  }
  // Pods of deleted ReplicaSets leave entries behind; dropping the cache now and then bounds
  // it without per-entry reference counts.
  if (cache_.size() > 2 * pods_.size() + 1024) {
    cache_.clear();
  }
  auto& cached = cache_[entry.pod.templateKey];
  if (!cached) {
    ++stats_.renders;
    const nlohmann::json* mwc = webhookConfig_ ? &*webhookConfig_ : nullptr;
    // Cached per template key, which names the controller owner, so the owner's template
    // status is the same for every pod sharing the entry.
    cached = std::make_shared<const Expectation>(computeExpectation(
        *config_, entry.pod, inventory_.namespaceObject(entry.pod.namespaceName), mwc,
        inventory_.templateStatus(entry.pod)));
  }
  entry.expected = cached;
  entry.reasons = evaluateDrift(entry.pod.actual, *cached);
}

void DriftTracker::recomputeAll() {
  cache_.clear();
  for (auto& [key, entry] : pods_) {
    evaluate(entry);
  }
}

void DriftTracker::recomputeNamespace(const std::string& namespaceName) {
  // Template keys start with the namespace and a separator no name can contain.
  std::string prefix = namespaceName + '\x1d';
  std::erase_if(cache_, [&](const auto& item) { return item.first.compare(0, prefix.size(), prefix) == 0; });
  std::string podPrefix = namespaceName + "/";
  for (auto it = pods_.lower_bound(podPrefix); it != pods_.end() && it->first.compare(0, podPrefix.size(), podPrefix) == 0;
       ++it) {
    evaluate(it->second);
  }
}

}  // namespace sidecar::drift
