#pragma once

// Exponential backoff with proportional jitter, capped. The random source is injected so a
// test that feeds 0.5 can assert the exact delay.

#include "common/clock.h"
#include "common/random.h"

namespace sidecar::controller {

struct BackoffPolicy {
  Millis initial{200};
  Millis cap{30000};
  // Each delay is base * (1 + jitter * uniform()), then capped.
  double jitter = 0.2;
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, Random& random) : policy_(policy), random_(random) {}

  Millis next();
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  Random& random_;
  int attempt_ = 0;
};

}  // namespace sidecar::controller
