#include "common/go_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>

namespace sidecar {

namespace {

constexpr std::string_view kLowerHex = "0123456789abcdef";
constexpr std::string_view kUpperHex = "0123456789ABCDEF";

// Go's float32(v): round to nearest, and a finite double beyond float32's range becomes an
// infinity. The range check is explicit because the C++ conversion of an out-of-range
// value is undefined behaviour.
double toFloat32(double v) {
  // Halfway between FLT_MAX and 2^128: from here on, round-to-nearest-even gives infinity.
  constexpr double kOverflow = 0x1.ffffffp+127;
  if (v >= kOverflow) {
    return std::numeric_limits<double>::infinity();
  }
  if (v <= -kOverflow) {
    return -std::numeric_limits<double>::infinity();
  }
  return static_cast<float>(v);
}

// A decimal digit string with the decimal point after `dp` digits, as strconv keeps it.
struct Decimal {
  char digits[40];
  int nd = 0;
  int dp = 0;
  bool neg = false;
};

// Parses printf/to_chars scientific output ("-1.2345e+06") into digits and point position.
void parseScientific(const char* s, Decimal& d) {
  if (*s == '-') {
    d.neg = true;
    ++s;
  }
  int nd = 0;
  for (; *s && *s != 'e' && *s != 'E'; ++s) {
    if (*s >= '0' && *s <= '9' && nd < static_cast<int>(sizeof(d.digits))) {
      d.digits[nd++] = *s;
    }
  }
  int exp = 0;
  if (*s == 'e' || *s == 'E') {
    exp = std::atoi(s + 1);
  }
  while (nd > 0 && d.digits[nd - 1] == '0') {
    --nd;
  }
  d.nd = nd;
  d.dp = nd == 0 ? 0 : exp + 1;
}

// v is already narrowed when bitSize is 32; the shortest digits are then float32's.
Decimal shortestDecimal(double v, int bitSize) {
  char buf[64];
  auto res = bitSize == 32
                 ? std::to_chars(buf, buf + sizeof(buf) - 1, static_cast<float>(v),
                                 std::chars_format::scientific)
                 : std::to_chars(buf, buf + sizeof(buf) - 1, v, std::chars_format::scientific);
  *res.ptr = '\0';
  Decimal d;
  parseScientific(buf, d);
  d.neg = std::signbit(v);
  return d;
}

Decimal roundedDecimal(double v, int significant) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*e", significant - 1, v);
  Decimal d;
  parseScientific(buf, d);
  d.neg = std::signbit(v);
  return d;
}

// The signed exponent of %e and %x, at least two digits: "+06", "-10".
void appendExponent(std::string& out, int exp) {
  out.push_back(exp < 0 ? '-' : '+');
  if (exp < 0) {
    exp = -exp;
  }
  if (exp < 10) {
    out.push_back('0');
  }
  char buf[8];
  auto res = std::to_chars(buf, buf + sizeof(buf), exp);
  out.append(buf, res.ptr);
}

void appendExp(std::string& out, const Decimal& d, int prec, char fmtChar) {
  out.push_back(d.nd == 0 ? '0' : d.digits[0]);
  if (prec > 0) {
    out.push_back('.');
    int i = 1;
    int m = std::min(d.nd, prec + 1);
    if (i < m) {
      out.append(d.digits + i, d.digits + m);
      i = m;
    }
    for (; i <= prec; ++i) {
      out.push_back('0');
    }
  }
  out.push_back(fmtChar);
  appendExponent(out, d.nd == 0 ? 0 : d.dp - 1);
}

void appendFixed(std::string& out, const Decimal& d, int prec) {
  if (d.dp > 0) {
    int m = std::min(d.nd, d.dp);
    out.append(d.digits, d.digits + m);
    for (; m < d.dp; ++m) {
      out.push_back('0');
    }
  } else {
    out.push_back('0');
  }
  if (prec > 0) {
    out.push_back('.');
    for (int i = 1; i <= prec; ++i) {
      int j = d.dp + i - 1;
      out.push_back(j >= 0 && j < d.nd ? d.digits[j] : '0');
    }
  }
}

// strconv's %g decision between exponent and fixed notation.
void appendGeneral(std::string& out, const Decimal& d, int prec, bool shortest, char expChar) {
  int eprec = prec;
  if (eprec > d.nd && d.nd >= d.dp) {
    eprec = d.nd;
  }
  if (shortest) {
    eprec = 6;
  }
  int exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > d.nd) {
      prec = d.nd;
    }
    appendExp(out, d, prec - 1, expChar);
    return;
  }
  if (prec > d.dp) {
    prec = d.nd;
  }
  appendFixed(out, d, std::max(prec - d.dp, 0));
}

