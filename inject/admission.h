#pragma once

// The webhook's entry into the core: the pod of an AdmissionReview request (raw JSON bytes)
// and the request namespace in, the policy decision and the RFC 6902 patch out.

#include <string>
#include <string_view>
#include <vector>

#include "inject/config.h"
#include "inject/policy.h"

namespace sidecar::inject {

struct AdmissionOutcome {
  enum class Kind { Patched, Skipped, Failed };
  Kind kind = Kind::Skipped;
  Decision decision;          // why (for Failed: InvalidAnnotation or TemplateError)
  std::string patch;          // JSON array when Patched
  std::string message;        // failure text (for the AdmissionResponse status) or explanation
  ErrorCode code = ErrorCode::Unknown;  // of a Failed outcome: whose fault (see admitPod)
  std::vector<std::string> warnings;
};

// podJson: request.object; requestNamespace: request.namespace. Never throws. A Failed
// outcome's code says whose fault it is: malformed pod JSON or a field of the wrong type
// (Reason::InvalidPod, the message names the field) and a bad annotation
// (Reason::InvalidAnnotation) are InvalidArgument, the caller's; a template that cannot be
// rendered or decoded (Reason::TemplateError) is FailedPrecondition, the configuration's; an
// exception escaping the injection code (Reason::InternalError) is Internal, a bug.
AdmissionOutcome admitPod(const InjectionConfig& config, std::string_view podJson, std::string_view requestNamespace);

// Metric label of an outcome: reasonName() of its decision.
std::string_view outcomeReason(const AdmissionOutcome& outcome);

}  // namespace sidecar::inject
