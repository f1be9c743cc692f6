#include "controller/backoff.h"

#include <algorithm>

namespace sidecar::controller {

Millis Backoff::next() {
  // Doubling stops well before overflow; the cap bounds the result anyway.
  const int shift = std::min(attempt_, 30);
  ++attempt_;
  const double base = std::min(static_cast<double>(policy_.initial.count()) * static_cast<double>(1LL << shift),
                               static_cast<double>(policy_.cap.count()));
  const double jittered = base * (1.0 + policy_.jitter * random_.uniform());
  return Millis(static_cast<long long>(std::min(jittered, static_cast<double>(policy_.cap.count()))));
}

}  // namespace sidecar::controller
