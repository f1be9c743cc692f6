#pragma once

// metav1.Time's JSON form: RFC 3339 in, RFC 3339 in UTC with whole seconds out.

#include <optional>
#include <string>
#include <string_view>

namespace sidecar::kube {

// "2019-10-01T12:00:00.5+02:00" -> "2019-10-01T10:00:00Z"; nullopt when the text is not
// RFC 3339 (Go's time.Parse(time.RFC3339, ...) would fail).
std::optional<std::string> normalizeRfc3339(std::string_view text);

}  // namespace sidecar::kube
