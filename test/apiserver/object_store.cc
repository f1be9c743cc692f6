#include "test/apiserver/object_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <sstream>

#include "kube/json_patch.h"
#include "test/apiserver/random_names.h"

namespace sidecar::testapi {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxHistory = 20000;

std::string objectKey(const std::string& ns, const std::string& name) { return ns + "/" + name; }

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) {
        out.push_back(std::move(cur));
      }
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) {
    out.push_back(std::move(cur));
  }
  return out;
}

json withoutMetaAndStatus(const json& o) {
  json copy = o;
  copy.erase("metadata");
  copy.erase("status");
  return copy;
}

bool allNamed(const json& list) {
  if (!list.is_array() || list.empty()) {
    return false;
  }
  for (const auto& item : list) {
    if (!item.is_object() || !item.contains("name")) {
      return false;
    }
  }
  return true;
}

json stripDirectives(json v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (!it.key().empty() && it.key().front() == '$') {
        it = v.erase(it);
      } else {
        *it = stripDirectives(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v) {
      item = stripDirectives(item);
    }
  }
  return v;
}

// Strategic merge patch, simplified: lists whose items all carry "name" merge by name
// (honouring {"$patch": "delete"}); every other list is replaced; other "$" directives
// ($setElementOrder, $retainKeys...) are ignored.
json strategicMerge(json target, const json& patch) {
  if (!patch.is_object()) {
    return stripDirectives(patch);
  }
  if (!target.is_object()) {
    target = json::object();
  }
  for (const auto& [k, v] : patch.items()) {
    if (!k.empty() && k.front() == '$') {
      continue;
    }
    if (v.is_null()) {
      target.erase(k);
    } else if (v.is_array() && target.contains(k) && allNamed(target[k]) && allNamed(v)) {
      json merged = target[k];
      for (const auto& item : v) {
        const json name = item["name"];
        auto found = std::find_if(merged.begin(), merged.end(), [&](const json& m) { return m["name"] == name; });
        if (item.value("$patch", "") == "delete") {
          if (found != merged.end()) {
            merged.erase(found);
          }
        } else if (found != merged.end()) {
          *found = strategicMerge(*found, item);
        } else {
          merged.push_back(stripDirectives(item));
        }
      }
      target[k] = std::move(merged);
    } else if (v.is_object()) {
      target[k] = strategicMerge(target.contains(k) ? target[k] : json::object(), v);
    } else {
      target[k] = stripDirectives(v);
    }
  }
  return target;
}

std::string ageText(const std::string& created) {
  std::tm tm{};
  std::istringstream ss(created);
  ss >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  if (ss.fail()) {
    return "<unknown>";
  }
  const auto then = timegm(&tm);
  const auto secs = std::max<long>(0, static_cast<long>(std::time(nullptr) - then));
  if (secs < 120) {
    return std::to_string(secs) + "s";
  }
  if (secs < 7200) {
    return std::to_string(secs / 60) + "m";
  }
  if (secs < 172800) {
    return std::to_string(secs / 3600) + "h";
  }
  return std::to_string(secs / 86400) + "d";
}

std::string eventLine(const std::string& type, const json& object) {
  return json{{"type", type}, {"object", object}}.dump() + "\n";
}

std::string notFoundMessage(const ResourceType& t, const std::string& name) {
  return t.resource + (t.group.empty() ? "" : "." + t.group) + " \"" + name + "\" not found";
}

}  // namespace

std::string nowRfc3339() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string statusBody(int code, const std::string& reason, const std::string& message) {
  return json{{"kind", "Status"},     {"apiVersion", "v1"},  {"metadata", json::object()},
              {"status", "Failure"},  {"message", message},  {"reason", reason},
              {"code", code}}
      .dump();
}

ApiResponse statusResponse(int code, const std::string& reason, const std::string& message) {
  ApiResponse r;
  r.status = code;
  r.body = statusBody(code, reason, message);
  return r;
}

