#include "test/apiserver/deployment_controller.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <random>

namespace sidecar::testapi {

using nlohmann::json;

namespace {

constexpr const char* kNodeName = "test-node";
// What the ReplicaSet controller's client sends; kube-apiserver names the pod's field manager
// after its first word.
constexpr const char* kControllerUserAgent =
    "kube-controller-manager/v1.30.0 (linux/amd64) "
    "kubernetes/test/system:serviceaccount:kube-system:replicaset-controller";

std::string str(const json& o, const char* key) {
  if (!o.is_object()) {
    return "";
  }
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& meta(const json& o) {
  static const json kEmpty = json::object();
  auto it = o.find("metadata");
  return it != o.end() && it->is_object() ? *it : kEmpty;
}

// The ownerReference with controller: true, or null.
json controllerRef(const json& o) {
  const json& m = meta(o);
  auto refs = m.find("ownerReferences");
  if (refs == m.end() || !refs->is_array()) {
    return nullptr;
  }
  for (const auto& ref : *refs) {
    if (ref.is_object() && ref.value("controller", false)) {
      return ref;
    }
  }
  return nullptr;
}

std::string ownerUid(const json& o, const std::string& kind) {
  json ref = controllerRef(o);
  return ref.is_object() && str(ref, "kind") == kind ? str(ref, "uid") : "";
}

std::vector<json> listItems(ObjectStore& store, const std::string& path) {
  ApiResponse res = store.request("GET", path);
  std::vector<json> out;
  if (res.status != 200) {
    return out;
  }
  json list = json::parse(res.body, nullptr, false);
  if (list.is_object() && list["items"].is_array()) {
    for (auto& item : list["items"]) {
      out.push_back(std::move(item));
    }
  }
  return out;
}

std::string statusMessage(const ApiResponse& res) {
  json status = json::parse(res.body, nullptr, false);
  const std::string message = status.is_object() ? str(status, "message") : "";
  return message.empty() ? "HTTP " + std::to_string(res.status) : message;
}

// Keeps a condition's timestamps while its status is unchanged, so an unchanged state
// writes an identical object (a no-op for the store, hence no event and no new pass).
json stableConditions(json desired, const json& existing) {
  const std::string now = nowRfc3339();
  for (auto& c : desired) {
    std::string since = now;
    if (existing.is_array()) {
      for (const auto& e : existing) {
        if (str(e, "type") == str(c, "type") && str(e, "status") == str(c, "status") &&
            !str(e, "lastTransitionTime").empty()) {
          since = str(e, "lastTransitionTime");
        }
      }
    }
    c["lastTransitionTime"] = since;
  }
  return desired;
}

constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";

int64_t revisionOf(const json& rs) {
  const std::string text =
      meta(rs).value("annotations", json::object()).value(kRevisionAnnotation, "");
  return text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
                 text.size() > 12
             ? 0
             : std::stoll(text);
}

int64_t desiredReplicas(const json& o) {
  const json spec = o.value("spec", json::object());
  auto it = spec.find("replicas");
  return it != spec.end() && it->is_number_integer() ? std::max<int64_t>(0, it->get<int64_t>()) : 1;
}

}  // namespace

std::string podTemplateHash(const json& podTemplate) {
  // FNV-1a over the canonical dump: nlohmann objects keep keys sorted.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : podTemplate.dump()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 10);
}

DeploymentController::DeploymentController(ObjectStore& store, MutatingAdmission& admission)
    : store_(store), admission_(admission) {}

DeploymentController::~DeploymentController() {
  stop();
}

void DeploymentController::start() {
  for (const auto& type : builtinResources()) {
    if (type.resource != "deployments" && type.resource != "replicasets" &&
        type.resource != "pods" && type.resource != "namespaces" &&
        type.resource != "mutatingwebhookconfigurations") {
      continue;
    }
    WatchSpec spec;
    spec.type = &type;
    spec.resourceVersion = std::to_string(store_.resourceVersion());
    // Called under the store's lock: only flag the change.
    auto start = store_.startWatch(spec, [this](std::string) {
      std::lock_guard lock(mutex_);
      dirty_ = true;
      wake_.notify_one();
    });
    watchIds_.push_back(start.id);
  }
  thread_ = std::thread([this] { run(); });
}

void DeploymentController::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    wake_.notify_one();
  }
  for (uint64_t id : watchIds_) {
    store_.stopWatch(id);
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

uint64_t DeploymentController::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void DeploymentController::run() {
  bool retry = false;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      auto ready = [&] { return dirty_ || stopping_; };
      if (retry) {
        wake_.wait_for(lock, std::chrono::seconds(1), ready);
      } else {
        wake_.wait(lock, ready);
      }
      if (stopping_) {
        return;
      }
      dirty_ = false;
    }
    retry = !reconcileAll();
  }
}

