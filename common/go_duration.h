#pragma once

// Durations as Go writes and reads them: time.Duration's String() and time.ParseDuration
// (flags, template output), and the protobuf JSON form ("1.5s") of Istio's mesh config.
// All in integer nanoseconds, exactly, as Go's int64 Duration.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.h"

namespace sidecar {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// time.Duration.String(): "45s", "1m0s", "100ms", "1h2m3.5s", "1.5µs", "0s".
std::string formatGoDuration(int64_t nanos);

// time.ParseDuration: [-+]? then one or more decimal numbers with a unit each (ns, us, µs,
// μs, ms, s, m, h), e.g. "300ms", "-1.5h", "2h45m"; "0" alone needs no unit. Errors
// (InvalidArgument) quote the input like Go: `time: invalid duration "5d"`.
Expected<int64_t> parseGoDuration(std::string_view text);

// A protobuf-JSON google.protobuf.Duration ("45s", "0.100s", "-1.5s"): seconds with up to
// nine fractional digits and an 's' suffix, at most 315576000000 seconds.
Expected<int64_t> parseProtoDuration(std::string_view text);

}  // namespace sidecar
