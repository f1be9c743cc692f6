#include "template/format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/go_format.h"
#include "common/utf8.h"

namespace sidecar::tmpl::fmt {
namespace {

constexpr std::string_view kLowerHex = "0123456789abcdef";
constexpr std::string_view kUpperHex = "0123456789ABCDEF";

}  // namespace

// Go's unicode.IsPrint without the full tables: control, format (Cf), separator (Z*
// except ' '), surrogate and private-use code points are not printable; unassigned code
// points are treated as printable.
bool isPrint(char32_t r) {
  if (r < 0x20 || r == 0x7f) {
    return false;
  }
  if (r < 0x7f) {
    return true;
  }
  static constexpr std::pair<char32_t, char32_t> kNotPrint[] = {
      {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},     {0x61c, 0x61c},
      {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x1680, 0x1680},   {0x180e, 0x180e},
      {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},
      {0x3000, 0x3000},   {0xd800, 0xf8ff},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},
      {0xfffe, 0xffff},   {0x110bd, 0x110bd}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
      {0xe0020, 0xe007f}, {0xf0000, 0x10ffff},
  };
  for (const auto& [lo, hi] : kNotPrint) {
    if (r >= lo && r <= hi) {
      return false;
    }
  }
  return r <= 0x10ffff;
}

namespace {

// Go's fmt.pp: one formatting run with its flags.
class Printer {
 public:
  explicit Printer(std::string& out) : buf_(out) {}

  void sprint(std::span<const Value> args) {
    bool prevString = false;
    for (size_t i = 0; i < args.size(); ++i) {
      bool isString = args[i].isString();
      if (i > 0 && !isString && !prevString) {
        buf_.push_back(' ');
      }
      printArg(args[i], 'v', 0);
      prevString = isString;
    }
  }

  void sprintln(std::span<const Value> args) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) {
        buf_.push_back(' ');
      }
      printArg(args[i], 'v', 0);
    }
    buf_.push_back('\n');
  }

  void sprintf(std::string_view format, std::span<const Value> args);

  void printArg(const Value& v, char32_t verb, int depth);

 private:
  struct Flags {
    bool sharp = false, zero = false, plus = false, minus = false, space = false;
    bool sharpV = false, plusV = false;
    bool widPresent = false, precPresent = false;
    int wid = 0, prec = 0;
  };

  void writePadding(int n) {
    if (n <= 0) {
      return;
    }
    buf_.append(static_cast<size_t>(n), f_.zero ? '0' : ' ');
  }
  void pad(std::string_view s) {
    if (!f_.widPresent || f_.wid == 0) {
      buf_.append(s);
      return;
    }
    int width = f_.wid - static_cast<int>(runeCount(s));
    if (!f_.minus) {
      writePadding(width);
      buf_.append(s);
    } else {
      buf_.append(s);
      writePadding(width);
    }
  }

  void badVerb(const Value& v, char32_t verb, int depth) {
    buf_ += "%!";
    appendRune(buf_, verb);
    buf_.push_back('(');
    if (v.isValid() && !v.isNil()) {
      buf_ += v.typeName();
      buf_.push_back('=');
      printArg(v, 'v', depth);
    } else {
      buf_ += "<nil>";
    }
    buf_.push_back(')');
  }

  void fmtInteger(uint64_t u, int base, bool isSigned, char32_t verb, bool upper);
  void fmtInt(int64_t v, char32_t verb, const Value& arg, int depth);
  void fmtFloatVerb(double v, char32_t verb, const Value& arg, int depth);
  void fmtFloat(double v, char verb, int prec);
  void fmtString(const std::string& s, char32_t verb, const Value& arg, int depth);
  void fmtQ(std::string_view s);
  void fmtSx(std::string_view s, bool upper);
  std::string_view truncate(std::string_view s) const {
    if (f_.precPresent) {
      size_t i = 0;
      for (int n = 0; i < s.size() && n < f_.prec; ++n) {
        size_t size = 1;
        decodeRune(s, i, size);
        i += size;
      }
      return s.substr(0, i);
    }
    return s;
  }

  std::string& buf_;
  Flags f_;
};

