#include "kube/yaml_scalar.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace sidecar::kube::detail {
namespace {

using nlohmann::json;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int digitValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return 99;
}

// strconv.ParseUint(s, 0, 64) minus underscores (yaml.v2 strips them before calling).
bool parseGoUint(std::string_view s, uint64_t& out) {
  if (s.empty()) {
    return false;
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    const char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) {
      return false;
    }
  }
  uint64_t v = 0;
  for (char c : s) {
    const int d = digitValue(c);
    if (d >= base) {
      return false;
    }
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return false;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

// strconv.ParseInt(s, 0, 64).
bool parseGoInt(std::string_view s, int64_t& out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t u = 0;
  if (!parseGoUint(s, u)) {
    return false;
  }
  constexpr uint64_t kMaxPos = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (neg) {
    if (u > kMaxPos + 1) {
      return false;
    }
    out = u == kMaxPos + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(u);
  } else {
    if (u > kMaxPos) {
      return false;
    }
    out = static_cast<int64_t>(u);
  }
  return true;
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool matchesYamlFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && isDigit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
  } else {
    const size_t start = i;
    while (i < s.size() && isDigit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && isDigit(s[i])) {
        ++i;
      }
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    const size_t start = i;
    while (i < s.size() && isDigit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
  }
  return i == s.size();
}

// strconv.ParseFloat for text already known to match the YAML float shape; false on
// overflow (Go reports ErrRange and yaml.v2 then keeps the text as a string).
bool parseFloatText(const std::string& s, double& out) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) {
    return false;
  }
  if (std::isinf(v)) {
    return false;
  }
  out = v;
  return true;
}

struct Fixed {
  std::string_view text;
  int kind;  // 0 true, 1 false, 2 null, 3 nan, 4 +inf, 5 -inf
};

constexpr std::array<Fixed, 31> kFixed{{
    {"y", 0},      {"Y", 0},      {"yes", 0},    {"Yes", 0},    {"YES", 0},   {"true", 0},
    {"True", 0},   {"TRUE", 0},   {"on", 0},     {"On", 0},     {"ON", 0},    {"n", 1},
    {"N", 1},      {"no", 1},     {"No", 1},     {"NO", 1},     {"false", 1}, {"False", 1},
    {"FALSE", 1},  {"off", 1},    {"Off", 1},    {"OFF", 1},    {"~", 2},     {"null", 2},
    {"Null", 2},   {"NULL", 2},   {".nan", 3},   {".NaN", 3},   {".NAN", 3},  {".inf", 4},
    {".Inf", 4},
}};
constexpr std::array<Fixed, 7> kFixedMore{{
    {".INF", 4}, {"+.inf", 4}, {"+.Inf", 4}, {"+.INF", 4}, {"-.inf", 5}, {"-.Inf", 5}, {"-.INF", 5},
}};

bool lookupFixed(std::string_view s, json& out) {
  auto make = [&](int kind) {
    switch (kind) {
      case 0:
        out = true;
        break;
      case 1:
        out = false;
        break;
      case 2:
        out = nullptr;
        break;
      case 3:
        out = std::numeric_limits<double>::quiet_NaN();
        break;
      case 4:
        out = std::numeric_limits<double>::infinity();
        break;
      default:
        out = -std::numeric_limits<double>::infinity();
        break;
    }
  };
  for (const auto& f : kFixed) {
    if (f.text == s) {
      make(f.kind);
      return true;
    }
  }
  for (const auto& f : kFixedMore) {
    if (f.text == s) {
      make(f.kind);
      return true;
    }
  }
  return false;
}

// The first-character hint table of yaml.v2's resolver.
char hintFor(char c) {
  if (c == '+' || c == '-') {
    return 'S';
  }
  if (isDigit(c)) {
    return 'D';
  }
  switch (c) {
    case 'y':
    case 'Y':
    case 'n':
    case 'N':
    case 't':
    case 'T':
    case 'f':
    case 'F':
    case 'o':
    case 'O':
    case '~':
      return 'M';
    case '.':
      return '.';
    default:
      return 0;
  }
}

bool readNumber(std::string_view s, size_t& i, size_t minDigits, size_t maxDigits, int& value) {
  size_t n = 0;
  value = 0;
  while (i < s.size() && isDigit(s[i]) && n < maxDigits) {
    value = value * 10 + (s[i] - '0');
    ++i;
    ++n;
  }
  return n >= minDigits;
}

}  // namespace

