#pragma once

// A PodMutator whose answer, latency and readiness the test sets, and which records what it
// was asked.

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "webhook/pod_mutator.h"

namespace sidecar::webhook::testing {

struct RecordedRequest {
  std::string uid, kind, namespace_, name, operation, object;
};

class FakeMutator : public PodMutator {
 public:
  MutationResult mutate(const AdmissionRequestView& request) const override {
    calls_.fetch_add(1);
    {
      std::lock_guard lock(mu_);
      last_ = RecordedRequest{std::string(request.uid),       std::string(request.kind),
                              std::string(request.namespace_), std::string(request.name),
                              std::string(request.operation), std::string(request.object)};
    }
    const auto delay = std::chrono::milliseconds(delayMs_.load());
    if (delay.count() > 0) {
      std::this_thread::sleep_for(delay);
    }
    std::lock_guard lock(mu_);
    return result_;
  }

  bool ready(std::string* why) const override {
    if (!ready_.load()) {
      if (why != nullptr) {
        *why = "injection config not loaded";
      }
      return false;
    }
    return true;
  }

  void setResult(MutationResult result) {
    std::lock_guard lock(mu_);
    result_ = std::move(result);
  }
  void patchWith(std::string patch) {
    setResult({MutationResult::Outcome::Patched, std::move(patch), "", "injected"});
  }
  void skipWith(std::string reason) {
    setResult({MutationResult::Outcome::Skipped, "", std::move(reason), "skipped by test"});
  }
  void failWith(std::string reason, std::string message, ErrorCode code = ErrorCode::Internal) {
    setResult({MutationResult::Outcome::Failed, "", std::move(reason), std::move(message), code});
  }
  void setDelay(std::chrono::milliseconds delay) { delayMs_ = delay.count(); }
  void setReady(bool ready) { ready_ = ready; }
  int calls() const { return calls_.load(); }
  RecordedRequest last() const {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  mutable std::mutex mu_;
  MutationResult result_{MutationResult::Outcome::Skipped, "", "policy_disabled", "default"};
  mutable RecordedRequest last_;
  mutable std::atomic<int> calls_{0};
  std::atomic<int64_t> delayMs_{0};
  std::atomic<bool> ready_{true};
};

}  // namespace sidecar::webhook::testing
