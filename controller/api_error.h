#pragma once

// A failed API call: the HTTP status (0 for transport failures), Kubernetes' reason
// ("NotFound", "Conflict", "Expired"...) and a sentence that names verb and resource.

#include <string>

#include "common/expected.h"

namespace sidecar::controller {

struct ApiError {
  int status = 0;
  std::string reason;
  std::string message;

  ApiError() = default;
  ApiError(int s, std::string r, std::string m) : status(s), reason(std::move(r)), message(std::move(m)) {}
  // Lets `fail("...")` produce an ApiError for local failures.
  ApiError(Error e) : message(std::move(e.message)) {}

  bool notFound() const { return status == 404; }
  bool conflict() const { return status == 409; }
  bool gone() const { return status == 410; }
  Error toError() const { return Error(message); }
};

template <class T>
using ApiResult = Expected<T, ApiError>;

inline Unexpected<ApiError> apiFail(ApiError e) { return Unexpected<ApiError>(std::move(e)); }

}  // namespace sidecar::controller
