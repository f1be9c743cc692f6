#include "kube/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace sidecar::kube {

namespace {

// Go's float32(v): round to nearest, and a finite double beyond float32's range becomes an
// infinity. The range check is explicit because the C++ conversion of an out-of-range
// value is undefined behaviour.
float toFloat32(double v) {
  // Halfway between FLT_MAX and 2^128: from here on, round-to-nearest-even gives infinity.
  constexpr double kOverflow = 0x1.ffffffp+127;
  if (v >= kOverflow) {
    return std::numeric_limits<float>::infinity();
  }
  if (v <= -kOverflow) {
    return -std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(v);
}

}  // namespace

std::string formatGoFloat(double v, int bits) {
  if (bits == 32) {
    // Narrow first, as Go does: a finite double can become an infinity (or zero) here.
    v = toFloat32(v);
  }
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  // Shortest round-tripping digits in scientific form, e.g. "1.2345e+06".
  char buf[64];
  std::to_chars_result res{};
  if (bits == 32) {
    res = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific);
  } else {
    res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  }
  std::string sci(buf, res.ptr);
  bool neg = false;
  size_t pos = 0;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    pos = 1;
  }
  const size_t ePos = sci.find('e');
  if (res.ec != std::errc{} || ePos == std::string::npos) {
    // Cannot happen for a finite value; never read past the text if it does.
    throw std::logic_error("formatGoFloat: unexpected to_chars output '" + sci + "'");
  }
  std::string digits;
  for (size_t i = pos; i < ePos; ++i) {
    if (sci[i] != '.') {
      digits.push_back(sci[i]);
    }
  }
  int exp = std::atoi(sci.c_str() + ePos + 1);
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
  }
  std::string out = neg ? "-" : "";
  if (digits == "0") {
    return out + "0";
  }
  const int nd = static_cast<int>(digits.size());
  // Go decides with eprec = 6 for the shortest form, whatever the digit count.
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += 'e';
    out += exp < 0 ? '-' : '+';
    const int a = exp < 0 ? -exp : exp;
    if (a < 10) {
      out += '0';
    }
    out += std::to_string(a);
    return out;
  }
  // %f with exactly the significant digits.
  const int dp = exp + 1;  // position of the decimal point within digits
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-dp), '0');
    out += digits;
  } else if (dp >= nd) {
    out += digits;
    out.append(static_cast<size_t>(dp - nd), '0');
  } else {
    out.append(digits, 0, static_cast<size_t>(dp));
    out += '.';
    out.append(digits, static_cast<size_t>(dp), std::string::npos);
  }
  return out;
}

}  // namespace sidecar::kube

namespace sidecar::kube {

std::string formatYamlFloatKey(double v) {
  std::string s = formatGoFloat(v, 32);
  if (s == "+Inf") {
    return ".inf";
  }
  if (s == "-Inf") {
    return "-.inf";
  }
  if (s == "NaN") {
    return ".nan";
  }
  return s;
}

std::string formatJsonFloat(double v) {
  char buf[400];
  const double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, res.ptr);
    const size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') {
      s.erase(n - 2, 1);
    }
    return s;
  }
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

}  // namespace sidecar::kube