void Printer::fmtInteger(uint64_t u, int base, bool isSigned, char32_t verb, bool upper) {
  bool negative = isSigned && static_cast<int64_t>(u) < 0;
  if (negative) {
    u = ~u + 1;
  }
  int prec = 0;
  if (f_.precPresent) {
    prec = f_.prec;
    if (prec == 0 && u == 0) {
      bool oldZero = f_.zero;
      f_.zero = false;
      writePadding(f_.wid);
      f_.zero = oldZero;
      return;
    }
  } else if (f_.zero && f_.widPresent) {
    prec = f_.wid;
    if (negative || f_.plus || f_.space) {
      --prec;
    }
  }
  std::string_view digits = upper ? kUpperHex : kLowerHex;
  char tmp[80];
  int i = sizeof(tmp);
  do {
    tmp[--i] = digits[u % static_cast<unsigned>(base)];
    u /= static_cast<unsigned>(base);
  } while (u != 0 && i > 0);
  std::string s;
  int ndigits = static_cast<int>(sizeof(tmp)) - i;
  prec = std::min(prec, 10000);
  if (prec > ndigits) {
    s.append(static_cast<size_t>(prec - ndigits), '0');
  }
  s.append(tmp + i, tmp + sizeof(tmp));
  if (f_.sharp) {
    if (base == 2) {
      s.insert(0, "0b");
    } else if (base == 8 && s[0] != '0') {
      s.insert(0, "0");
    } else if (base == 16) {
      s.insert(0, upper ? "0X" : "0x");
    }
  }
  if (verb == 'O') {
    s.insert(0, "0o");
  }
  if (negative) {
    s.insert(0, "-");
  } else if (f_.plus) {
    s.insert(0, "+");
  } else if (f_.space) {
    s.insert(0, " ");
  }
  bool oldZero = f_.zero;
  f_.zero = false;
  pad(s);
  f_.zero = oldZero;
}

void Printer::fmtInt(int64_t v, char32_t verb, const Value& arg, int depth) {
  auto u = static_cast<uint64_t>(v);
  switch (verb) {
    case 'v':
    case 'd':
      fmtInteger(u, 10, true, verb, false);
      return;
    case 'b':
      fmtInteger(u, 2, true, verb, false);
      return;
    case 'o':
    case 'O':
      fmtInteger(u, 8, true, verb, false);
      return;
    case 'x':
      fmtInteger(u, 16, true, verb, false);
      return;
    case 'X':
      fmtInteger(u, 16, true, verb, true);
      return;
    case 'c': {
      std::string s;
      appendRune(s, v < 0 || v > 0x10ffff ? 0xfffd : static_cast<char32_t>(v));
      pad(s);
      return;
    }
    case 'q': {
      std::string s = "'";
      auto r = v < 0 || v > 0x10ffff ? char32_t{0xfffd} : static_cast<char32_t>(v);
      if (r == '\'') {
        s += "\\'";
      } else if (r == '"') {
        s += "\"";
      } else {
        std::string one;
        appendRune(one, r);
        std::string quoted;
        appendQuoted(quoted, one, f_.plus);
        s.append(quoted, 1, quoted.size() - 2);
      }
      s += "'";
      pad(s);
      return;
    }
    case 'U': {
      int prec = f_.precPresent && f_.prec > 4 ? std::min(f_.prec, 64) : 4;
      char tmp[96];
      std::snprintf(tmp, sizeof(tmp), "U+%0*llX", prec, static_cast<unsigned long long>(u));
      std::string s = tmp;
      if (f_.sharp && v >= 0 && v <= 0x10ffff && isPrint(static_cast<char32_t>(v))) {
        s += " '";
        appendRune(s, static_cast<char32_t>(v));
        s += "'";
      }
      bool oldZero = f_.zero;
      f_.zero = false;
      pad(s);
      f_.zero = oldZero;
      return;
    }
    default:
      badVerb(arg, verb, depth);
  }
}

