#pragma once

// Luck, injected: jittered backoffs and generated names draw from a Random, so tests pin
// the draw and assert exact delays.

namespace sidecar {

class Random {
 public:
  virtual ~Random() = default;
  // Uniform in [0, 1).
  virtual double uniform() = 0;
};

// A process-wide generator seeded from std::random_device; thread-safe.
Random& systemRandom();

}  // namespace sidecar