// strconv's %b (mantissa p exponent) and %x/%X (hexadecimal mantissa) forms.
// The IEEE fields of the float of width bitSize: mantissa with its implicit bit, unbiased
// exponent, as strconv's genericFtoa splits them.
void formatBinaryOrHex(std::string& out, double v, char verb, int prec, int bitSize) {
  // IEEE 754 layout of the float of that width.
  const int mantBits = bitSize == 32 ? 23 : 52;
  const int expBits = bitSize == 32 ? 8 : 11;
  const int bias = bitSize == 32 ? 127 : 1023;
  uint64_t bits = 0;
  if (bitSize == 32) {
    const auto f = static_cast<float>(v);
    uint32_t narrow = 0;
    std::memcpy(&narrow, &f, sizeof narrow);
    bits = narrow;
  } else {
    std::memcpy(&bits, &v, sizeof bits);
  }
  const bool neg = ((bits >> (mantBits + expBits)) & 1) != 0;
  int exp = static_cast<int>((bits >> mantBits) & ((uint64_t{1} << expBits) - 1));
  uint64_t mant = bits & ((uint64_t{1} << mantBits) - 1);
  if (exp == 0) {
    ++exp;  // subnormal
  } else {
    mant |= uint64_t{1} << mantBits;
  }
  exp -= bias;
  if (neg) {
    out.push_back('-');
  }
  if (verb == 'b') {
    out += std::to_string(mant);
    out.push_back('p');
    int e = exp - mantBits;
    if (e >= 0) {
      out.push_back('+');
    }
    out += std::to_string(e);
    return;
  }
  if (mant == 0) {
    exp = 0;
  }
  mant <<= 60 - mantBits;
  while (mant != 0 && (mant & (uint64_t{1} << 60)) == 0) {
    mant <<= 1;
    --exp;
  }
  if (prec >= 0 && prec < 15) {
    auto shift = static_cast<unsigned>(prec * 4);
    uint64_t extra = (mant << shift) & ((uint64_t{1} << 60) - 1);
    mant >>= 60 - shift;
    if ((extra | (mant & 1)) > (uint64_t{1} << 59)) {
      ++mant;
    }
    mant <<= 60 - shift;
    if ((mant & (uint64_t{1} << 61)) != 0) {
      mant >>= 1;
      ++exp;
    }
  }
  std::string_view hex = verb == 'X' ? kUpperHex : kLowerHex;
  out.push_back('0');
  out.push_back(verb);
  out.push_back(static_cast<char>('0' + ((mant >> 60) & 1)));
  mant <<= 4;
  if (prec < 0 && mant != 0) {
    out.push_back('.');
    while (mant != 0) {
      out.push_back(hex[(mant >> 60) & 15]);
      mant <<= 4;
    }
  } else if (prec > 0) {
    out.push_back('.');
    for (int i = 0; i < prec; ++i) {
      out.push_back(hex[(mant >> 60) & 15]);
      mant <<= 4;
    }
  }
  out.push_back(verb == 'X' ? 'P' : 'p');
  appendExponent(out, exp);
}

}  // namespace

void appendGoFloat(std::string& out, double v, char verb, int prec, int bitSize) {
  if (bitSize == 32) {
    // Narrow first, as Go does: a finite double can become an infinity (or zero) here.
    v = toFloat32(v);
  }
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (verb == 'b' || verb == 'x' || verb == 'X') {
    formatBinaryOrHex(out, v, verb, prec, bitSize);
    return;
  }
  if (verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F') {
    if (prec < 0) {
      Decimal d = shortestDecimal(v, bitSize);
      if (d.neg) {
        out.push_back('-');
      }
      if (verb == 'f' || verb == 'F') {
        appendFixed(out, d, std::max(d.nd - d.dp, 0));
      } else {
        appendExp(out, d, std::max(d.nd - 1, 0), verb);
      }
      return;
    }
    char spec[8] = {'%', '.', '*', verb == 'F' ? 'f' : verb, '\0'};
    char buf[400];
    int n = std::snprintf(buf, sizeof(buf), spec, std::min(prec, 300), v);
    if (n > 0) {
      out.append(buf, std::min(static_cast<size_t>(n), sizeof(buf) - 1));
    }
    return;
  }
  char expChar = verb == 'G' ? 'E' : 'e';
  if (prec < 0) {
    Decimal d = shortestDecimal(v, bitSize);
    if (d.neg) {
      out.push_back('-');
    }
    appendGeneral(out, d, d.nd, true, expChar);
    return;
  }
  if (prec == 0) {
    prec = 1;
  }
  Decimal d = roundedDecimal(v, std::min(prec, 30));
  if (d.neg) {
    out.push_back('-');
  }
  appendGeneral(out, d, prec, false, expChar);
}

std::string formatGoFloat(double v, int bitSize) {
  std::string out;
  appendGoFloat(out, v, 'g', -1, bitSize);
  return out;
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

}  // namespace sidecar
