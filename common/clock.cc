#include "common/clock.h"

namespace sidecar {

void StopSignal::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  cv_.notify_all();
}

void StopSignal::reset() {
  std::lock_guard lock(mutex_);
  stopped_ = false;
}

bool StopSignal::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

bool StopSignal::waitFor(Millis d) const {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return stopped_; });
}

namespace {

class SystemClock final : public Clock {
 public:
  SteadyTime now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wallNow() const override {
    return std::chrono::system_clock::now();
  }
  bool sleepFor(Millis d, const StopSignal& stop) override { return stop.waitFor(d); }
  bool waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& ready) override {
    return cv.wait_until(lock, deadline, ready);
  }
};

}  // namespace

Clock& systemClock() {
  static SystemClock clock;
  return clock;
}

}  // namespace sidecar
