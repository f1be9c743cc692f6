#include "kube/quantity.h"

#include <limits>

namespace sidecar::kube {
namespace {

constexpr std::string_view kErrFormat =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kErrNumeric = "unable to parse numeric part of quantity";
constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";
// Keeps every intermediate product inside __int128.
constexpr __int128 kLimit = static_cast<__int128>(1) << 100;
// Input digits accumulate up to here (int128 holds ~1.7e38): 10^37.
constexpr __int128 kDigitsLimit =
    static_cast<__int128>(10'000'000'000'000'000'000ULL) * 1'000'000'000'000'000'000ULL;
// A parsed mantissa stays below 10^35, so toString()'s mantissa (at most 100 times it) reads back.
constexpr __int128 kMantissaLimit = kDigitsLimit / 100;

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

struct Pieces {
  bool positive = true;
  std::string_view num;
  std::string_view denom;
  std::string_view suffix;
};

// Go's parseQuantityString.
bool splitQuantity(std::string_view s, Pieces& p) {
  size_t pos = 0;
  const size_t end = s.size();
  if (pos < end && (s[0] == '-' || s[0] == '+')) {
    p.positive = s[0] != '-';
    ++pos;
  }
  while (pos < end && s[pos] == '0') {
    ++pos;
  }
  if (pos >= end) {
    p.num = "0";
    return true;
  }
  size_t i = pos;
  while (i < end && isDigit(s[i])) {
    ++i;
  }
  p.num = s.substr(pos, i - pos);
  if (p.num.empty()) {
    p.num = "0";
  }
  pos = i;
  if (pos >= end) {
    return true;
  }
  if (s[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && isDigit(s[i])) {
      ++i;
    }
    p.denom = s.substr(pos, i - pos);
    pos = i;
    if (pos >= end) {
      return true;
    }
  }
  const size_t suffixStart = pos;
  while (pos < end && std::string_view("eEinumkKMGTP").find(s[pos]) != std::string_view::npos) {
    ++pos;
  }
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) {
    ++pos;
  }
  while (pos < end && isDigit(s[pos])) {
    ++pos;
  }
  if (pos != end) {
    return false;
  }
  p.suffix = s.substr(suffixStart);
  return true;
}

bool interpretSuffix(std::string_view suf, int& base, int& exponent, Quantity::Format& format) {
  struct Entry {
    std::string_view text;
    int base;
    int exponent;
  };
  static constexpr Entry kTable[] = {
      {"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"k", 10, 3},  {"M", 10, 6},
      {"G", 10, 9},  {"T", 10, 12}, {"P", 10, 15}, {"E", 10, 18}, {"Ki", 2, 10}, {"Mi", 2, 20},
      {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60},
  };
  for (const auto& e : kTable) {
    if (e.text == suf) {
      base = e.base;
      exponent = e.exponent;
      format = base == 2 ? Quantity::Format::BinarySI : Quantity::Format::DecimalSI;
      return true;
    }
  }
  if (suf.size() > 1 && (suf[0] == 'e' || suf[0] == 'E')) {
    std::string_view digits = suf.substr(1);
    bool neg = false;
    if (digits[0] == '+' || digits[0] == '-') {
      neg = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 6) {
      return false;
    }
    int v = 0;
    for (char c : digits) {
      if (!isDigit(c)) {
        return false;
      }
      v = v * 10 + (c - '0');
    }
    base = 10;
    exponent = neg ? -v : v;
    format = Quantity::Format::DecimalExponent;
    return true;
  }
  return false;
}

__int128 absValue(__int128 v) {
  return v < 0 ? -v : v;
}

std::string toDecimal(__int128 v) {
  if (v == 0) {
    return "0";
  }
  const bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

std::string_view decimalSuffix(int exponent) {
  switch (exponent) {
    case -9:
      return "n";
    case -6:
      return "u";
    case -3:
      return "m";
    case 0:
      return "";
    case 3:
      return "k";
    case 6:
      return "M";
    case 9:
      return "G";
    case 12:
      return "T";
    case 15:
      return "P";
    case 18:
      return "E";
    default:
      return "?";
  }
}

// ceil(mantissa * 10^(scale + shift)) clamped to int64.
int64_t scaledCeil(__int128 mantissa, int scale, int shift) {
  int e = scale + shift;
  __int128 v = mantissa;
  while (e > 0) {
    if (absValue(v) > kLimit) {
      return v > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
    }
    v *= 10;
    --e;
  }
  if (e < 0) {
    __int128 div = 1;
    for (int k = 0; k < -e && k < 38; ++k) {
      div *= 10;
    }
    __int128 q = v / div;
    if (v % div != 0 && v > 0) {
      ++q;
    }
    v = q;
  }
  if (v > std::numeric_limits<int64_t>::max()) {
    return std::numeric_limits<int64_t>::max();
  }
  if (v < std::numeric_limits<int64_t>::min()) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

}  // namespace

Expected<Quantity> Quantity::parse(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  if (text.empty()) {
    return fail(std::string(kErrFormat));
  }
  Pieces p;
  if (!splitQuantity(text, p)) {
    return fail(std::string(kErrFormat));
  }
  int base = 10;
  int exponent = 0;
  Format format = Format::DecimalSI;
  if (!interpretSuffix(p.suffix, base, exponent, format)) {
    return fail(std::string(kErrSuffix));
  }
  // Exact value: digits(num.denom) * 10^-len(denom) * base^exponent. The digits may run
  // past kLimit as long as int128 holds them: "99992.99999999999999999999999999E" is a
  // modest value whose nano-precise mantissa is long, and toString() prints such mantissas.
  __int128 digits = 0;
  for (std::string_view part : {p.num, p.denom}) {
    for (char c : part) {
      if (digits > kDigitsLimit) {
        return fail(std::string(kErrNumeric) + " (value too large)");
      }
      digits = digits * 10 + (c - '0');
    }
  }
  int scale = -static_cast<int>(p.denom.size());
  if (base == 10) {
    scale += exponent;
  } else {
    for (int k = 0; k < exponent; ++k) {
      if (digits > kLimit) {
        return fail(std::string(kErrNumeric) + " (value too large)");
      }
      digits *= 2;
    }
  }
  // Normalise: trailing zeros into the scale, then clamp the scale to >= -9 rounding away
  // from zero (Go rounds sub-nano amounts up so a tiny request still gets something).
  while (digits != 0 && digits % 10 == 0 && scale < 0) {
    digits /= 10;
    ++scale;
  }
  if (scale < -9) {
    __int128 div = 1;
    bool overflowed = false;
    for (int k = 0; k < -9 - scale; ++k) {
      if (div > kLimit) {
        overflowed = true;
        break;
      }
      div *= 10;
    }
    if (overflowed) {
      digits = digits != 0 ? 1 : 0;
    } else {
      const bool inexact = digits % div != 0;
      digits = digits / div + (inexact ? 1 : 0);
    }
    scale = -9;
  }
  while (scale > 0) {
    // The same bound as for written-out digits: "500090e27" and its 33 digits are one value.
    if (digits > kMantissaLimit / 10) {
      return fail(std::string(kErrNumeric) + " (value too large)");
    }
    digits *= 10;
    --scale;
  }
  // toString() may scale the mantissa by up to 100; what it prints must parse again.
  if (digits > kMantissaLimit) {
    return fail(std::string(kErrNumeric) + " (value too large)");
  }
  // Go caps big binary quantities (its big-decimal path) at the int64 maximum.
  constexpr __int128 kInt64Max = std::numeric_limits<int64_t>::max();
  if (base == 2 && scale == 0 && digits > kInt64Max) {
    digits = kInt64Max;
  }
  Quantity q;
  q.mantissa_ = p.positive ? digits : -digits;
  q.scale_ = scale;
  q.format_ = format;

  // Go's fast path (int64 arithmetic) keeps the input spelling when it looks canonical.
  const int numLen = static_cast<int>(p.num.size());
  const int denomLen = static_cast<int>(p.denom.size());
  bool fastPath = false;
  if (base == 10) {
    fastPath = 18 - (numLen + denomLen) >= 0 && exponent - denomLen >= -9;
  } else {
    fastPath = denomLen == 0 && 14 - numLen - (exponent * 3) / 10 >= 0;
  }
  if (fastPath && !q.isZero()) {
    const std::string shifted = std::string(p.num) + std::string(p.denom);
    if (base == 2) {
      int64_t value = 0;
      for (char c : shifted) {
        value = value * 10 + (c - '0');
      }
      if (exponent % 10 == 0 && (value & 0x07) != 0) {
        q.cached_ = std::string(text);
      }
    } else {
      const int goScale = exponent - denomLen;
      const bool endsWith000 =
          shifted.size() >= 3 && shifted.compare(shifted.size() - 3, 3, "000") == 0;
      if (goScale % 3 == 0 && !endsWith000 && shifted[0] != '0') {
        q.cached_ = std::string(text);
      }
    }
  }
  return q;
}

std::string Quantity::toString() const {
  if (isZero()) {
    return "0";
  }
  if (!cached_.empty()) {
    return cached_;
  }
  Format format = format_;
  if (format == Format::BinarySI) {
    // |value| < 1024 or fractional values print in decimal SI.
    const bool integral = scale_ >= 0;
    __int128 whole = mantissa_;
    for (int k = 0; k < scale_; ++k) {
      whole *= 10;
    }
    if (!integral || absValue(whole) < 1024) {
      format = Format::DecimalSI;
    } else {
      int exp = 0;
      while (whole % 1024 == 0 && exp < 6) {
        whole /= 1024;
        ++exp;
      }
      static constexpr std::string_view kBin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      return toDecimal(whole) + std::string(kBin[exp]);
    }
  }
  __int128 amount = mantissa_;
  int exponent = scale_;
  while (amount % 10 == 0) {
    amount /= 10;
    ++exponent;
  }
  while (((exponent % 3) + 3) % 3 != 0) {
    amount *= 10;
    --exponent;
  }
  if (format == Format::DecimalExponent) {
    return toDecimal(amount) + (exponent == 0 ? std::string() : "e" + std::to_string(exponent));
  }
  std::string_view suffix = decimalSuffix(exponent);
  if (suffix == "?") {
    return toDecimal(amount) + "e" + std::to_string(exponent);
  }
  return toDecimal(amount) + std::string(suffix);
}

int64_t Quantity::milliValue() const {
  return scaledCeil(mantissa_, scale_, 3);
}

int64_t Quantity::ceilValue() const {
  return scaledCeil(mantissa_, scale_, 0);
}

}  // namespace sidecar::kube
