#pragma once

// Decoding of AdmissionReview requests (admission.k8s.io/v1 and v1beta1) and encoding of
// the matching response, without building a DOM of the pod.

#include <memory>
#include <string>
#include <string_view>

#include "common/expected.h"
#include "webhook/pod_mutator.h"

namespace sidecar::webhook {

enum class AdmissionApiVersion { V1, V1beta1 };

std::string_view apiVersionString(AdmissionApiVersion version);

// A decoded review. The views point into the decoder's storage, which lives until the next
// decode on the same thread (or until the DecodedReview for a large body is destroyed), and
// into objectStorage.
struct DecodedReview {
  AdmissionApiVersion apiVersion = AdmissionApiVersion::V1;
  AdmissionRequestView request;
  // Set when the envelope is fine but request.object is unusable: the answer is then a
  // well-formed review with allowed=false and code 400, not an HTTP error, so the API
  // server shows the message to the user.
  std::string objectError;
  // Holds the compact object bytes that request.object points to. On the heap so the view
  // survives moves and copies of the DecodedReview (a short std::string would move its
  // inline buffer away from under the view).
  std::shared_ptr<const std::string> objectStorage;
  // Keeps a one-off parser (large bodies) alive as long as the views.
  std::shared_ptr<void> keepAlive;
};

// Fails (for an HTTP 400) on malformed JSON, an unknown apiVersion/kind, a missing
// `request` object or a missing `request.uid`; the message names the field.
Expected<DecodedReview> decodeAdmissionReview(std::string_view body);

// The AdmissionReview response body for a mutation result.
std::string encodeAdmissionResponse(AdmissionApiVersion version, std::string_view uid,
                                    const MutationResult& result);

// allowed=false with status {code, message}.
std::string encodeAdmissionDenial(AdmissionApiVersion version, std::string_view uid, int code,
                                  std::string_view message);

}  // namespace sidecar::webhook
