#include "controller/backoff.h"

#include <gtest/gtest.h>

#include "test/controller/fakes.h"

namespace sidecar::controller {
namespace {

using testing::FakeRandom;

TEST(BackoffTest, DoublesWithProportionalJitterAndCaps) {
  FakeRandom random(0.5);
  Backoff backoff({Millis(100), Millis(1000), 0.2}, random);
  EXPECT_EQ(backoff.next(), Millis(110));
  EXPECT_EQ(backoff.next(), Millis(220));
  EXPECT_EQ(backoff.next(), Millis(440));
  EXPECT_EQ(backoff.next(), Millis(880));
  // 1600 capped to 1000 before jitter, and the jittered value is capped again.
  EXPECT_EQ(backoff.next(), Millis(1000));
  EXPECT_EQ(backoff.attempts(), 5);
  backoff.reset();
  EXPECT_EQ(backoff.next(), Millis(110));
}

TEST(BackoffTest, ThirtySecondCapSurvivesManyAttempts) {
  FakeRandom random(0.99);
  Backoff backoff({Millis(800), Millis(30000), 0.5}, random);
  Millis last{0};
  for (int i = 0; i < 100; ++i) {
    last = backoff.next();
    ASSERT_LE(last, Millis(30000));
  }
  EXPECT_EQ(last, Millis(30000));
}

TEST(BackoffTest, ZeroJitterIsPureDoubling) {
  FakeRandom random(0.7);
  Backoff backoff({Millis(50), Millis(30000), 0.0}, random);
  EXPECT_EQ(backoff.next(), Millis(50));
  EXPECT_EQ(backoff.next(), Millis(100));
  EXPECT_EQ(backoff.next(), Millis(200));
}

}  // namespace
}  // namespace sidecar::controller