bool looksLikeTimestamp(std::string_view s) {
  size_t i = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  if (!readNumber(s, i, 4, 4, year) || i >= s.size() || s[i] != '-') {
    return false;
  }
  ++i;
  if (!readNumber(s, i, 1, 2, month) || i >= s.size() || s[i] != '-') {
    return false;
  }
  ++i;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!readNumber(s, i, 1, 2, day) || month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) {
    return false;
  }
  if (i == s.size()) {
    return true;
  }
  const char sep = s[i];
  if (sep != 'T' && sep != 't' && sep != ' ') {
    return false;
  }
  ++i;
  int h = 0;
  int m = 0;
  int sec = 0;
  if (!readNumber(s, i, 1, 2, h) || i >= s.size() || s[i] != ':') {
    return false;
  }
  ++i;
  if (!readNumber(s, i, 1, 2, m) || i >= s.size() || s[i] != ':') {
    return false;
  }
  ++i;
  if (!readNumber(s, i, 1, 2, sec) || h > 23 || m > 59 || sec > 59) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && isDigit(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
  }
  if (sep == ' ') {
    return i == s.size();
  }
  if (i < s.size() && s[i] == 'Z') {
    return i + 1 == s.size();
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
    int zh = 0;
    int zm = 0;
    if (!readNumber(s, i, 2, 2, zh) || i >= s.size() || s[i] != ':') {
      return false;
    }
    ++i;
    return readNumber(s, i, 2, 2, zm) && i == s.size();
  }
  return false;
}

bool isBase60Float(std::string_view s) {
  // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
  }
  if (i >= s.size() || !isDigit(s[i])) {
    return false;
  }
  ++i;
  while (i < s.size() && (isDigit(s[i]) || s[i] == '_')) {
    ++i;
  }
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    if (i < s.size() && s[i] >= '0' && s[i] <= '5' && i + 1 < s.size() && isDigit(s[i + 1])) {
      i += 2;
    } else if (i < s.size() && isDigit(s[i])) {
      ++i;
    } else {
      return false;
    }
    ++groups;
  }
  if (groups == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (isDigit(s[i]) || s[i] == '_')) {
      ++i;
    }
  }
  return i == s.size();
}

json resolvePlainScalar(std::string_view s) {
  json fixed;
  if (s.empty()) {
    return nullptr;
  }
  const char hint = hintFor(s[0]);
  if (hint == 0) {
    return std::string(s);
  }
  if (lookupFixed(s, fixed)) {
    return fixed;
  }
  if (hint == '.') {
    if (matchesYamlFloat(s)) {
      double v = 0;
      if (parseFloatText(std::string(s), v)) {
        return v;
      }
    }
    return std::string(s);
  }
  if (hint == 'D' || hint == 'S') {
    if (looksLikeTimestamp(s)) {
      return std::string(s);
    }
    std::string plain;
    plain.reserve(s.size());
    for (char c : s) {
      if (c != '_') {
        plain.push_back(c);
      }
    }
    int64_t iv = 0;
    if (parseGoInt(plain, iv)) {
      return iv;
    }
    uint64_t uv = 0;
    if (!plain.empty() && plain[0] != '+' && plain[0] != '-' && parseGoUint(plain, uv)) {
      return uv;
    }
    if (matchesYamlFloat(plain)) {
      double v = 0;
      if (parseFloatText(plain, v)) {
        return v;
      }
    }
  }
  return std::string(s);
}

bool plainScalarIsString(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  // Most strings start with a character that yaml.v2 never resolves further.
  if (hintFor(s[0]) == 0) {
    return true;
  }
  return resolvePlainScalar(s).is_string();
}

bool isPrintableAt(std::string_view t, size_t i) {
  auto at = [&](size_t k) -> unsigned char { return k < t.size() ? static_cast<unsigned char>(t[k]) : 0; };
  const unsigned char b = at(i);
  return b == 0x0A || (b >= 0x20 && b <= 0x7E) || (b == 0xC2 && at(i + 1) >= 0xA0) ||
         (b > 0xC2 && b < 0xED) || (b == 0xED && at(i + 1) < 0xA0) || b == 0xEE ||
         (b == 0xEF && !(at(i + 1) == 0xBB && at(i + 2) == 0xBF) &&
          !(at(i + 1) == 0xBF && (at(i + 2) == 0xBE || at(i + 2) == 0xBF)));
}