bool DeploymentController::reconcileAll() {
  const auto deployments = listItems(store_, "/apis/apps/v1/deployments");
  const auto replicaSets = listItems(store_, "/apis/apps/v1/replicasets");
  const auto pods = listItems(store_, "/api/v1/pods");
  bool ok = true;
  for (const auto& d : deployments) {
    ok = reconcileDeployment(d, replicaSets, pods) && ok;
  }
  collectGarbage(deployments);
  std::lock_guard lock(mutex_);
  ++passes_;
  return ok;
}

bool DeploymentController::reconcileDeployment(const json& d, const std::vector<json>& replicaSets,
                                               const std::vector<json>& pods) {
  const std::string ns = str(meta(d), "namespace");
  const std::string name = str(meta(d), "name");
  const std::string uid = str(meta(d), "uid");
  const json spec = d.value("spec", json::object());
  if (!spec.contains("template") || !spec["template"].is_object()) {
    return true;
  }
  knownDeployments_.insert(uid);
  const json& podTemplate = spec["template"];
  const std::string hash = podTemplateHash(podTemplate);
  const std::string rsName = name + "-" + hash;
  const int64_t replicas = desiredReplicas(d);

  json newRs;
  std::vector<json> oldRs;
  for (const auto& rs : replicaSets) {
    if (str(meta(rs), "namespace") != ns || ownerUid(rs, "Deployment") != uid) {
      continue;
    }
    if (str(meta(rs), "name") == rsName) {
      newRs = rs;
    } else {
      oldRs.push_back(rs);
    }
  }
  const std::string rsBase = "/apis/apps/v1/namespaces/" + ns + "/replicasets";
  // deployment.kubernetes.io/revision numbers the templates, as `kubectl rollout history` shows.
  int64_t lastRevision = 0;
  for (const auto& rs : oldRs) {
    lastRevision = std::max(lastRevision, revisionOf(rs));
  }
  if (newRs.is_null()) {
    json labels = podTemplate.value("metadata", json::object()).value("labels", json::object());
    labels["pod-template-hash"] = hash;
    json rsTemplate = podTemplate;
    rsTemplate["metadata"]["labels"] = labels;
    json selector = spec.value("selector", json::object());
    selector["matchLabels"]["pod-template-hash"] = hash;
    json rs = {
        {"apiVersion", "apps/v1"},
        {"kind", "ReplicaSet"},
        {"metadata",
         {{"name", rsName},
          {"namespace", ns},
          {"labels", labels},
          {"annotations", {{kRevisionAnnotation, std::to_string(lastRevision + 1)}}},
          {"ownerReferences",
           {{{"apiVersion", "apps/v1"},
             {"kind", "Deployment"},
             {"name", name},
             {"uid", uid},
             {"controller", true},
             {"blockOwnerDeletion", true}}}}}},
        {"spec", {{"replicas", replicas}, {"selector", selector}, {"template", rsTemplate}}}};
    ApiResponse res = store_.request("POST", rsBase, rs.dump());
    if (res.status != 201) {
      return false;
    }
    newRs = json::parse(res.body);
    recordEvent(d, "Normal", "ScalingReplicaSet",
                "Scaled up replica set " + rsName + " to " + std::to_string(replicas));
  }
  const std::string revision = std::to_string(std::max(revisionOf(newRs), lastRevision + 1));
  if (meta(newRs).value("annotations", json::object()).value(kRevisionAnnotation, "") != revision) {
    // A template reverted to an older ReplicaSet's makes that one the newest revision.
    store_.request("PATCH", rsBase + "/" + rsName,
                   json{{"metadata", {{"annotations", {{kRevisionAnnotation, revision}}}}}}.dump(),
                   "application/merge-patch+json");
  }
  if (meta(d).value("annotations", json::object()).value(kRevisionAnnotation, "") != revision) {
    store_.request("PATCH", "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name,
                   json{{"metadata", {{"annotations", {{kRevisionAnnotation, revision}}}}}}.dump(),
                   "application/merge-patch+json");
  }
  const std::string rsUid = str(meta(newRs), "uid");
  managedReplicaSets_.insert(rsUid);
  if (desiredReplicas(newRs) != replicas) {
    store_.request("PATCH", rsBase + "/" + rsName, json{{"spec", {{"replicas", replicas}}}}.dump(),
                   "application/merge-patch+json");
  }

  std::vector<std::string> current;
  for (const auto& pod : pods) {
    if (str(meta(pod), "namespace") == ns && ownerUid(pod, "ReplicaSet") == rsUid) {
      current.push_back(str(meta(pod), "name"));
    }
  }
  std::string failure;
  while (static_cast<int64_t>(current.size()) < replicas) {
    failure = createPod(newRs);
    if (!failure.empty()) {
      if (lastFailure_[rsUid] != failure) {
        recordEvent(newRs, "Warning", "FailedCreate", failure);
      }
      lastFailure_[rsUid] = failure;
      break;
    }
    lastFailure_.erase(rsUid);
    current.push_back("");
  }
  while (static_cast<int64_t>(current.size()) > replicas) {
    store_.request("DELETE", "/api/v1/namespaces/" + ns + "/pods/" + current.back());
    current.pop_back();
  }
  const int64_t ready = static_cast<int64_t>(current.size());
  json rsConditions = json::array();
  if (!failure.empty()) {
    rsConditions.push_back({{"type", "ReplicaFailure"},
                            {"status", "True"},
                            {"reason", "FailedCreate"},
                            {"message", failure}});
  }
  json rsStatus = {{"replicas", ready},
                   {"fullyLabeledReplicas", ready},
                   {"readyReplicas", ready},
                   {"availableReplicas", ready},
                   {"observedGeneration", meta(newRs).value("generation", 1)}};
  const json existingRsConditions =
      newRs.value("status", json::object()).value("conditions", json());
  rsStatus["conditions"] =
      rsConditions.empty() ? json() : stableConditions(rsConditions, existingRsConditions);
  store_.request("PATCH", rsBase + "/" + rsName + "/status", json{{"status", rsStatus}}.dump(),
                 "application/merge-patch+json");

  // Old ReplicaSets go only once the new one has all its pods.
  int64_t oldPods = 0;
  for (const auto& rs : oldRs) {
    const std::string oldUid = str(meta(rs), "uid");
    managedReplicaSets_.insert(oldUid);
    int64_t count = 0;
    for (const auto& pod : pods) {
      if (str(meta(pod), "namespace") == ns && ownerUid(pod, "ReplicaSet") == oldUid) {
        if (failure.empty()) {
          store_.request("DELETE", "/api/v1/namespaces/" + ns + "/pods/" + str(meta(pod), "name"));
        } else {
          ++count;
        }
      }
    }
    oldPods += count;
    if (failure.empty() && desiredReplicas(rs) != 0) {
      recordEvent(d, "Normal", "ScalingReplicaSet",
                  "Scaled down replica set " + str(meta(rs), "name") + " to 0");
    }
    if (failure.empty()) {
      const std::string path = rsBase + "/" + str(meta(rs), "name");
      store_.request("PATCH", path, json{{"spec", {{"replicas", 0}}}}.dump(),
                     "application/merge-patch+json");
      store_.request("PATCH", path + "/status",
                     json{{"status",
                           {{"replicas", 0},
                            {"fullyLabeledReplicas", 0},
                            {"readyReplicas", 0},
                            {"availableReplicas", 0},
                            {"conditions", nullptr}}}}
                         .dump(),
                     "application/merge-patch+json");
    }
  }

  const json existing = d.value("status", json::object()).value("conditions", json());
  json conditions = json::array();
  conditions.push_back({{"type", "Available"},
                        {"status", ready + oldPods >= replicas ? "True" : "False"},
                        {"reason", ready + oldPods >= replicas ? "MinimumReplicasAvailable"
                                                               : "MinimumReplicasUnavailable"},
                        {"message", "Deployment has minimum availability."}});
  if (failure.empty()) {
    conditions.push_back(
        {{"type", "Progressing"},
         {"status", "True"},
         {"reason", "NewReplicaSetAvailable"},
         {"message", "ReplicaSet \"" + rsName + "\" has successfully progressed."}});
  } else {
    conditions.push_back({{"type", "ReplicaFailure"},
                          {"status", "True"},
                          {"reason", "FailedCreate"},
                          {"message", failure}});
  }
  conditions = stableConditions(conditions, existing);
  for (auto& c : conditions) {
    c["lastUpdateTime"] = c["lastTransitionTime"];
  }
  json status = {{"observedGeneration", meta(d).value("generation", 1)},
                 {"replicas", ready + oldPods},
                 {"updatedReplicas", ready},
                 {"readyReplicas", ready + oldPods},
                 {"availableReplicas", ready + oldPods},
                 {"conditions", conditions}};
  if (replicas > ready) {
    status["unavailableReplicas"] = replicas - ready;
  } else {
    status["unavailableReplicas"] = nullptr;
  }
  store_.request("PATCH", "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name + "/status",
                 json{{"status", status}}.dump(), "application/merge-patch+json");
  return failure.empty();
}

