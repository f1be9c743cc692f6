#pragma once

// "May I?" before doing: SelfSubjectAccessReviews for the verbs a feature needs, so a
// feature whose RBAC was not granted is switched off up front and said so, instead of
// failing half-way through (a restart that deleted one pod of three, say).

#include <string>
#include <vector>

#include "common/expected.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

struct AccessCheck {
  std::string group;     // "" for the core group
  std::string resource;  // "pods"
  std::string verb;      // "delete"
};

// The checks the API server does not allow, as "delete pods", "patch deployments.apps".
// An error means the question could not be asked (then the caller cannot know either).
Expected<std::vector<std::string>> deniedAccess(RestClient& client,
                                                const std::vector<AccessCheck>& checks);

}  // namespace sidecar::controller
