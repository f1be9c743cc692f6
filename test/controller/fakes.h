#pragma once

// Injected time and luck for exact, instant tests.

#include <mutex>
#include <thread>
#include <vector>

#include "controller/clock.h"

namespace sidecar::controller::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  std::chrono::system_clock::time_point wallNow() const override {
    std::lock_guard lock(mutex_);
    return wall_;
  }
  // Records the delay and advances time instead of waiting.
  bool sleepFor(Millis d, const StopSignal& stop) override {
    {
      std::lock_guard lock(mutex_);
      sleeps_.push_back(d);
      now_ += d;
      wall_ += d;
    }
    // Keeps loops that retry against a live server from spinning flat out.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return !stop.stopped();
  }
  void advance(Millis d) {
    std::lock_guard lock(mutex_);
    now_ += d;
    wall_ += d;
  }
  std::vector<Millis> sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  void clearSleeps() {
    std::lock_guard lock(mutex_);
    sleeps_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'800'000'000)};
  std::vector<Millis> sleeps_;
};

class FakeRandom final : public Random {
 public:
  explicit FakeRandom(double v) : value_(v) {}
  double uniform() override { return value_; }

 private:
  double value_;
};

}  // namespace sidecar::controller::testing