std::string DeploymentController::createPod(const json& rs) {
  const std::string ns = str(meta(rs), "namespace");
  const std::string rsName = str(meta(rs), "name");
  const json podTemplate = rs.value("spec", json::object()).value("template", json::object());
  const json templateMeta = podTemplate.value("metadata", json::object());
  // Like the ReplicaSet controller: no name, only generateName (the API server names the pod
  // after admission) and no namespace in the body (the URL carries it).
  json podMeta = {{"generateName", rsName + "-"},
                  {"ownerReferences",
                   {{{"apiVersion", "apps/v1"},
                     {"kind", "ReplicaSet"},
                     {"name", rsName},
                     {"uid", str(meta(rs), "uid")},
                     {"controller", true},
                     {"blockOwnerDeletion", true}}}}};
  for (const char* key : {"labels", "annotations"}) {
    if (templateMeta.contains(key) && templateMeta[key].is_object()) {
      podMeta[key] = templateMeta[key];
    }
  }
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", podMeta},
              {"spec", podTemplate.value("spec", json::object())}};
  ApiRequest req;
  req.method = "POST";
  req.path = "/api/v1/namespaces/" + ns + "/pods";
  req.body = pod.dump();
  req.contentType = "application/json";
  req.userAgent = kControllerUserAgent;
  ApiResponse res = admission_.createPod(req, ns);
  if (res.status != 201) {
    return "Error creating: " + statusMessage(res);
  }
  const json created = json::parse(res.body);
  recordEvent(rs, "Normal", "SuccessfulCreate", "Created pod: " + str(meta(created), "name"));
  // What the scheduler and kubelet would do next, at once.
  const std::string now = nowRfc3339();
  json containerStatuses = json::array();
  for (const auto& c : created["spec"].value("containers", json::array())) {
    containerStatuses.push_back({{"name", str(c, "name")},
                                 {"image", str(c, "image")},
                                 {"imageID", ""},
                                 {"ready", true},
                                 {"started", true},
                                 {"restartCount", 0},
                                 {"state", {{"running", {{"startedAt", now}}}}}});
  }
  json ready = {{"status", "True"}, {"lastTransitionTime", now}};
  json conditions = json::array();
  for (const char* type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
    json c = ready;
    c["type"] = type;
    conditions.push_back(c);
  }
  json patch = {{"spec", {{"nodeName", kNodeName}}},
                {"status",
                 {{"phase", "Running"},
                  {"hostIP", "10.0.0.1"},
                  {"podIP", "10.1.0." + std::to_string(1 + std::random_device{}() % 250)},
                  {"startTime", now},
                  {"conditions", conditions},
                  {"containerStatuses", containerStatuses}}}};
  store_.request("PATCH",
                 "/api/v1/namespaces/" + ns + "/pods/" + str(meta(created), "name") + "/status",
                 patch.dump(), "application/merge-patch+json");
  return "";
}