namespace {

size_t utf8Width(unsigned char b) {
  if ((b & 0x80) == 0) {
    return 1;
  }
  if ((b & 0xE0) == 0xC0) {
    return 2;
  }
  if ((b & 0xF0) == 0xE0) {
    return 3;
  }
  if ((b & 0xF8) == 0xF0) {
    return 4;
  }
  return 1;
}

}  // namespace

ScalarAnalysis analyzeScalar(std::string_view v) {
  ScalarAnalysis a;
  if (v.empty()) {
    a.multiline = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = true;
    a.blockAllowed = false;
    return a;
  }
  bool blockIndicators = false;
  bool flowIndicators = false;
  bool lineBreaks = false;
  bool specialCharacters = false;
  bool leadingSpace = false;
  bool leadingBreak = false;
  bool trailingSpace = false;
  bool trailingBreak = false;
  bool breakSpace = false;
  bool spaceBreak = false;
  bool previousSpace = false;
  bool previousBreak = false;
  if (v.size() >= 3 && (v.substr(0, 3) == "---" || v.substr(0, 3) == "...")) {
    blockIndicators = true;
    flowIndicators = true;
  }
  auto isBlankz = [&](size_t k) {
    return k >= v.size() || v[k] == ' ' || v[k] == '\t' || v[k] == '\r' || v[k] == '\n';
  };
  bool precededByWhitespace = true;
  size_t i = 0;
  while (i < v.size()) {
    const char c = v[i];
    const size_t w = utf8Width(static_cast<unsigned char>(c));
    const bool followedByWhitespace = isBlankz(i + w);
    if (i == 0) {
      switch (c) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case '\'':
        case '"':
        case '%':
        case '@':
        case '`':
          flowIndicators = true;
          blockIndicators = true;
          break;
        case '?':
        case ':':
          flowIndicators = true;
          if (followedByWhitespace) {
            blockIndicators = true;
          }
          break;
        case '-':
          if (followedByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
        default:
          break;
      }
    } else {
      switch (c) {
        case ',':
        case '?':
        case '[':
        case ']':
        case '{':
        case '}':
          flowIndicators = true;
          break;
        case ':':
          flowIndicators = true;
          if (followedByWhitespace) {
            blockIndicators = true;
          }
          break;
        case '#':
          if (precededByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
        default:
          break;
      }
    }
    const bool isBreak = c == '\n';
    if (!isPrintableAt(v, i) || (i == 0 && v.substr(0, 3) == "\xEF\xBB\xBF")) {
      specialCharacters = true;
    }
    // U+2028/U+2029 are line breaks for libyaml but not for every reader: keep them escaped.
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(v[i + 2]) == 0xA8 || static_cast<unsigned char>(v[i + 2]) == 0xA9)) {
      specialCharacters = true;
    }
    if (c == ' ') {
      if (i == 0) {
        leadingSpace = true;
      }
      if (i + w == v.size()) {
        trailingSpace = true;
      }
      if (previousBreak) {
        breakSpace = true;
      }
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak) {
      lineBreaks = true;
      if (i == 0) {
        leadingBreak = true;
      }
      if (i + w == v.size()) {
        trailingBreak = true;
      }
      if (previousSpace) {
        spaceBreak = true;
      }
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    i += w;
  }
  a.multiline = lineBreaks;
  bool flowPlain = true;
  a.blockPlainAllowed = true;
  a.singleQuotedAllowed = true;
  a.blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    flowPlain = false;
    a.blockPlainAllowed = false;
  }
  if (trailingSpace) {
    a.blockAllowed = false;
  }
  if (breakSpace) {
    flowPlain = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    flowPlain = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) {
    flowPlain = false;
    a.blockPlainAllowed = false;
  }
  if (blockIndicators) {
    a.blockPlainAllowed = false;
  }
  (void)flowPlain;
  (void)flowIndicators;
  return a;
}

namespace {
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64Encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    const uint32_t n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    const uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool base64Decode(std::string_view in, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == '\n' || c == '\r' || c == ' ') {
      continue;
    }
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) {
      return false;
    }
    const size_t p = kB64.find(c);
    if (p == std::string_view::npos) {
      return false;
    }
    acc = (acc << 6) | static_cast<uint32_t>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2;
}

}  // namespace sidecar::kube::detail
