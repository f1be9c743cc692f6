#pragma once

// Time, injected: everything that waits, times out or stamps goes through a Clock, so tests
// drive time themselves (test/common/fake_clock.h) and assert exact delays without
// sleeping. Only cmd/ hands out the real one.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace sidecar {

using Millis = std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// A flag that also wakes sleepers: stop() must not wait out a 30 s backoff.
class StopSignal {
 public:
  void stop();
  void reset();
  bool stopped() const;
  // Waits up to `d`; returns false when stopped (before or during the wait).
  bool waitFor(Millis d) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool stopped_ = false;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for deadlines, debounces and lease expiry.
  virtual SteadyTime now() const = 0;
  // Wall time for timestamps written to the API server.
  virtual std::chrono::system_clock::time_point wallNow() const = 0;
  // Sleeps `d` unless `stop` fires first; returns false when stopped.
  virtual bool sleepFor(Millis d, const StopSignal& stop) = 0;
  // A timer on a condition variable: waits (lock held on entry and on return) until
  // `ready()` holds or this clock reaches `deadline`. Whoever changes what `ready` reads
  // notifies `cv` as usual. Returns ready().
  virtual bool waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         SteadyTime deadline, const std::function<bool()>& ready) = 0;
};

// The real clock. Only cmd/ (and defaults for callers that take none) should name it.
Clock& systemClock();

}  // namespace sidecar
