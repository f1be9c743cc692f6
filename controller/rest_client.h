#pragma once

// A small Kubernetes REST client: HTTP/1.1 over TLS (Boost.Beast), a pool of kept-alive
// connections, per-request timeouts, and retries with jittered exponential backoff on
// 5xx/429 (Retry-After wins when present). Not the admission hot path, so bodies are
// nlohmann::json. Thread-safe: any thread may issue requests concurrently.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "controller/api_error.h"
#include "controller/backoff.h"
#include "controller/kube_config.h"
#include "controller/resource.h"

namespace sidecar::controller {

struct RestOptions {
  Millis requestTimeout{10000};
  // Retries after the first attempt, for 5xx, 429 and transport errors.
  int maxRetries = 4;
  BackoffPolicy backoff{Millis(200), Millis(30000), 0.2};
  std::size_t maxIdleConnections = 4;
  // Bound service-account tokens rotate; re-read the file at most this often (or on 401).
  Millis tokenRefresh{60000};
  std::string userAgent = "sidecar-injector/0.1";
};

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  int limit = 0;
  std::string continueToken;
  std::string resourceVersion;
};

enum class PatchType { Merge, JsonPatch, StrategicMerge };

struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;
  int timeoutSeconds = 300;
  bool allowBookmarks = true;
};

// One open watch: a chunked response read line by line (each line one JSON event).
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // The next event line; nullopt at a clean end of stream (server-side timeout).
  virtual ApiResult<std::optional<std::string>> nextLine() = 0;
  // Thread-safe: makes a blocked nextLine() return promptly with an error.
  virtual void cancel() = 0;
};

struct RawResponse {
  int status = 0;
  std::string body;
  std::string contentType;
};

class RestClient {
 public:
  static Expected<std::unique_ptr<RestClient>> create(ClusterConnection connection, RestOptions options = {},
                                                      Clock& clock = systemClock(),
                                                      Random& random = systemRandom());
  virtual ~RestClient() = default;

  virtual ApiResult<nlohmann::json> get(const ResourceDescriptor& rd, const std::string& ns,
                                        const std::string& name) = 0;
  virtual ApiResult<nlohmann::json> list(const ResourceDescriptor& rd, const std::string& ns,
                                         const ListOptions& options = {}) = 0;
  virtual ApiResult<nlohmann::json> create(const ResourceDescriptor& rd, const std::string& ns,
                                           const nlohmann::json& object) = 0;
  virtual ApiResult<nlohmann::json> update(const ResourceDescriptor& rd, const std::string& ns,
                                           const std::string& name, const nlohmann::json& object) = 0;
  virtual ApiResult<nlohmann::json> patch(const ResourceDescriptor& rd, const std::string& ns,
                                          const std::string& name, PatchType type, const std::string& body) = 0;
  virtual ApiResult<void> remove(const ResourceDescriptor& rd, const std::string& ns, const std::string& name) = 0;
  virtual ApiResult<std::unique_ptr<WatchStream>> watch(const ResourceDescriptor& rd, const std::string& ns,
                                                        const WatchOptions& options) = 0;
  // Any path, no status interpretation beyond auth errors and retries.
  virtual ApiResult<RawResponse> raw(const std::string& method, const std::string& target,
                                     const std::string& body = {}, const std::string& contentType = {}) = 0;

  const ClusterConnection& connection() const { return connection_; }

 protected:
  explicit RestClient(ClusterConnection c) : connection_(std::move(c)) {}
  ClusterConnection connection_;
};

using RestClientPtr = std::unique_ptr<RestClient>;

// Percent-encodes a query parameter value.
std::string urlEncode(std::string_view in);

}  // namespace sidecar::controller
