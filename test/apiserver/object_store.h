#pragma once

// The test API server's brain, free of sockets: resource registry, discovery documents,
// CRUD with resourceVersion/uid/generation, selectors, pagination, patches, and the event
// history that watches replay from. Thread-safe (one mutex); watch deliveries are called
// under that mutex, in resourceVersion order, so callers must only enqueue.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "test/apiserver/selectors.h"

namespace sidecar::testapi {

struct ResourceType {
  std::string group;
  std::string version;
  std::string resource;
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> shortNames;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  std::string key() const { return group + "/" + resource; }
};

const std::vector<ResourceType>& builtinResources();

struct ApiRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
  std::string contentType;
  std::string accept;
  std::string userAgent;  // names the field manager of a create (see managed_fields.h)
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// A parsed watch request, validated and ready to register.
struct WatchSpec {
  const ResourceType* type = nullptr;
  std::string ns;
  std::vector<LabelRequirement> labels;
  std::vector<FieldRequirement> fields;
  std::string resourceVersion;
  int timeoutSeconds = 0;
  bool bookmarks = false;
};

// Either a plain response or a watch to start.
struct Routed {
  std::optional<ApiResponse> response;
  std::optional<WatchSpec> watch;
};

class ObjectStore {
 public:
  using Deliver = std::function<void(std::string line)>;

  ObjectStore();

  // Parses the path/query and serves everything except the streaming part of a watch.
  Routed route(const ApiRequest& request);

  struct WatchStart {
    uint64_t id = 0;
    std::vector<std::string> initialLines;
    // When set, the watch ends right after `initialLines` (e.g. the 410 ERROR event).
    bool finished = false;
    // 410 as an HTTP status rather than an ERROR event (see setGoneAsStatus).
    bool goneStatus = false;
  };
  // Registers a watch; `deliver` gets later events (as lines ending in '\n').
  WatchStart startWatch(const WatchSpec& spec, Deliver deliver);
  void stopWatch(uint64_t id);
  void stopAllWatches();
  // Delivers a BOOKMARK at the current resourceVersion through the watch's own ordering.
  void bookmark(uint64_t id);

  // Forgets history: watches from an older resourceVersion then get 410 Gone.
  void compact();
  uint64_t resourceVersion() const;
  // Return the HTTP status 410 for too-old watches instead of an ERROR event.
  void setGoneAsStatus(bool v);

  // In-process convenience for tests: same semantics as the HTTP path.
  ApiResponse request(const std::string& method, const std::string& path,
                      const std::string& body = {},
                      const std::string& contentType = "application/json");

 private:
  struct Stored {
    nlohmann::json object;
  };
  struct HistoryEntry {
    uint64_t rv;
    const ResourceType* type;
    std::string eventType;
    nlohmann::json object;
  };
  struct Watcher {
    WatchSpec spec;
    Deliver deliver;
  };
  struct Target {
    const ResourceType* type = nullptr;
    std::string ns;
    std::string name;
    std::string subresource;
  };

  ApiResponse discovery(const std::vector<std::string>& segments, bool& handled) const;
  std::optional<ApiResponse> parseTarget(const std::vector<std::string>& segments,
                                         Target& out) const;

  ApiResponse doGet(const Target& t, const ApiRequest& r);
  ApiResponse doList(const Target& t, const ApiRequest& r);
  ApiResponse doCreate(const Target& t, const ApiRequest& r);
  ApiResponse doUpdate(const Target& t, const ApiRequest& r);
  ApiResponse doPatch(const Target& t, const ApiRequest& r);
  ApiResponse doDelete(const Target& t, const ApiRequest& r);
  // The autoscaling/v1 Scale subresource of Deployments, ReplicaSets and StatefulSets
  // (what `kubectl scale` reads and patches).
  ApiResponse doScale(const Target& t, const ApiRequest& r);
  ApiResponse storeUpdate(const Target& t, const ApiRequest& r, nlohmann::json updated,
                          const nlohmann::json& current);

  void commit(const ResourceType& type, const std::string& eventType, const nlohmann::json& object);
  bool namespaceExists(const std::string& ns) const;
  bool watcherMatches(const WatchSpec& spec, const ResourceType& type,
                      const nlohmann::json& object) const;
  std::string table(const ResourceType& type,
                    const std::vector<const nlohmann::json*>& items) const;

  mutable std::mutex mutex_;
  uint64_t rv_ = 1;
  uint64_t compactedRv_ = 0;
  bool goneAsStatus_ = false;
  uint64_t nextWatchId_ = 1;
  // type key -> "ns/name" -> object (ordered, so lists and continue tokens are stable)
  std::map<std::string, std::map<std::string, Stored>> objects_;
  std::deque<HistoryEntry> history_;
  std::map<uint64_t, Watcher> watchers_;
};

// A Kubernetes Status object as JSON text.
std::string statusBody(int code, const std::string& reason, const std::string& message);
ApiResponse statusResponse(int code, const std::string& reason, const std::string& message);
std::string nowRfc3339();

}  // namespace sidecar::testapi