void Printer::fmtFloat(double v, char verb, int prec) {
  if (f_.precPresent) {
    prec = f_.prec;
  }
  std::string num = "+";
  appendGoFloat(num, v, verb, prec);
  if (num[1] == '-' || num[1] == '+') {
    num.erase(0, 1);
  }
  if (f_.space && num[0] == '+' && !f_.plus) {
    num[0] = ' ';
  }
  if (num[1] == 'I' || num[1] == 'N') {
    bool oldZero = f_.zero;
    f_.zero = false;
    if (num[1] == 'N' && !f_.space && !f_.plus) {
      num.erase(0, 1);
    }
    pad(num);
    f_.zero = oldZero;
    return;
  }
  if (f_.sharp && verb != 'b') {
    // '#' keeps a decimal point and, for %g/%x, trailing zeros up to the precision.
    int digits = 0;
    if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') {
      digits = prec == -1 ? 6 : prec;
    }
    std::string tail;
    bool hasDot = false;
    bool sawNonzero = false;
    for (size_t i = 1; i < num.size(); ++i) {
      char c = num[i];
      if (c == '.') {
        hasDot = true;
        continue;
      }
      if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
        tail = num.substr(i);
        num.resize(i);
        break;
      }
      if (c != '0') {
        sawNonzero = true;
      }
      if (sawNonzero) {
        --digits;
      }
    }
    if (!hasDot) {
      if (num.size() == 2 && num[1] == '0') {
        --digits;
      }
      num.push_back('.');
    }
    for (; digits > 0; --digits) {
      num.push_back('0');
    }
    num += tail;
  }
  if (f_.plus || num[0] != '+') {
    if (f_.zero && f_.widPresent && f_.wid > static_cast<int>(num.size())) {
      buf_.push_back(num[0]);
      writePadding(f_.wid - static_cast<int>(num.size()));
      buf_.append(num, 1);
      return;
    }
    pad(num);
    return;
  }
  pad(std::string_view(num).substr(1));
}

void Printer::fmtFloatVerb(double v, char32_t verb, const Value& arg, int depth) {
  switch (verb) {
    case 'v':
      fmtFloat(v, 'g', -1);
      return;
    case 'g':
    case 'G':
      fmtFloat(v, static_cast<char>(verb), -1);
      return;
    case 'b':
    case 'x':
    case 'X':
      fmtFloat(v, static_cast<char>(verb), -1);
      return;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
      fmtFloat(v, static_cast<char>(verb), 6);
      return;
    default:
      badVerb(arg, verb, depth);
  }
}

void Printer::fmtQ(std::string_view s) {
  s = truncate(s);
  if (f_.sharp) {
    // strconv.CanBackquote: one line, valid UTF-8, no controls but tab, no BOM.
    bool canBackquote = true;
    for (size_t i = 0; i < s.size() && canBackquote;) {
      size_t size = 1;
      char32_t r = decodeRune(s, i, size);
      if ((r == 0xfffd && size == 1) || r == 0xfeff || r == '`' || r == 0x7f ||
          (r < ' ' && r != '\t')) {
        canBackquote = false;
      }
      i += size;
    }
    if (canBackquote) {
      std::string q = "`";
      q.append(s);
      q += "`";
      pad(q);
      return;
    }
  }
  std::string q;
  appendQuoted(q, s, f_.plus);
  pad(q);
}

