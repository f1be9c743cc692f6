#pragma once

// Keeps the caBundle of our MutatingWebhookConfiguration on the CA behind `serve
// --self-signed`. A wrong caBundle with failurePolicy Fail stops every pod creation in
// injected namespaces, and the usual way to get one is routine: re-applying the manifests
// (whose caBundle is empty) or a hand edit. So the keeper watches that one object and
// re-patches within moments of a change, with a periodic check as a safety net for a watch
// that is down.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "controller/informer.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

struct CaBundleKeeperOptions {
  std::string webhookConfigName;
  std::string caPem;
  Millis resync{60000};  // check even without a watch event
  Millis retryAfterError{2000};
  // The process's shared informers; null: the keeper watches with a factory of its own.
  InformerFactory* informers = nullptr;
};

class CaBundleKeeper {
 public:
  // Called after each attempt that changed something or failed (for logs and metrics).
  using Report = std::function<void(bool ok, const std::string& message)>;

  CaBundleKeeper(RestClient& client, CaBundleKeeperOptions options, Report report = {});
  ~CaBundleKeeper();
  CaBundleKeeper(const CaBundleKeeper&) = delete;
  CaBundleKeeper& operator=(const CaBundleKeeper&) = delete;

  void start();
  // Prompt, even mid-wait.
  void stop();

  uint64_t patches() const { return patches_.load(); }

 private:
  class Sink;
  void run();
  void wake();

  RestClient& client_;
  CaBundleKeeperOptions options_;
  Report report_;
  std::string expectedBundle_;  // base64 of caPem, as the API server stores it
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<InformerFactory> ownInformers_;
  InformerFactory* informers_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool dirty_ = true;
  std::atomic<uint64_t> patches_{0};
};

}  // namespace sidecar::controller
