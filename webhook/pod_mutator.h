#pragma once

// The seam between the HTTPS server and the injection core. The server extracts the few
// fields it needs from the AdmissionReview and hands the raw pod bytes over, so the core
// can parse the pod with whatever representation it prefers and the server never builds a
// DOM of the pod.

#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sidecar::webhook {

// Views into the request body; valid only for the duration of PodMutator::mutate().
struct AdmissionRequestView {
  std::string_view uid;
  std::string_view kind;  // request.kind.kind, e.g. "Pod"
  std::string_view namespace_;
  std::string_view name;
  std::string_view operation;  // CREATE, UPDATE, ...
  std::string_view object;     // request.object as compact JSON bytes (always an object)
};

struct MutationResult {
  enum class Outcome { Patched, Skipped, Failed };
  Outcome outcome = Outcome::Skipped;
  std::string patch;    // RFC 6902 JSON array when Patched
  // Bounded metric label such as "policy_disabled", "host_network", "invalid_annotation".
  std::string reason;
  std::string message;  // human text: status.message on failure, always in the debug log
  // Of a Failed result: InvalidArgument is the caller's fault (status code 400), anything
  // else the server's (500).
  ErrorCode code = ErrorCode::Unknown;
};

class PodMutator {
 public:
  virtual ~PodMutator() = default;
  // Must be thread-safe: the server calls it from every worker thread at once.
  virtual MutationResult mutate(const AdmissionRequestView& request) const = 0;
  // False (with the reason in *why when non-null) until the injection config is loaded.
  virtual bool ready(std::string* why) const = 0;
};

using PodMutatorPtr = std::shared_ptr<const PodMutator>;

}  // namespace sidecar::webhook
