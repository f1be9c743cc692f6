#include "controller/event_recorder.h"

#include <ctime>
#include <sstream>

namespace sidecar::controller {

namespace {
constexpr std::size_t kMaxRemembered = 4096;
}

std::string rfc3339(std::chrono::system_clock::time_point t, bool micros) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (micros) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%06lld", static_cast<long long>(us));
    out += frac;
  }
  return out + "Z";
}

EventRecorder::EventRecorder(RestClient& client, std::string component, Clock& clock)
    : client_(client), component_(std::move(component)), clock_(clock) {}

Expected<void> EventRecorder::emitEvent(const ObjectReference& involved, EventType type, const std::string& reason,
                                        const std::string& message) {
  const std::string typeText = type == EventType::Warning ? "Warning" : "Normal";
  const std::string key = involved.kind + "/" + involved.ns + "/" + involved.name + "/" + involved.uid + "/" +
                          typeText + "/" + reason + "/" + message;
  const auto now = clock_.wallNow();
  const std::string stamp = rfc3339(now);
  std::unique_lock lock(mutex_);
  auto it = seen_.find(key);
  if (it != seen_.end()) {
    Seen& s = it->second;
    nlohmann::json patch = {{"count", s.count + 1}, {"lastTimestamp", stamp}};
    auto patched = client_.patch(resources::kEvents, s.ns, s.name, PatchType::Merge, patch.dump());
    if (patched) {
      ++s.count;
      return {};
    }
    if (!patched.error().notFound()) {
      return fail("event " + reason + " on " + involved.kind + " " + involved.name + ": " + patched.error().message);
    }
    // The Event expired (the API server keeps them for an hour): start a new one.
    seen_.erase(it);
  }
  const std::string ns = involved.ns.empty() ? "default" : involved.ns;
  std::ostringstream name;
  name << involved.name << "." << std::hex
       << std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  nlohmann::json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name.str()}, {"namespace", ns}}},
      {"involvedObject",
       {{"apiVersion", involved.apiVersion},
        {"kind", involved.kind},
        {"namespace", involved.ns},
        {"name", involved.name},
        {"uid", involved.uid},
        {"resourceVersion", involved.resourceVersion}}},
      {"reason", reason},
      {"message", message},
      {"type", typeText},
      {"source", {{"component", component_}}},
      {"reportingComponent", component_},
      {"firstTimestamp", stamp},
      {"lastTimestamp", stamp},
      {"count", 1},
  };
  auto created = client_.create(resources::kEvents, ns, event);
  if (!created) {
    return fail("event " + reason + " on " + involved.kind + " " + involved.name + ": " + created.error().message);
  }
  if (seen_.size() >= kMaxRemembered) {
    seen_.clear();
  }
  seen_[key] = Seen{ns, name.str(), 1};
  return {};
}

}  // namespace sidecar::controller
