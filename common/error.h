#pragma once

// The error every Expected in this project carries: a code that callers branch on, next to
// a human sentence that names the offending field, line or annotation. Callers decide by the
// code (bad request or server fault, retry or give up), never by reading the message.

#include <string>
#include <string_view>
#include <utility>

namespace sidecar {

// The gRPC / Kubernetes status vocabulary, restricted to what the project distinguishes.
enum class ErrorCode {
  Unknown,             // not classified (plain fail(message)); treated as a server fault
  InvalidArgument,     // the caller's input is wrong: bad pod, annotation, flag, file content
  NotFound,            // a named object or file does not exist
  AlreadyExists,       // create of something that exists
  Conflict,            // optimistic concurrency lost (resourceVersion changed)
  Unavailable,         // transient: a connection failed, a dependency is not ready yet
  FailedPrecondition,  // the program's state or configuration cannot serve the request
  DeadlineExceeded,    // a deadline passed before the operation finished
  PermissionDenied,    // authenticated but not allowed
  Internal,            // a bug or a broken invariant of this program
};

struct Error {
  ErrorCode code = ErrorCode::Unknown;
  std::string message;

  Error() = default;
  explicit Error(std::string m) : message(std::move(m)) {}
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}

  // Returns a copy with "context: " prepended, for errors crossing a layer; the code stays.
  Error withContext(std::string_view context) const {
    return Error(code, std::string(context) + ": " + message);
  }

  // True when the input was at fault (HTTP 400, an admission denial rather than a 500).
  bool isCallerFault() const { return code == ErrorCode::InvalidArgument; }
};

inline std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::Unknown:
      return "Unknown";
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::AlreadyExists:
      return "AlreadyExists";
    case ErrorCode::Conflict:
      return "Conflict";
    case ErrorCode::Unavailable:
      return "Unavailable";
    case ErrorCode::FailedPrecondition:
      return "FailedPrecondition";
    case ErrorCode::DeadlineExceeded:
      return "DeadlineExceeded";
    case ErrorCode::PermissionDenied:
      return "PermissionDenied";
    case ErrorCode::Internal:
      return "Internal";
  }
  return "Unknown";
}

}  // namespace sidecar
