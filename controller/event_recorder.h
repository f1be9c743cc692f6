#pragma once

// Kubernetes Events through the core/v1 API. A repeat of the same (object, type, reason,
// message) bumps the existing Event's count instead of creating a new one, as client-go's
// correlator does, so a config that stays invalid does not flood the namespace.

#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

struct ObjectReference {
  std::string apiVersion;
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string resourceVersion;
};

enum class EventType { Normal, Warning };

class EventRecorder {
 public:
  EventRecorder(RestClient& client, std::string component, Clock& clock = systemClock());

  Expected<void> emitEvent(const ObjectReference& involved, EventType type, const std::string& reason,
                           const std::string& message);

 private:
  struct Seen {
    std::string ns;
    std::string name;
    int count = 0;
  };

  RestClient& client_;
  std::string component_;
  Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Seen> seen_;
};

std::string rfc3339(std::chrono::system_clock::time_point t, bool micros = false);

}  // namespace sidecar::controller
