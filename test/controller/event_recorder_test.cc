#include "controller/event_recorder.h"

#include <gtest/gtest.h>

#include "test/controller/fakes.h"
#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

class EventRecorderTest : public testing::ServerTest {};

TEST_F(EventRecorderTest, RepeatsBumpTheCount) {
  auto c = client();
  testing::FakeClock clock;
  EventRecorder recorder(*c, "sidecar-injector", clock);
  ObjectReference ref{"v1", "ConfigMap", "default", "cfg", "uid-1", "7"};
  ASSERT_TRUE(recorder.emitEvent(ref, EventType::Warning, "InvalidInjectorConfig", "bad line 3"));
  clock.advance(Millis(5000));
  ASSERT_TRUE(recorder.emitEvent(ref, EventType::Warning, "InvalidInjectorConfig", "bad line 3"));
  ASSERT_TRUE(recorder.emitEvent(ref, EventType::Normal, "ConfigReloaded", "generation 2"));
  auto list = serverRequest("GET", "/api/v1/namespaces/default/events");
  ASSERT_EQ(list["items"].size(), 2u);
  for (const auto& e : list["items"]) {
    if (e["reason"] == "InvalidInjectorConfig") {
      EXPECT_EQ(e["count"], 2);
      EXPECT_EQ(e["type"], "Warning");
      EXPECT_EQ(e["involvedObject"]["uid"], "uid-1");
      EXPECT_EQ(e["source"]["component"], "sidecar-injector");
      EXPECT_NE(e["firstTimestamp"], e["lastTimestamp"]);
    } else {
      EXPECT_EQ(e["reason"], "ConfigReloaded");
      EXPECT_EQ(e["count"], 1);
      EXPECT_EQ(e["type"], "Normal");
    }
  }
}

TEST_F(EventRecorderTest, ExpiredEventIsRecreatedAndClusterScopedGoesToDefault) {
  auto c = client();
  EventRecorder recorder(*c, "sidecar-injector");
  ObjectReference ref{"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "", "istio-sidecar-injector",
                      "u", ""};
  ASSERT_TRUE(recorder.emitEvent(ref, EventType::Warning, "CABundleDrift", "caBundle differs"));
  auto list = serverRequest("GET", "/api/v1/namespaces/default/events");
  ASSERT_EQ(list["items"].size(), 1u);
  serverRequest("DELETE", "/api/v1/namespaces/default/events/" + list["items"][0]["metadata"]["name"].get<std::string>());
  ASSERT_TRUE(recorder.emitEvent(ref, EventType::Warning, "CABundleDrift", "caBundle differs"));
  list = serverRequest("GET", "/api/v1/namespaces/default/events");
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["count"], 1);
}

TEST_F(EventRecorderTest, FailureNamesTheEvent) {
  auto c = client();
  EventRecorder recorder(*c, "x");
  ObjectReference ref{"v1", "ConfigMap", "no-such-namespace", "cfg", "", ""};
  auto r = recorder.emitEvent(ref, EventType::Warning, "Bad", "m");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("event Bad on ConfigMap cfg"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace sidecar::controller
