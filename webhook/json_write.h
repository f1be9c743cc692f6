#pragma once

// Output helpers for writing JSON without a DOM: the admission response is a fixed shape,
// so string building is both simpler and several times faster than a serializer.

#include <string>
#include <string_view>

namespace sidecar::webhook {

// Appends s as a quoted JSON string. Control characters are escaped; bytes that are not
// valid UTF-8 become U+FFFD so the API server's decoder never rejects our response.
void appendJsonString(std::string& out, std::string_view s);

}  // namespace sidecar::webhook