void Printer::fmtSx(std::string_view s, bool upper) {
  std::string_view digits = upper ? kUpperHex : kLowerHex;
  size_t length = s.size();
  if (f_.precPresent && static_cast<size_t>(std::max(f_.prec, 0)) < length) {
    length = static_cast<size_t>(f_.prec);
  }
  std::string out;
  for (size_t i = 0; i < length; ++i) {
    if (f_.space && i > 0) {
      out.push_back(' ');
    }
    if (f_.sharp && (f_.space || i == 0)) {
      out += upper ? "0X" : "0x";
    }
    auto c = static_cast<unsigned char>(s[i]);
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  pad(out);
}

void Printer::fmtString(const std::string& s, char32_t verb, const Value& arg, int depth) {
  switch (verb) {
    case 'v':
      if (f_.sharpV) {
        fmtQ(s);
      } else {
        pad(truncate(s));
      }
      return;
    case 's':
      pad(truncate(s));
      return;
    case 'x':
      fmtSx(s, false);
      return;
    case 'X':
      fmtSx(s, true);
      return;
    case 'q':
      fmtQ(s);
      return;
    default:
      badVerb(arg, verb, depth);
  }
}

void Printer::printArg(const Value& v, char32_t verb, int depth) {
  if (verb == 'T') {
    std::string type = v.isValid() ? v.typeName() : std::string("<nil>");
    pad(truncate(type));
    return;
  }
  switch (v.kind()) {
    case Value::Kind::Invalid:
    case Value::Kind::Nil:
      // Nested nils print as <nil> whatever the verb; only a top-level one is a bad verb.
      if (verb == 'v' || depth > 0) {
        pad("<nil>");
      } else {
        badVerb(v, verb, depth);
      }
      return;
    case Value::Kind::Bool:
      if (verb == 't' || verb == 'v') {
        pad(v.asBool() ? "true" : "false");
      } else {
        badVerb(v, verb, depth);
      }
      return;
    case Value::Kind::Int:
      fmtInt(v.asInt(), verb, v, depth);
      return;
    case Value::Kind::Float:
      fmtFloatVerb(v.asFloat(), verb, v, depth);
      return;
    case Value::Kind::String:
      fmtString(v.asString(), verb, v, depth);
      return;
    case Value::Kind::List: {
      buf_.push_back('[');
      bool first = true;
      for (const Value& e : v.asList()) {
        if (!first) {
          buf_.push_back(' ');
        }
        first = false;
        printArg(e, verb, depth + 1);
      }
      buf_.push_back(']');
      return;
    }
    case Value::Kind::Map: {
      buf_ += "map[";
      bool first = true;
      for (const auto& [key, value] : v.asMap().entries()) {
        if (!first) {
          buf_.push_back(' ');
        }
        first = false;
        fmtString(key, verb, Value(key), depth + 1);
        buf_.push_back(':');
        printArg(value, verb, depth + 1);
      }
      buf_.push_back(']');
      return;
    }
    case Value::Kind::Object:
      // Host objects behave like Go Stringers: string verbs use their printed form.
      switch (verb) {
        case 'v':
        case 's':
        case 'q':
        case 'x':
        case 'X': {
          std::string s = v.asObject().print();
          fmtString(s, verb, v, depth);
          return;
        }
        default:
          badVerb(v, verb, depth);
          return;
      }
    case Value::Kind::Func:
      if (verb == 'v' || verb == 'p') {
        pad("0x1");
      } else {
        badVerb(v, verb, depth);
      }
      return;
  }
}

// Parses a decimal number at format[i]; returns -1 when absent.
int parseNum(std::string_view format, size_t& i) {
  if (i >= format.size() || format[i] < '0' || format[i] > '9') {
    return -1;
  }
  int n = 0;
  while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
    if (n < 1000000) {
      n = n * 10 + (format[i] - '0');
    }
    ++i;
  }
  return n;
}

void Printer::sprintf(std::string_view format, std::span<const Value> args) {
  size_t argNum = 0;
  bool reordered = false;
  bool goodArgNum = true;
  size_t end = format.size();
  // An explicit [n] argument index; Go's argNumber.
  auto argIndex = [&](size_t& i) {
    if (i >= end || format[i] != '[') {
      return;
    }
    reordered = true;
    size_t close = format.find(']', i + 1);
    if (close == std::string_view::npos) {
      goodArgNum = false;
      i = end;
      return;
    }
    size_t j = i + 1;
    int n = parseNum(format, j);
    if (n < 1 || j != close || static_cast<size_t>(n) > args.size()) {
      goodArgNum = false;
    } else {
      argNum = static_cast<size_t>(n - 1);
    }
    i = close + 1;
  };
  auto intArg = [&](int& out) -> bool {
    if (argNum >= args.size() || !args[argNum].isInt()) {
      ++argNum;
      return false;
    }
    int64_t n = args[argNum].asInt();
    ++argNum;
    if (n > 1000000 || n < -1000000) {
      return false;
    }
    out = static_cast<int>(n);
    return true;
  };
  for (size_t i = 0; i < end;) {
    goodArgNum = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') {
      ++i;
    }
    if (i > lasti) {
      buf_.append(format.substr(lasti, i - lasti));
    }
    if (i >= end) {
      break;
    }
    ++i;
    f_ = Flags{};
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') {
        f_.sharp = true;
      } else if (c == '0') {
        f_.zero = !f_.minus;
      } else if (c == '+') {
        f_.plus = true;
      } else if (c == '-') {
        f_.minus = true;
        f_.zero = false;
      } else if (c == ' ') {
        f_.space = true;
      } else {
        break;
      }
    }
    argIndex(i);
    if (i < end && format[i] == '*') {
      ++i;
      f_.widPresent = intArg(f_.wid);
      if (!f_.widPresent) {
        buf_ += "%!(BADWIDTH)";
      }
      if (f_.wid < 0) {
        f_.wid = -f_.wid;
        f_.minus = true;
        f_.zero = false;
      }
    } else {
      int w = parseNum(format, i);
      f_.widPresent = w >= 0;
      f_.wid = std::max(w, 0);
    }
    if (i + 1 <= end && i < end && format[i] == '.') {
      ++i;
      argIndex(i);
      if (i < end && format[i] == '*') {
        ++i;
        f_.precPresent = intArg(f_.prec);
        if (f_.prec < 0) {
          f_.prec = 0;
          f_.precPresent = false;
        }
        if (!f_.precPresent) {
          buf_ += "%!(BADPREC)";
        }
      } else {
        int p = parseNum(format, i);
        f_.precPresent = true;
        f_.prec = std::max(p, 0);
      }
    }
    argIndex(i);
    if (i >= end) {
      buf_ += "%!(NOVERB)";
      break;
    }
    size_t size = 1;
    char32_t verb = decodeRune(format, i, size);
    i += size;
    if (verb == '%') {
      buf_.push_back('%');
      continue;
    }
    if (!goodArgNum) {
      buf_ += "%!";
      appendRune(buf_, verb);
      buf_ += "(BADINDEX)";
      continue;
    }
    if (argNum >= args.size()) {
      buf_ += "%!";
      appendRune(buf_, verb);
      buf_ += "(MISSING)";
      continue;
    }
    if (verb == 'v') {
      f_.sharpV = f_.sharp;
      f_.sharp = false;
      f_.plusV = f_.plus;
      f_.plus = false;
    }
    printArg(args[argNum], verb, 0);
    ++argNum;
  }
  if (!reordered && argNum < args.size()) {
    f_ = Flags{};
    buf_ += "%!(EXTRA ";
    for (size_t k = argNum; k < args.size(); ++k) {
      if (k > argNum) {
        buf_ += ", ";
      }
      const Value& a = args[k];
      if (!a.isValid() || a.isNil()) {
        buf_ += "<nil>";
      } else {
        buf_ += a.typeName();
        buf_.push_back('=');
        printArg(a, 'v', 0);
      }
    }
    buf_.push_back(')');
  }
}

}  // namespace