void DeploymentController::recordEvent(const json& object, const std::string& type,
                                       const std::string& reason, const std::string& message) {
  const json& m = meta(object);
  const std::string ns = str(m, "namespace");
  const std::string now = nowRfc3339();
  const std::string component =
      str(object, "kind") == "Deployment" ? "deployment-controller" : "replicaset-controller";
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"generateName", str(m, "name") + "."}, {"namespace", ns}}},
                {"involvedObject",
                 {{"apiVersion", str(object, "apiVersion")},
                  {"kind", str(object, "kind")},
                  {"name", str(m, "name")},
                  {"namespace", ns},
                  {"uid", str(m, "uid")}}},
                {"type", type},
                {"reason", reason},
                {"message", message},
                {"source", {{"component", component}}},
                {"firstTimestamp", now},
                {"lastTimestamp", now},
                {"count", 1}};
  store_.request("POST", "/api/v1/namespaces/" + ns + "/events", event.dump());
}

void DeploymentController::collectGarbage(const std::vector<json>& deployments) {
  std::set<std::string> liveDeployments;
  for (const auto& d : deployments) {
    liveDeployments.insert(str(meta(d), "uid"));
  }
  std::set<std::string> liveReplicaSets;
  for (const auto& rs : listItems(store_, "/apis/apps/v1/replicasets")) {
    const std::string owner = ownerUid(rs, "Deployment");
    if (!owner.empty() && knownDeployments_.count(owner) && !liveDeployments.count(owner)) {
      store_.request("DELETE", "/apis/apps/v1/namespaces/" + str(meta(rs), "namespace") +
                                   "/replicasets/" + str(meta(rs), "name"));
      continue;
    }
    liveReplicaSets.insert(str(meta(rs), "uid"));
  }
  for (const auto& pod : listItems(store_, "/api/v1/pods")) {
    const std::string owner = ownerUid(pod, "ReplicaSet");
    if (!owner.empty() && managedReplicaSets_.count(owner) && !liveReplicaSets.count(owner)) {
      store_.request("DELETE", "/api/v1/namespaces/" + str(meta(pod), "namespace") + "/pods/" +
                                   str(meta(pod), "name"));
    }
  }
}

}  // namespace sidecar::testapi
