#include "common/go_duration.h"

#include <cctype>
#include <charconv>

namespace sidecar {

namespace {

// Go's time.ParseDuration unit table, in nanoseconds.
int64_t unitNanos(std::string_view unit) {
  if (unit == "ns") {
    return 1;
  }
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {  // U+00B5 and U+03BC
    return 1'000;
  }
  if (unit == "ms") {
    return 1'000'000;
  }
  if (unit == "s") {
    return kNanosPerSecond;
  }
  if (unit == "m") {
    return 60 * kNanosPerSecond;
  }
  if (unit == "h") {
    return 3600 * kNanosPerSecond;
  }
  return 0;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

Expected<int64_t> parseGoDuration(std::string_view text) {
  auto invalid = [&](std::string_view why = {}) {
    return fail(ErrorCode::InvalidArgument,
                "time: " + (why.empty() ? std::string("invalid duration") : std::string(why)) +
                    " \"" + std::string(text) + "\"");
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return int64_t{0};
  }
  if (s.empty()) {
    return invalid();
  }
  // Accumulated in unsigned 64 bits like Go, so that -9223372036854775808ns is representable.
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!isDigit(s.front()) && s.front() != '.') {
      return invalid();
    }
    uint64_t whole = 0;
    size_t i = 0;
    bool overflow = false;
    for (; i < s.size() && isDigit(s[i]); ++i) {
      if (whole > (kLimit - 1) / 10) {
        overflow = true;
      }
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kLimit) {
        overflow = true;
      }
    }
    const bool hadWhole = i > 0;
    uint64_t fraction = 0;
    uint64_t scale = 1;
    bool hadFraction = false;
    bool fractionFull = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      for (; i < s.size() && isDigit(s[i]); ++i) {
        hadFraction = true;
        // Digits beyond what 64 bits hold are dropped, as Go's leadingFraction does.
        if (fractionFull || fraction > (kLimit - 1) / 10) {
          fractionFull = true;
          continue;
        }
        const uint64_t next = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
        if (next > kLimit) {
          fractionFull = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
    }
    if (!hadWhole && !hadFraction) {
      return invalid();
    }
    if (overflow) {
      return invalid("invalid duration");
    }
    size_t unitEnd = i;
    while (unitEnd < s.size() && s[unitEnd] != '.' && !isDigit(s[unitEnd])) {
      ++unitEnd;
    }
    const std::string_view unit = s.substr(i, unitEnd - i);
    if (unit.empty()) {
      return invalid("missing unit in duration");
    }
    const int64_t perUnit = unitNanos(unit);
    if (perUnit == 0) {
      return fail(ErrorCode::InvalidArgument, "time: unknown unit \"" + std::string(unit) +
                                                  "\" in duration \"" + std::string(text) + "\"");
    }
    const auto unitSize = static_cast<uint64_t>(perUnit);
    if (whole > kLimit / unitSize) {
      return invalid();
    }
    uint64_t value = whole * unitSize;
    if (fraction > 0) {
      // float64 arithmetic as in Go: v += uint64(float64(f) * (float64(unit) / scale)).
      value += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(unitSize) / static_cast<double>(scale)));
      if (value > kLimit) {
        return invalid();
      }
    }
    total += value;
    if (total > kLimit) {
      return invalid();
    }
    s.remove_prefix(unitEnd);
  }
  if (negative) {
    return static_cast<int64_t>(0 - total);
  }
  if (total > kLimit - 1) {
    return invalid();
  }
  return static_cast<int64_t>(total);
}

Expected<int64_t> parseProtoDuration(std::string_view text) {
  std::string_view s = text;
  if (s.empty() || s.back() != 's') {
    return fail(ErrorCode::InvalidArgument, "invalid duration \"" + std::string(text) +
                                                "\": expected seconds with an 's' suffix");
  }
  s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  auto dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) {
    return fail(ErrorCode::InvalidArgument, "invalid duration \"" + std::string(text) + "\"");
  }
  int64_t seconds = 0;
  if (!whole.empty()) {
    auto [ptr, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
    if (ec != std::errc() || ptr != whole.data() + whole.size() || seconds > 315576000000) {
      return fail(ErrorCode::InvalidArgument, "invalid duration \"" + std::string(text) + "\"");
    }
  }
  if (frac.size() > 9) {
    return fail(ErrorCode::InvalidArgument,
                "invalid duration \"" + std::string(text) + "\": more than nanosecond precision");
  }
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) {
    int digit = 0;
    if (i < frac.size()) {
      if (!std::isdigit(static_cast<unsigned char>(frac[i]))) {
        return fail(ErrorCode::InvalidArgument, "invalid duration \"" + std::string(text) + "\"");
      }
      digit = frac[i] - '0';
    }
    nanos = nanos * 10 + digit;
  }
  int64_t total = seconds * kNanosPerSecond + nanos;
  return negative ? -total : total;
}

std::string formatGoDuration(int64_t nanos) {
  if (nanos == 0) {
    return "0s";
  }
  bool negative = nanos < 0;
  uint64_t u = negative ? static_cast<uint64_t>(-(nanos + 1)) + 1 : static_cast<uint64_t>(nanos);
  // Fraction of u / 10^prec without trailing zeros (and without the dot when zero).
  auto frac = [](uint64_t v, int prec, std::string& tail) -> uint64_t {
    std::string digits;
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      int digit = static_cast<int>(v % 10);
      print = print || digit != 0;
      if (print) {
        digits.insert(digits.begin(), static_cast<char>('0' + digit));
      }
      v /= 10;
    }
    if (print) {
      tail = "." + digits + tail;
    }
    return v;
  };
  std::string out;
  if (u < static_cast<uint64_t>(kNanosPerSecond)) {
    std::string unit;
    int prec = 0;
    if (u < 1000) {
      unit = "ns";
    } else if (u < 1000000) {
      unit = "\xC2\xB5s";
      prec = 3;
    } else {
      unit = "ms";
      prec = 6;
    }
    std::string tail = unit;
    uint64_t whole = frac(u, prec, tail);
    out = std::to_string(whole) + tail;
  } else {
    std::string tail = "s";
    u = frac(u, 9, tail);
    out = std::to_string(u % 60) + tail;
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) {
        out = std::to_string(u) + "h" + out;
      }
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace sidecar