void appendQuoted(std::string& out, std::string_view s, bool asciiOnly) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    size_t size = 1;
    char32_t r = decodeRune(s, i, size);
    if (r == 0xfffd && size == 1) {
      auto c = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out.push_back(kLowerHex[c >> 4]);
      out.push_back(kLowerHex[c & 0xf]);
      i += 1;
      continue;
    }
    i += size;
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
      continue;
    }
    if (r < 0x80 ? isPrint(r) : (isPrint(r) && !asciiOnly)) {
      appendRune(out, r);
      continue;
    }
    switch (r) {
      case '\a':
        out += "\\a";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\v':
        out += "\\v";
        continue;
      default:
        break;
    }
    char tmp[16];
    if (r < ' ' || r == 0x7f) {
      std::snprintf(tmp, sizeof(tmp), "\\x%02x", static_cast<unsigned>(r));
    } else if (r < 0x10000) {
      std::snprintf(tmp, sizeof(tmp), "\\u%04x", static_cast<unsigned>(r));
    } else {
      std::snprintf(tmp, sizeof(tmp), "\\U%08x", static_cast<unsigned>(r));
    }
    out += tmp;
  }
  out.push_back('"');
}

void appendFloat(std::string& out, double v) {
  appendGoFloat(out, v, 'g', -1);
}

void appendValue(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Invalid:
      out += "<no value>";
      return;
    case Value::Kind::String:
      out += v.asString();
      return;
    case Value::Kind::Int: {
      char buf[24];
      auto res = std::to_chars(buf, buf + sizeof(buf), v.asInt());
      out.append(buf, res.ptr);
      return;
    }
    case Value::Kind::Bool:
      out += v.asBool() ? "true" : "false";
      return;
    case Value::Kind::Float:
      appendFloat(out, v.asFloat());
      return;
    case Value::Kind::Object:
      out += v.asObject().print();
      return;
    default: {
      Printer p(out);
      p.printArg(v, 'v', 0);
      return;
    }
  }
}

void appendSprint(std::string& out, std::span<const Value> args) {
  Printer p(out);
  p.sprint(args);
}

void appendSprintln(std::string& out, std::span<const Value> args) {
  Printer p(out);
  p.sprintln(args);
}

void appendSprintf(std::string& out, std::string_view format, std::span<const Value> args) {
  Printer p(out);
  p.sprintf(format, args);
}

}  // namespace sidecar::tmpl::fmt