const std::vector<ResourceType>& builtinResources() {
  static const std::vector<ResourceType> kTypes = {
      {"", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}},
      {"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}},
      {"", "v1", "events", "event", "Event", true, {"ev"}},
      {"", "v1", "services", "service", "Service", true, {"svc"}},
      {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}},
      {"", "v1", "secrets", "secret", "Secret", true, {}},
      {"apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}},
      {"apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}},
      {"apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}},
      {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}},
      {"batch", "v1", "jobs", "job", "Job", true, {}},
      {"batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}},
      {"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration",
       "MutatingWebhookConfiguration", false, {}},
      {"coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}},
      {"rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, {}},
      {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false,
       {}},
      {"rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, {}},
      {"policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, {"pdb"}},
      // The project's own CRD (crds/sidecardriftreports.yaml), served as if installed. A
      // PUT to /status updates the object like a PUT to the object itself.
      {"sidecar.injector.dev", "v1alpha1", "sidecardriftreports", "sidecardriftreport", "SidecarDriftReport",
       false, {"sdr"}},
      {"rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, {}},
      // Stored so `kubectl apply -f crds/` works; the CRDs it installs are not served from it.
      {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
       "CustomResourceDefinition", false, {"crd", "crds"}},
  };
  return kTypes;
}

ObjectStore::ObjectStore() {
  const ResourceType* nsType = &builtinResources()[1];
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json ns = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata",
                {{"name", name},
                 {"uid", newUid()},
                 {"resourceVersion", std::to_string(++rv_)},
                 {"creationTimestamp", nowRfc3339()},
                 {"labels", {{"kubernetes.io/metadata.name", name}}}}},
               {"status", {{"phase", "Active"}}}};
    objects_[nsType->key()][objectKey("", name)] = Stored{ns};
  }
}

uint64_t ObjectStore::resourceVersion() const {
  std::lock_guard lock(mutex_);
  return rv_;
}

void ObjectStore::setGoneAsStatus(bool v) {
  std::lock_guard lock(mutex_);
  goneAsStatus_ = v;
}

void ObjectStore::compact() {
  std::lock_guard lock(mutex_);
  compactedRv_ = rv_;
  history_.clear();
}

bool ObjectStore::namespaceExists(const std::string& ns) const {
  auto it = objects_.find("/namespaces");
  return it != objects_.end() && it->second.count(objectKey("", ns)) > 0;
}

ApiResponse ObjectStore::discovery(const std::vector<std::string>& seg, bool& handled) const {
  handled = true;
  ApiResponse r;
  if (seg.size() == 1 && seg[0] == "version") {
    r.body = json{{"major", "1"},
                  {"minor", "32"},
                  {"gitVersion", "v1.32.0-sidecar-test"},
                  {"gitCommit", "0000000000000000000000000000000000000000"},
                  {"gitTreeState", "clean"},
                  {"buildDate", "2026-01-01T00:00:00Z"},
                  {"goVersion", "go1.23"},
                  {"compiler", "gc"},
                  {"platform", "linux/amd64"}}
                 .dump();
    return r;
  }
  if (seg.size() == 1 && seg[0] == "api") {
    r.body = json{{"kind", "APIVersions"},
                  {"versions", {"v1"}},
                  {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}}
                 .dump();
    return r;
  }
  // group name -> versions
  std::map<std::string, std::string> groups;
  for (const auto& t : builtinResources()) {
    if (!t.group.empty()) {
      groups[t.group] = t.version;
    }
  }
  auto groupJson = [](const std::string& g, const std::string& v) {
    json gv = {{"groupVersion", g + "/" + v}, {"version", v}};
    return json{{"name", g}, {"versions", {gv}}, {"preferredVersion", gv}};
  };
  if (seg.size() == 1 && seg[0] == "apis") {
    json list = json::array();
    for (const auto& [g, v] : groups) {
      list.push_back(groupJson(g, v));
    }
    r.body = json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", list}}.dump();
    return r;
  }
  if (seg.size() == 2 && seg[0] == "apis" && groups.count(seg[1])) {
    json g = groupJson(seg[1], groups[seg[1]]);
    g["kind"] = "APIGroup";
    g["apiVersion"] = "v1";
    r.body = g.dump();
    return r;
  }
  const bool core = seg.size() == 2 && seg[0] == "api" && seg[1] == "v1";
  const bool named = seg.size() == 3 && seg[0] == "apis" && groups.count(seg[1]) && groups[seg[1]] == seg[2];
  if (core || named) {
    const std::string group = core ? "" : seg[1];
    json resources = json::array();
    for (const auto& t : builtinResources()) {
      if (t.group != group) {
        continue;
      }
      json res = {{"name", t.resource},
                  {"singularName", t.singular},
                  {"namespaced", t.namespaced},
                  {"kind", t.kind},
                  {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}};
      if (!t.shortNames.empty()) {
        res["shortNames"] = t.shortNames;
      }
      resources.push_back(res);
    }
    r.body = json{{"kind", "APIResourceList"},
                  {"apiVersion", "v1"},
                  {"groupVersion", core ? "v1" : seg[1] + "/" + seg[2]},
                  {"resources", resources}}
                 .dump();
    return r;
  }
  handled = false;
  return r;
}

std::optional<ApiResponse> ObjectStore::parseTarget(const std::vector<std::string>& seg, Target& out) const {
  std::string group;
  std::string version;
  std::size_t i = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    version = seg[1];
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    group = seg[1];
    version = seg[2];
    i = 3;
  } else {
    return statusResponse(404, "NotFound", "the server could not find the requested resource");
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    out.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) {
    return statusResponse(404, "NotFound", "the server could not find the requested resource");
  }
  for (const auto& t : builtinResources()) {
    if (t.group == group && t.version == version && t.resource == rest[0]) {
      out.type = &t;
    }
  }
  if (out.type == nullptr) {
    return statusResponse(404, "NotFound", "the server could not find the requested resource");
  }
  if (rest.size() >= 2) {
    out.name = rest[1];
  }
  if (rest.size() == 3) {
    out.subresource = rest[2];
  }
  if (!out.type->namespaced) {
    out.ns.clear();
  }
  return std::nullopt;
}

Routed ObjectStore::route(const ApiRequest& r) {
  Routed out;
  // Only JSON bodies are understood; 415 makes client-go retry the request as JSON.
  if (!r.body.empty() && r.contentType.find("protobuf") != std::string::npos) {
    out.response = statusResponse(415, "UnsupportedMediaType",
                                  "the body of the request was in an unknown format - accepted media types include: "
                                  "application/json, application/json-patch+json, application/merge-patch+json, "
                                  "application/strategic-merge-patch+json");
    return out;
  }
  const auto seg = splitPath(r.path);
  if (r.method == "GET") {
    bool handled = false;
    ApiResponse d = discovery(seg, handled);
    if (handled) {
      out.response = std::move(d);
      return out;
    }
  }
  Target t;
  if (auto err = parseTarget(seg, t)) {
    out.response = std::move(*err);
    return out;
  }
  auto q = [&](const char* key) {
    auto it = r.query.find(key);
    return it == r.query.end() ? std::string() : it->second;
  };
  const std::string watchParam = q("watch");
  if (r.method == "GET" && t.name.empty() && (watchParam == "true" || watchParam == "1")) {
    WatchSpec spec;
    spec.type = t.type;
    spec.ns = t.ns;
    auto labels = parseLabelSelector(q("labelSelector"));
    auto fields = parseFieldSelector(q("fieldSelector"));
    if (!labels || !fields) {
      out.response = statusResponse(400, "BadRequest", !labels ? labels.error().message : fields.error().message);
      return out;
    }
    spec.labels = std::move(*labels);
    spec.fields = std::move(*fields);
    spec.resourceVersion = q("resourceVersion");
    spec.timeoutSeconds = std::atoi(q("timeoutSeconds").c_str());
    spec.bookmarks = q("allowWatchBookmarks") == "true";
    if (!spec.resourceVersion.empty() &&
        spec.resourceVersion.find_first_not_of("0123456789") != std::string::npos) {
      out.response = statusResponse(400, "BadRequest", "resourceVersion: not a valid resource version");
      return out;
    }
    out.watch = std::move(spec);
    return out;
  }
  if (t.subresource == "scale" && !t.name.empty()) {
    out.response = doScale(t, r);
    return out;
  }
  if (r.method == "GET") {
    out.response = t.name.empty() ? doList(t, r) : doGet(t, r);
  } else if (r.method == "POST" && t.name.empty()) {
    out.response = doCreate(t, r);
  } else if (r.method == "PUT" && !t.name.empty()) {
    out.response = doUpdate(t, r);
  } else if (r.method == "PATCH" && !t.name.empty()) {
    out.response = doPatch(t, r);
  } else if (r.method == "DELETE" && !t.name.empty()) {
    out.response = doDelete(t, r);
  } else {
    out.response = statusResponse(405, "MethodNotAllowed", r.method + " is not supported on " + r.path);
  }
  return out;
}

std::string ObjectStore::table(const ResourceType& type, const std::vector<const json*>& items) const {
  json columns = json::array({{{"name", "Name"}, {"type", "string"}, {"format", "name"}, {"description", "Name"}}});
  auto column = [&](const char* name, const char* colType) {
    columns.push_back({{"name", name}, {"type", colType}, {"format", ""}, {"description", name}});
  };
  // The columns people read in walkthroughs: READY 2/2 is how an injected pod shows.
  if (type.resource == "configmaps") {
    column("Data", "integer");
  } else if (type.resource == "pods") {
    column("Ready", "string");
    column("Status", "string");
    column("Restarts", "integer");
  } else if (type.resource == "deployments") {
    column("Ready", "string");
    column("Up-to-date", "integer");
    column("Available", "integer");
  } else if (type.resource == "replicasets") {
    column("Desired", "integer");
    column("Current", "integer");
    column("Ready", "integer");
  }
  column("Age", "string");
  json rows = json::array();
  for (const json* o : items) {
    const auto& meta = (*o)["metadata"];
    json cells = json::array({meta.value("name", "")});
    const json spec = o->value("spec", json::object());
    const json status = o->value("status", json::object());
    if (type.resource == "configmaps") {
      cells.push_back(o->contains("data") && (*o)["data"].is_object() ? (*o)["data"].size() : 0);
    } else if (type.resource == "pods") {
      const json statuses = status.value("containerStatuses", json::array());
      const auto ready = std::count_if(statuses.begin(), statuses.end(),
                                       [](const json& c) { return c.is_object() && c.value("ready", false); });
      cells.push_back(std::to_string(ready) + "/" + std::to_string(spec.value("containers", json::array()).size()));
      cells.push_back(status.value("phase", "Pending"));
      int64_t restarts = 0;
      for (const auto& c : statuses) {
        restarts += c.is_object() ? c.value("restartCount", 0) : 0;
      }
      cells.push_back(restarts);
    } else if (type.resource == "deployments") {
      cells.push_back(std::to_string(status.value("readyReplicas", 0)) + "/" +
                      std::to_string(spec.value("replicas", 1)));
      cells.push_back(status.value("updatedReplicas", 0));
      cells.push_back(status.value("availableReplicas", 0));
    } else if (type.resource == "replicasets") {
      cells.push_back(spec.value("replicas", 1));
      cells.push_back(status.value("replicas", 0));
      cells.push_back(status.value("readyReplicas", 0));
    }
    cells.push_back(ageText(meta.value("creationTimestamp", "")));
    rows.push_back({{"cells", cells}, {"object", *o}});
  }
  return json{{"kind", "Table"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
              {"columnDefinitions", columns},
              {"rows", rows}}
      .dump();
}

ApiResponse ObjectStore::doGet(const Target& t, const ApiRequest& r) {
  std::lock_guard lock(mutex_);
  auto& bucket = objects_[t.type->key()];
  auto it = bucket.find(objectKey(t.ns, t.name));
  if (it == bucket.end()) {
    return statusResponse(404, "NotFound", notFoundMessage(*t.type, t.name));
  }
  ApiResponse res;
  if (r.accept.find("as=Table") != std::string::npos) {
    res.body = table(*t.type, {&it->second.object});
  } else {
    res.body = it->second.object.dump();
  }
  return res;
}

ApiResponse ObjectStore::doList(const Target& t, const ApiRequest& r) {
  auto q = [&](const char* key) {
    auto it = r.query.find(key);
    return it == r.query.end() ? std::string() : it->second;
  };
  auto labels = parseLabelSelector(q("labelSelector"));
  if (!labels) {
    return statusResponse(400, "BadRequest", labels.error().message);
  }
  auto fields = parseFieldSelector(q("fieldSelector"));
  if (!fields) {
    return statusResponse(400, "BadRequest", fields.error().message);
  }
  const long limit = std::atol(q("limit").c_str());
  std::lock_guard lock(mutex_);
  // continue = "<snapshot rv>:<last key>"; every page reports the first page's rv, so a
  // watch from it replays whatever changed while the client paged.
  uint64_t snapshotRv = rv_;
  std::string after;
  const std::string cont = q("continue");
  if (!cont.empty()) {
    const auto colon = cont.find(':');
    if (colon == std::string::npos) {
      return statusResponse(400, "BadRequest", "continue: malformed token");
    }
    snapshotRv = std::strtoull(cont.substr(0, colon).c_str(), nullptr, 10);
    after = cont.substr(colon + 1);
    if (snapshotRv < compactedRv_) {
      return statusResponse(410, "Expired",
                            "The provided continue parameter is too old to display a consistent list result. "
                            "You can start a new list without the continue parameter.");
    }
  }
  auto& bucket = objects_[t.type->key()];
  std::vector<const json*> items;
  std::string nextContinue;
  auto it = after.empty() ? bucket.begin() : bucket.upper_bound(after);
  for (; it != bucket.end(); ++it) {
    const json& o = it->second.object;
    if (!t.ns.empty() && o["metadata"].value("namespace", "") != t.ns) {
      continue;
    }
    if (!matchesLabels(*labels, o) || !matchesFields(*fields, o)) {
      continue;
    }
    if (limit > 0 && static_cast<long>(items.size()) == limit) {
      nextContinue = std::to_string(snapshotRv) + ":" + std::prev(it)->first;
      break;
    }
    items.push_back(&o);
  }
  ApiResponse res;
  if (r.accept.find("as=Table") != std::string::npos) {
    res.body = table(*t.type, items);
    return res;
  }
  json list = {{"kind", t.type->kind + "List"},
               {"apiVersion", t.type->apiVersion()},
               {"metadata", {{"resourceVersion", std::to_string(snapshotRv)}}},
               {"items", json::array()}};
  if (!nextContinue.empty()) {
    list["metadata"]["continue"] = nextContinue;
  }
  for (const json* o : items) {
    list["items"].push_back(*o);
  }
  res.body = list.dump();
  return res;
}

void ObjectStore::commit(const ResourceType& type, const std::string& eventType, const json& object) {
  history_.push_back(HistoryEntry{rv_, &type, eventType, object});
  if (history_.size() > kMaxHistory) {
    compactedRv_ = history_.front().rv;
    history_.pop_front();
  }
  std::string line;
  for (auto& [id, w] : watchers_) {
    if (watcherMatches(w.spec, type, object)) {
      if (line.empty()) {
        line = eventLine(eventType, object);
      }
      w.deliver(line);
    }
  }
}

bool ObjectStore::watcherMatches(const WatchSpec& spec, const ResourceType& type, const json& object) const {
  if (spec.type != &type) {
    return false;
  }
  if (!spec.ns.empty() && object["metadata"].value("namespace", "") != spec.ns) {
    return false;
  }
  return matchesLabels(spec.labels, object) && matchesFields(spec.fields, object);
}

ApiResponse ObjectStore::doCreate(const Target& t, const ApiRequest& r) {
  json obj = json::parse(r.body, nullptr, false);
  if (!obj.is_object()) {
    return statusResponse(400, "BadRequest", "request body is not a JSON object");
  }
  json& meta = obj["metadata"];
  if (!meta.is_object()) {
    meta = json::object();
  }
  if (t.type->namespaced) {
    const std::string bodyNs = meta.value("namespace", "");
    if (!bodyNs.empty() && bodyNs != t.ns) {
      return statusResponse(400, "BadRequest",
                            "the namespace of the provided object (" + bodyNs +
                                ") does not match the namespace sent on the request (" + t.ns + ")");
    }
    if (t.ns.empty()) {
      return statusResponse(400, "BadRequest", "metadata.namespace: a namespace is required");
    }
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  std::string name = meta.value("name", "");
  if (name.empty() && !meta.value("generateName", "").empty()) {
    name = meta.value("generateName", "") + nameSuffix();
    meta["name"] = name;
  }
  if (name.empty()) {
    return statusResponse(422, "Invalid", t.type->kind + " is invalid: metadata.name: Required value: name or generateName is required");
  }
  obj["apiVersion"] = t.type->apiVersion();
  obj["kind"] = t.type->kind;
  const bool dryRun = r.query.count("dryRun") > 0;
  std::lock_guard lock(mutex_);
  if (t.type->namespaced && !namespaceExists(t.ns)) {
    return statusResponse(404, "NotFound", "namespaces \"" + t.ns + "\" not found");
  }
  auto& bucket = objects_[t.type->key()];
  const std::string key = objectKey(t.ns, name);
  if (bucket.count(key)) {
    return statusResponse(409, "AlreadyExists",
                          t.type->resource + (t.type->group.empty() ? "" : "." + t.type->group) + " \"" + name +
                              "\" already exists");
  }
  meta["uid"] = newUid();
  meta["creationTimestamp"] = nowRfc3339();
  meta.erase("resourceVersion");
  if (obj.contains("spec")) {
    meta["generation"] = 1;
  }
  if (t.type->resource == "namespaces") {
    meta["labels"]["kubernetes.io/metadata.name"] = name;
    obj["status"] = {{"phase", "Active"}};
  }
  ApiResponse res;
  res.status = 201;
  if (dryRun) {
    res.body = obj.dump();
    return res;
  }
  meta["resourceVersion"] = std::to_string(++rv_);
  bucket[key] = Stored{obj};
  commit(*t.type, "ADDED", obj);
  res.body = obj.dump();
  return res;
}

ApiResponse ObjectStore::storeUpdate(const Target& t, const ApiRequest& r, json updated, const json& current) {
  if (!updated.is_object()) {
    return statusResponse(422, "Invalid", "the resulting object is not a JSON object");
  }
  json& meta = updated["metadata"];
  if (!meta.is_object()) {
    meta = json::object();
  }
  const std::string sentRv = meta.value("resourceVersion", "");
  const std::string currentRv = current["metadata"].value("resourceVersion", "");
  if (!sentRv.empty() && sentRv != currentRv) {
    return statusResponse(409, "Conflict",
                          "Operation cannot be fulfilled on " + t.type->resource + " \"" + t.name +
                              "\": the object has been modified; please apply your changes to the latest version "
                              "and try again");
  }
  if (!meta.value("name", "").empty() && meta.value("name", "") != t.name) {
    return statusResponse(400, "BadRequest", "metadata.name: the name of the object (" + meta.value("name", "") +
                                                  ") does not match the name on the URL (" + t.name + ")");
  }
  // Server-owned fields survive whatever the client sent.
  for (const char* k : {"uid", "creationTimestamp", "generation"}) {
    if (current["metadata"].contains(k)) {
      meta[k] = current["metadata"][k];
    } else {
      meta.erase(k);
    }
  }
  meta["name"] = t.name;
  if (t.type->namespaced) {
    meta["namespace"] = t.ns;
  }
  updated["apiVersion"] = t.type->apiVersion();
  updated["kind"] = t.type->kind;
  if (updated.contains("spec") && withoutMetaAndStatus(updated) != withoutMetaAndStatus(current)) {
    meta["generation"] = current["metadata"].value("generation", 0) + 1;
  }
  ApiResponse res;
  if (r.query.count("dryRun") > 0) {
    res.body = updated.dump();
    return res;
  }
  // A no-op write keeps the resourceVersion and emits no event, like the real server.
  json comparable = updated;
  comparable["metadata"]["resourceVersion"] = currentRv;
  if (comparable == current) {
    res.body = current.dump();
    return res;
  }
  meta["resourceVersion"] = std::to_string(++rv_);
  objects_[t.type->key()][objectKey(t.ns, t.name)] = Stored{updated};
  commit(*t.type, "MODIFIED", updated);
  res.body = updated.dump();
  return res;
}

ApiResponse ObjectStore::doUpdate(const Target& t, const ApiRequest& r) {
  json obj = json::parse(r.body, nullptr, false);
  if (!obj.is_object()) {
    return statusResponse(400, "BadRequest", "request body is not a JSON object");
  }
  std::lock_guard lock(mutex_);
  auto& bucket = objects_[t.type->key()];
  auto it = bucket.find(objectKey(t.ns, t.name));
  if (it == bucket.end()) {
    return statusResponse(404, "NotFound", notFoundMessage(*t.type, t.name));
  }
  const json current = it->second.object;
  return storeUpdate(t, r, std::move(obj), current);
}

ApiResponse ObjectStore::doPatch(const Target& t, const ApiRequest& r) {
  json patch = json::parse(r.body, nullptr, false);
  if (patch.is_discarded()) {
    return statusResponse(400, "BadRequest", "patch body is not valid JSON");
  }
  std::lock_guard lock(mutex_);
  auto& bucket = objects_[t.type->key()];
  auto it = bucket.find(objectKey(t.ns, t.name));
  if (it == bucket.end()) {
    return statusResponse(404, "NotFound", notFoundMessage(*t.type, t.name));
  }
  const json current = it->second.object;
  json updated;
  const std::string ct = r.contentType.substr(0, r.contentType.find(';'));
  try {
    if (ct == "application/merge-patch+json") {
      updated = current;
      updated.merge_patch(patch);
    } else if (ct == "application/strategic-merge-patch+json") {
      updated = strategicMerge(current, patch);
    } else if (ct == "application/json-patch+json") {
      if (!patch.is_array()) {
        return statusResponse(400, "BadRequest", "json patch: body must be an array of operations");
      }
      auto patched = kube::applyPatch(current, patch);
      if (!patched) {
        return statusResponse(422, "Invalid", "json patch: " + patched.error().message);
      }
      updated = std::move(*patched);
    } else if (ct == "application/apply-patch+yaml") {
      return statusResponse(415, "UnsupportedMediaType", "server-side apply is not supported by the test server");
    } else {
      return statusResponse(415, "UnsupportedMediaType", "the body of the request was in an unknown format: " + ct);
    }
  } catch (const json::exception& e) {
    return statusResponse(422, "Invalid", std::string("json patch: ") + e.what());
  }
  // Patches only conflict when they carry a resourceVersion themselves.
  if (!(patch.is_object() && patch.contains("metadata") && patch["metadata"].is_object() &&
        patch["metadata"].contains("resourceVersion"))) {
    if (updated.is_object() && updated["metadata"].is_object()) {
      updated["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
    }
  }
  return storeUpdate(t, r, std::move(updated), current);
}

ApiResponse ObjectStore::doScale(const Target& t, const ApiRequest& r) {
  const std::string& kind = t.type->resource;
  if (kind != "deployments" && kind != "replicasets" && kind != "statefulsets") {
    return statusResponse(404, "NotFound", "the server could not find the requested resource");
  }
  auto toScale = [](const json& o) {
    std::string selector;
    const json spec = o.value("spec", json::object());
    const json matchLabels = spec.value("selector", json::object()).value("matchLabels", json::object());
    for (const auto& [k, v] : matchLabels.items()) {
      selector += (selector.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    const json& meta = o["metadata"];
    json scaleMeta = json::object();
    for (const char* key : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      if (meta.contains(key)) {
        scaleMeta[key] = meta[key];
      }
    }
    return json{{"kind", "Scale"},
                {"apiVersion", "autoscaling/v1"},
                {"metadata", scaleMeta},
                {"spec", {{"replicas", spec.value("replicas", 1)}}},
                {"status", {{"replicas", o.value("status", json::object()).value("replicas", 0)}, {"selector", selector}}}};
  };
  std::lock_guard lock(mutex_);
  auto& bucket = objects_[t.type->key()];
  auto it = bucket.find(objectKey(t.ns, t.name));
  if (it == bucket.end()) {
    return statusResponse(404, "NotFound", notFoundMessage(*t.type, t.name));
  }
  const json current = it->second.object;
  const json scale = toScale(current);
  ApiResponse res;
  if (r.method == "GET") {
    res.body = scale.dump();
    return res;
  }
  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) {
    return statusResponse(400, "BadRequest", "scale: body is not valid JSON");
  }
  json desired;
  const std::string ct = r.contentType.substr(0, r.contentType.find(';'));
  try {
    if (r.method == "PUT") {
      desired = body;
    } else if (r.method == "PATCH" && ct == "application/json-patch+json" && body.is_array()) {
      auto patched = kube::applyPatch(scale, body);
      if (!patched) {
        return statusResponse(422, "Invalid", "scale patch: " + patched.error().message);
      }
      desired = std::move(*patched);
    } else if (r.method == "PATCH" && (ct == "application/merge-patch+json" ||
                                       ct == "application/strategic-merge-patch+json")) {
      desired = scale;
      desired.merge_patch(body);
    } else {
      return statusResponse(405, "MethodNotAllowed", r.method + " " + ct + " is not supported on scale");
    }
  } catch (const json::exception& e) {
    return statusResponse(422, "Invalid", std::string("scale patch: ") + e.what());
  }
  const json replicas = desired.is_object() ? desired.value("spec", json::object()).value("replicas", json()) : json();
  if (!replicas.is_number_integer() || replicas.get<int64_t>() < 0) {
    return statusResponse(422, "Invalid", "Scale.autoscaling \"" + t.name +
                                              "\" is invalid: spec.replicas: must be a non-negative integer");
  }
  json updated = current;
  updated["spec"]["replicas"] = replicas;
  const std::string sentRv = desired.is_object() ? desired.value("metadata", json::object()).value("resourceVersion", "") : "";
  if (!sentRv.empty()) {
    updated["metadata"]["resourceVersion"] = sentRv;
  }
  ApiResponse stored = storeUpdate(t, r, std::move(updated), current);
  if (stored.status != 200) {
    return stored;
  }
  res.body = toScale(json::parse(stored.body)).dump();
  return res;
}

ApiResponse ObjectStore::doDelete(const Target& t, const ApiRequest& r) {
  std::lock_guard lock(mutex_);
  auto& bucket = objects_[t.type->key()];
  auto it = bucket.find(objectKey(t.ns, t.name));
  if (it == bucket.end()) {
    return statusResponse(404, "NotFound", notFoundMessage(*t.type, t.name));
  }
  json obj = it->second.object;
  ApiResponse res;
  if (r.query.count("dryRun") > 0) {
    res.body = obj.dump();
    return res;
  }
  bucket.erase(it);
  obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
  commit(*t.type, "DELETED", obj);
  if (t.type->resource == "namespaces") {
    // Namespace deletion takes its contents with it (no finalizers here).
    for (const auto& type : builtinResources()) {
      if (!type.namespaced) {
        continue;
      }
      auto& b = objects_[type.key()];
      for (auto o = b.begin(); o != b.end();) {
        if (o->second.object["metadata"].value("namespace", "") == t.name) {
          json gone = o->second.object;
          o = b.erase(o);
          gone["metadata"]["resourceVersion"] = std::to_string(++rv_);
          commit(type, "DELETED", gone);
        } else {
          ++o;
        }
      }
    }
  }
  res.body = obj.dump();
  return res;
}

ObjectStore::WatchStart ObjectStore::startWatch(const WatchSpec& spec, Deliver deliver) {
  std::lock_guard lock(mutex_);
  WatchStart out;
  const std::string& rvText = spec.resourceVersion;
  if (rvText.empty() || rvText == "0") {
    // No starting point: synthetic ADDED events for the current state.
    for (const auto& [key, stored] : objects_[spec.type->key()]) {
      if (watcherMatches(spec, *spec.type, stored.object)) {
        out.initialLines.push_back(eventLine("ADDED", stored.object));
      }
    }
  } else {
    const uint64_t from = std::strtoull(rvText.c_str(), nullptr, 10);
    if (from < compactedRv_) {
      out.finished = true;
      out.goneStatus = goneAsStatus_;
      out.initialLines.push_back(
          eventLine("ERROR", json::parse(statusBody(410, "Expired",
                                                    "too old resource version: " + rvText + " (" +
                                                        std::to_string(compactedRv_) + ")"))));
      return out;
    }
    for (const auto& h : history_) {
      if (h.rv > from && watcherMatches(spec, *h.type, h.object)) {
        out.initialLines.push_back(eventLine(h.eventType, h.object));
      }
    }
  }
  out.id = nextWatchId_++;
  watchers_[out.id] = Watcher{spec, std::move(deliver)};
  return out;
}

void ObjectStore::stopWatch(uint64_t id) {
  std::lock_guard lock(mutex_);
  watchers_.erase(id);
}

void ObjectStore::stopAllWatches() {
  std::lock_guard lock(mutex_);
  watchers_.clear();
}

void ObjectStore::bookmark(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = watchers_.find(id);
  if (it == watchers_.end()) {
    return;
  }
  const auto& type = *it->second.spec.type;
  it->second.deliver(eventLine("BOOKMARK", {{"kind", type.kind},
                                            {"apiVersion", type.apiVersion()},
                                            {"metadata", {{"resourceVersion", std::to_string(rv_)}}}}));
}

ApiResponse ObjectStore::request(const std::string& method, const std::string& path, const std::string& body,
                                 const std::string& contentType) {
  ApiRequest r;
  r.method = method;
  const auto q = path.find('?');
  r.path = path.substr(0, q);
  if (q != std::string::npos) {
    std::stringstream ss(path.substr(q + 1));
    std::string kv;
    while (std::getline(ss, kv, '&')) {
      const auto eq = kv.find('=');
      r.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
  }
  r.body = body;
  r.contentType = contentType;
  Routed routed = route(r);
  if (routed.response) {
    return *routed.response;
  }
  return statusResponse(400, "BadRequest", "watch is only available over HTTP");
}

}  // namespace sidecar::testapi
