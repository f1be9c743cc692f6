#pragma once

// Injected time and luck for exact, instant tests: the shared fakes of test/common, under
// the names the controller tests use.

#include "test/common/fake_clock.h"

namespace sidecar::controller::testing {

using sidecar::testing::FakeClock;
using sidecar::testing::FakeRandom;

}  // namespace sidecar::controller::testing
