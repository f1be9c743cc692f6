#include "common/random.h"

#include <mutex>
#include <random>

namespace sidecar {

namespace {

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

Random& systemRandom() {
  static SystemRandom random;
  return random;
}

}  // namespace sidecar
