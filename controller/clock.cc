#include "controller/clock.h"

#include <random>

namespace sidecar::controller {

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
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wallNow() const override { return std::chrono::system_clock::now(); }
  bool sleepFor(Millis d, const StopSignal& stop) override { return stop.waitFor(d); }
};

class SystemRandom final : public Random {
 public:
  double uniform() override {
    std::lock_guard lock(mutex_);
    return dist_(engine_);
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_{std::random_device{}()};
  std::uniform_real_distribution<double> dist_{0.0, 1.0};
};

}  // namespace

Clock& systemClock() {
  static SystemClock clock;
  return clock;
}

Random& systemRandom() {
  static SystemRandom random;
  return random;
}

}  // namespace sidecar::controller
