#pragma once

// Time and luck, injected: everything in controller/ that waits or jitters goes through
// these interfaces so tests can assert exact delays without sleeping.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sidecar::controller {

using Millis = std::chrono::milliseconds;

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
  // Monotonic time for deadlines and lease expiry.
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Wall time for timestamps written to the API server.
  virtual std::chrono::system_clock::time_point wallNow() const = 0;
  // Sleeps `d` unless `stop` fires first; returns false when stopped.
  virtual bool sleepFor(Millis d, const StopSignal& stop) = 0;
};

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1).
  virtual double uniform() = 0;
};

Clock& systemClock();
Random& systemRandom();

}  // namespace sidecar::controller
