#pragma once

// Injected time and luck for exact, instant tests (the Clock and Random of common/).
//
// Time moves only when the test says so: sleepFor() records the delay and advances at once
// (a retry loop runs through its backoffs instantly), advance() moves time for the timers
// that waitUntil() parks on. settle() then waits (in real time, with a deadline) until every
// thread parked on this clock has seen the new time and parked again, so a test can assert
// exactly what happened at, and what did not happen before, a given instant.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"

namespace sidecar::testing {

class FakeClock final : public Clock {
 public:
  SteadyTime now() const override {
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
  bool waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 SteadyTime deadline, const std::function<bool()>& ready) override {
    const uint64_t id = enter(cv);
    for (;;) {
      if (ready()) {
        break;
      }
      {
        std::lock_guard guard(mutex_);
        if (now_ >= deadline) {
          break;
        }
        // Parked: this waiter has seen the current time and found nothing to do.
        waiters_[id].seen = generation_;
      }
      settled_.notify_all();
      // advance() notifies `cv` without holding the waiter's lock, so a wake-up can slip
      // in between the check above and this wait; the short real timeout bounds that race.
      cv.wait_for(lock, std::chrono::milliseconds(2));
    }
    leave(id);
    return ready();
  }

  void advance(Millis d) {
    std::vector<std::condition_variable*> wake;
    {
      std::lock_guard lock(mutex_);
      now_ += d;
      wall_ += d;
      ++generation_;
      for (auto& [id, w] : waiters_) {
        wake.push_back(w.cv);
      }
    }
    for (auto* cv : wake) {
      cv->notify_all();
    }
  }

  // Waits until at least `waiters` threads are parked in waitUntil() and every parked one
  // has seen the latest advance(). False when that does not happen within `timeout`.
  bool settle(size_t waiters = 1, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return settled_.wait_for(lock, timeout, [&] {
      return waiters_.size() >= waiters &&
             std::all_of(waiters_.begin(), waiters_.end(),
                         [&](const auto& w) { return w.second.seen == generation_; });
    });
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
  struct Waiter {
    std::condition_variable* cv = nullptr;
    uint64_t seen = UINT64_MAX;  // the generation this waiter last parked at
  };

  uint64_t enter(std::condition_variable& cv) {
    std::lock_guard lock(mutex_);
    const uint64_t id = nextId_++;
    waiters_[id] = Waiter{&cv};
    return id;
  }
  void leave(uint64_t id) {
    {
      std::lock_guard lock(mutex_);
      waiters_.erase(id);
    }
    settled_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable settled_;
  SteadyTime now_{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall_{std::chrono::seconds(1'800'000'000)};
  std::vector<Millis> sleeps_;
  std::map<uint64_t, Waiter> waiters_;
  uint64_t nextId_ = 0;
  uint64_t generation_ = 0;
};

class FakeRandom final : public Random {
 public:
  explicit FakeRandom(double v) : value_(v) {}
  double uniform() override { return value_; }

 private:
  double value_;
};

}  // namespace sidecar::testing
