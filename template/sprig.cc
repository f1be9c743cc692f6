#include "common/utf8.h"
#include "template/sprig.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <regex>
#include <set>

#include "common/base64.h"
#include "template/format.h"
#include "template/func_args.h"

namespace sidecar::tmpl {
namespace {

using Args = std::span<const Value>;
using Entries = MapValue::Entries;

// sprig.TxtFuncMap()'s keys (v3.3.0), sorted.
constexpr std::array<std::string_view, 211> kNames = {
    "abbrev",
    "abbrevboth",
    "add",
    "add1",
    "add1f",
    "addf",
    "adler32sum",
    "ago",
    "all",
    "any",
    "append",
    "atoi",
    "b32dec",
    "b32enc",
    "b64dec",
    "b64enc",
    "base",
    "bcrypt",
    "biggest",
    "buildCustomCert",
    "camelcase",
    "cat",
    "ceil",
    "chunk",
    "clean",
    "coalesce",
    "compact",
    "concat",
    "contains",
    "date",
    "dateInZone",
    "dateModify",
    "date_in_zone",
    "date_modify",
    "decryptAES",
    "deepCopy",
    "deepEqual",
    "default",
    "derivePassword",
    "dict",
    "dig",
    "dir",
    "div",
    "divf",
    "duration",
    "durationRound",
    "empty",
    "encryptAES",
    "env",
    "expandenv",
    "ext",
    "fail",
    "first",
    "float64",
    "floor",
    "fromJson",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "get",
    "getHostByName",
    "has",
    "hasKey",
    "hasPrefix",
    "hasSuffix",
    "hello",
    "htmlDate",
    "htmlDateInZone",
    "htpasswd",
    "indent",
    "initial",
    "initials",
    "int",
    "int64",
    "isAbs",
    "join",
    "kebabcase",
    "keys",
    "kindIs",
    "kindOf",
    "last",
    "list",
    "lower",
    "max",
    "maxf",
    "merge",
    "mergeOverwrite",
    "min",
    "minf",
    "mod",
    "mul",
    "mulf",
    "mustAppend",
    "mustChunk",
    "mustCompact",
    "mustDateModify",
    "mustDeepCopy",
    "mustFirst",
    "mustFromJson",
    "mustHas",
    "mustInitial",
    "mustLast",
    "mustMerge",
    "mustMergeOverwrite",
    "mustPrepend",
    "mustPush",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustRest",
    "mustReverse",
    "mustSlice",
    "mustToDate",
    "mustToJson",
    "mustToPrettyJson",
    "mustToRawJson",
    "mustUniq",
    "mustWithout",
    "must_date_modify",
    "nindent",
    "nospace",
    "now",
    "omit",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "pick",
    "pluck",
    "plural",
    "prepend",
    "push",
    "quote",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randBytes",
    "randInt",
    "randNumeric",
    "regexFind",
    "regexFindAll",
    "regexMatch",
    "regexQuoteMeta",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "repeat",
    "replace",
    "rest",
    "reverse",
    "round",
    "semver",
    "semverCompare",
    "seq",
    "set",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "shuffle",
    "slice",
    "snakecase",
    "sortAlpha",
    "split",
    "splitList",
    "splitn",
    "squote",
    "sub",
    "subf",
    "substr",
    "swapcase",
    "ternary",
    "title",
    "toDate",
    "toDecimal",
    "toJson",
    "toPrettyJson",
    "toRawJson",
    "toString",
    "toStrings",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trimall",
    "trunc",
    "tuple",
    "typeIs",
    "typeIsLike",
    "typeOf",
    "uniq",
    "unixEpoch",
    "unset",
    "until",
    "untilStep",
    "untitle",
    "upper",
    "urlJoin",
    "urlParse",
    "uuidv4",
    "values",
    "without",
    "wrap",
    "wrapWith",
};

// ---- Go's conversion of template arguments to typed parameters. ----

Expected<std::string> stringParam(Args args, size_t i) {
  return args::string(args, i);
}
Expected<int64_t> intParam(Args args, size_t i) {
  return args::integer(args, i);
}
Expected<bool> boolParam(Args args, size_t i) {
  return args::boolean(args, i);
}
Expected<const Entries*> dictParam(Args args, size_t i) {
  return args::map(args, i, "map[string]interface {}", true);
}

// An interface{} argument: "no value" arrives as nil.
Value iface(const Value& v) {
  return v.isValid() ? v : Value::nil();
}

bool isNil(const Value& v) {
  return !v.isValid() || v.isNil();
}

// sprig's strval: strings as they are, everything else as fmt's %v (Stringers included).
std::string strval(const Value& v) {
  if (v.isString()) {
    return v.asString();
  }
  std::string out;
  const Value arg = iface(v);
  fmt::appendSprint(out, std::span<const Value>(&arg, 1));
  return out;
}

// sprig's empty: zero values, empty containers, nil.
bool empty(const Value& v) {
  return !v.truth();
}

Value dictValue(Entries entries) {
  return makeMap(std::move(entries));
}

Value stringList(const std::vector<std::string>& items) {
  List out;
  out.reserve(items.size());
  for (const auto& s : items) {
    out.emplace_back(s);
  }
  return makeList(std::move(out));
}

std::vector<std::string> splitString(std::string_view s, std::string_view sep, int64_t n = -1) {
  std::vector<std::string> out;
  if (n == 0) {
    return out;
  }
  if (sep.empty()) {
    // strings.Split with an empty separator splits into UTF-8 sequences.
    size_t i = 0;
    while (i < s.size() && (n < 0 || static_cast<int64_t>(out.size()) < n - 1)) {
      size_t size = 1;
      decodeRune(s, i, size);
      out.emplace_back(s.substr(i, size));
      i += size;
    }
    if (i < s.size()) {
      out.emplace_back(s.substr(i));
    }
    return out;
  }
  size_t start = 0;
  while (n < 0 || static_cast<int64_t>(out.size()) < n - 1) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      break;
    }
    out.emplace_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.emplace_back(s.substr(start));
  return out;
}

std::string replaceAll(std::string_view src, std::string_view from, std::string_view to) {
  if (from.empty()) {
    // strings.Replace with an empty old string inserts `to` around every rune.
    std::string out(to);
    size_t i = 0;
    while (i < src.size()) {
      size_t size = 1;
      decodeRune(src, i, size);
      out.append(src.substr(i, size));
      out.append(to);
      i += size;
    }
    return out;
  }
  std::string out;
  size_t start = 0;
  for (;;) {
    const size_t at = src.find(from, start);
    if (at == std::string_view::npos) {
      out.append(src.substr(start));
      return out;
    }
    out.append(src.substr(start, at - start));
    out.append(to);
    start = at + from.size();
  }
}

bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trimSpace(std::string_view s) {
  while (!s.empty() && isAsciiSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && isAsciiSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// strings.Trim with a cutset (compared by UTF-8 sequence).
std::string trimCutset(std::string_view s, std::string_view cutset) {
  const auto inSet = [&](std::string_view rune) {
    size_t i = 0;
    while (i < cutset.size()) {
      size_t size = 1;
      decodeRune(cutset, i, size);
      if (cutset.substr(i, size) == rune) {
        return true;
      }
      i += size;
    }
    return false;
  };
  size_t begin = 0;
  while (begin < s.size()) {
    size_t size = 1;
    decodeRune(s, begin, size);
    if (!inSet(s.substr(begin, size))) {
      break;
    }
    begin += size;
  }
  size_t end = s.size();
  while (end > begin) {
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
      --start;
    }
    if (!inSet(s.substr(start, end - start))) {
      break;
    }
    end = start;
  }
  return std::string(s.substr(begin, end - begin));
}

// strconv.ParseInt(s, 0, 64) as spf13/cast calls it (after trimming a zero decimal part).
std::optional<int64_t> parseGoInt(std::string_view s) {
  // cast's trimZeroDecimal: "12.00" -> "12".
  bool zero = false;
  for (size_t i = s.size(); i > 0; --i) {
    const char c = s[i - 1];
    if (c == '.') {
      if (zero) {
        s = s.substr(0, i - 1);
      }
      break;
    }
    if (c != '0') {
      break;
    }
    zero = true;
  }
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'b' || p == 'o') {
      base = p == 'x' ? 16 : p == 'b' ? 2 : 8;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  if (s.empty()) {
    return std::nullopt;
  }
  uint64_t v = 0;
  char previous = '0';
  for (char c : s) {
    if (c == '_') {
      if (previous == '_') {
        return std::nullopt;
      }
      previous = c;
      continue;
    }
    int d = -1;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = (c | 0x20) - 'a' + 10;
    }
    if (d < 0 || d >= base) {
      return std::nullopt;
    }
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) /
                static_cast<uint64_t>(base)) {
      return std::nullopt;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    previous = c;
  }
  if (previous == '_') {
    return std::nullopt;
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (v > limit) {
    return std::nullopt;
  }
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

// cast.ToInt64: numbers truncate, bools are 0/1, strings parse (base prefixes allowed); any
// failure is 0.
int64_t toInt64(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Int:
      return v.asInt();
    case Value::Kind::Float: {
      const double d = v.asFloat();
      if (std::isnan(d) || d >= 9.3e18 || d <= -9.3e18) {
        return std::numeric_limits<int64_t>::min();  // Go's conversion of an out-of-range float
      }
      return static_cast<int64_t>(d);
    }
    case Value::Kind::Bool:
      return v.asBool() ? 1 : 0;
    case Value::Kind::String:
      return parseGoInt(v.asString()).value_or(0);
    default:
      return 0;
  }
}

double toFloat64(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Int:
      return static_cast<double>(v.asInt());
    case Value::Kind::Float:
      return v.asFloat();
    case Value::Kind::Bool:
      return v.asBool() ? 1 : 0;
    case Value::Kind::String: {
      const std::string& s = v.asString();
      if (s.empty() || isAsciiSpace(s.front()) || isAsciiSpace(s.back())) {
        return 0;
      }
      size_t used = 0;
      try {
        const double d = std::stod(s, &used);
        return used == s.size() ? d : 0;
      } catch (const std::exception&) {
        return 0;
      }
    }
    default:
      return 0;
  }
}

Value int64Value(int64_t v) {
  return Value(v);
}

// A []interface{} view of a list argument, or the error sprig's must* variant returns.
Expected<const List*> listParam(const Value& v, std::string_view what) {
  static const List kEmpty;
  if (v.isList()) {
    return &v.asList();
  }
  return fail("Cannot " + std::string(what) + " on type " +
              (isNil(v)    ? std::string("<nil>")
               : v.isMap() ? std::string("map")
                           : v.typeName()));
}

// reflect.DeepEqual over template values.
bool deepEqual(const Value& a, const Value& b) {
  if (isNil(a) || isNil(b)) {
    return isNil(a) && isNil(b);
  }
  if (a.kind() != b.kind()) {
    return false;
  }
  switch (a.kind()) {
    case Value::Kind::Bool:
    case Value::Kind::Int:
      return a.asInt() == b.asInt();
    case Value::Kind::Float:
      return a.asFloat() == b.asFloat();
    case Value::Kind::String:
      return a.asString() == b.asString();
    case Value::Kind::List: {
      const List& x = a.asList();
      const List& y = b.asList();
      if (x.size() != y.size()) {
        return false;
      }
      for (size_t i = 0; i < x.size(); ++i) {
        if (!deepEqual(x[i], y[i])) {
          return false;
        }
      }
      return true;
    }
    case Value::Kind::Map: {
      const Entries& x = a.asMap().entries();
      const Entries& y = b.asMap().entries();
      if (x.size() != y.size()) {
        return false;
      }
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !deepEqual(i->second, j->second)) {
          return false;
        }
      }
      return true;
    }
    case Value::Kind::Object:
      return a.objectPtr() == b.objectPtr();
    default:
      return false;
  }
}

// reflect.Kind names for kindOf/kindIs.
std::string kindName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Bool:
      return "bool";
    case Value::Kind::Int:
      return "int";
    case Value::Kind::Float:
      return "float64";
    case Value::Kind::String:
      return "string";
    case Value::Kind::List:
      return "slice";
    case Value::Kind::Map:
      return "map";
    case Value::Kind::Object:
      return v.typeName().rfind('*', 0) == 0 ? "ptr" : "struct";
    case Value::Kind::Func:
      return "func";
    default:
      return "invalid";
  }
}

std::optional<std::regex> compileRegex(const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

// std::regex matches recursively; a bound on the subject keeps a long input from exhausting
// the stack (RE2, which Go uses, has no such limit).
constexpr size_t kMaxRegexSubject = 4096;

Expected<void> checkSubject(const std::string& s) {
  if (s.size() > kMaxRegexSubject) {
    return fail("regex subject of " + std::to_string(s.size()) + " bytes is longer than " +
                std::to_string(kMaxRegexSubject));
  }
  return {};
}

Expected<std::regex> mustCompile(const std::string& pattern) {
  auto re = compileRegex(pattern);
  if (!re) {
    return fail("error parsing regexp: invalid pattern `" + pattern + "`");
  }
  return std::move(*re);
}

// ---- The functions. ----

using Fn = std::function<Expected<Value>(Args)>;

struct Registration {
  std::string_view name;
  int minArgs;
  int maxArgs;
  Fn fn;
};

#define TRY(var, expr)                         \
  auto var##_r = (expr);                       \
  if (!var##_r) {                              \
    return Unexpected<Error>(var##_r.error()); \
  }                                            \
  auto& var = *var##_r

std::vector<Registration> stringFunctions() {
  std::vector<Registration> r;
  r.push_back({"hello", 0, 0, [](Args) -> Expected<Value> { return Value("Hello!"); }});
  r.push_back({"trunc", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(c, intParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 const auto n = static_cast<int64_t>(s.size());
                 if (c < 0 && n + c > 0) {
                   return Value(s.substr(static_cast<size_t>(n + c)));
                 }
                 if (c >= 0 && n > c) {
                   return Value(s.substr(0, static_cast<size_t>(c)));
                 }
                 return Value(s);
               }});
  r.push_back({"trim", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 return Value(std::string(trimSpace(s)));
               }});
  for (std::string_view name : {"trimAll", "trimall"}) {
    r.push_back({name, 2, 2, [](Args a) -> Expected<Value> {
                   TRY(cut, stringParam(a, 0));
                   TRY(s, stringParam(a, 1));
                   return Value(trimCutset(s, cut));
                 }});
  }
  r.push_back({"trimPrefix", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(p, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 return Value(s.rfind(p, 0) == 0 ? s.substr(p.size()) : s);
               }});
  r.push_back({"trimSuffix", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(p, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 const bool has =
                     s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
                 return Value(has ? s.substr(0, s.size() - p.size()) : s);
               }});
  r.push_back({"upper", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 std::string out = s;
                 std::transform(out.begin(), out.end(), out.begin(), [](char c) {
                   return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
                 });
                 return Value(std::move(out));
               }});
  r.push_back({"lower", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 std::string out = s;
                 std::transform(out.begin(), out.end(), out.begin(), [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
                 });
                 return Value(std::move(out));
               }});
  r.push_back({"title", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 std::string out = s;
                 bool start = true;
                 for (char& c : out) {
                   const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                       (c >= '0' && c <= '9') || c == '_' ||
                                       static_cast<unsigned char>(c) >= 0x80;
                   if (start && c >= 'a' && c <= 'z') {
                     c = static_cast<char>(c - 32);
                   }
                   start = !letter;
                 }
                 return Value(std::move(out));
               }});
  r.push_back(
      {"substr", 3, 3, [](Args a) -> Expected<Value> {
         TRY(start, intParam(a, 0));
         TRY(end, intParam(a, 1));
         TRY(s, stringParam(a, 2));
         const auto n = static_cast<int64_t>(s.size());
         // Go slicing out of range panics; sprig's substring does not guard every case.
         if (start < 0) {
           if (end < 0 || end > n) {
             return fail("runtime error: slice bounds out of range [:" + std::to_string(end) + "]");
           }
           return Value(s.substr(0, static_cast<size_t>(end)));
         }
         if (end < 0 || end > n) {
           if (start > n) {
             return fail("runtime error: slice bounds out of range [" + std::to_string(start) +
                         ":]");
           }
           return Value(s.substr(static_cast<size_t>(start)));
         }
         if (start > end) {
           return fail("runtime error: slice bounds out of range [" + std::to_string(start) + ":" +
                       std::to_string(end) + "]");
         }
         return Value(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
       }});
  r.push_back({"repeat", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(count, intParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 if (count < 0) {
                   return fail("strings: negative Repeat count");
                 }
                 if (!s.empty() && static_cast<uint64_t>(count) > (size_t{1} << 24) / s.size()) {
                   return fail("strings: Repeat output length overflow");
                 }
                 std::string out;
                 for (int64_t i = 0; i < count; ++i) {
                   out += s;
                 }
                 return Value(std::move(out));
               }});
  r.push_back({"nospace", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 std::string out;
                 for (char c : s) {
                   if (!isAsciiSpace(c)) {
                     out.push_back(c);
                   }
                 }
                 return Value(std::move(out));
               }});
  r.push_back({"contains", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(sub, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 return Value(s.find(sub) != std::string::npos);
               }});
  r.push_back({"hasPrefix", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(p, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 return Value(s.rfind(p, 0) == 0);
               }});
  r.push_back({"hasSuffix", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(p, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 return Value(s.size() >= p.size() &&
                              s.compare(s.size() - p.size(), p.size(), p) == 0);
               }});
  r.push_back({"quote", 0, -1, [](Args a) -> Expected<Value> {
                 std::string out;
                 bool first = true;
                 for (const Value& v : a) {
                   if (isNil(v)) {
                     continue;
                   }
                   if (!first) {
                     out += ' ';
                   }
                   first = false;
                   fmt::appendQuoted(out, strval(v));
                 }
                 return Value(std::move(out));
               }});
  r.push_back({"squote", 0, -1, [](Args a) -> Expected<Value> {
                 std::string out;
                 bool first = true;
                 for (const Value& v : a) {
                   if (isNil(v)) {
                     continue;
                   }
                   out += first ? "'" : " '";
                   first = false;
                   fmt::appendValue(out, v);
                   out += '\'';
                 }
                 return Value(std::move(out));
               }});
  r.push_back({"cat", 0, -1, [](Args a) -> Expected<Value> {
                 std::string out;
                 bool first = true;
                 for (const Value& v : a) {
                   if (isNil(v)) {
                     continue;
                   }
                   out += first ? "" : " ";
                   first = false;
                   fmt::appendValue(out, v);
                 }
                 return Value(std::move(out));
               }});
  const auto indent = [](Args a, bool newline) -> Expected<Value> {
    TRY(spaces, intParam(a, 0));
    TRY(s, stringParam(a, 1));
    if (spaces > (1 << 20)) {
      return fail("indent of " + std::to_string(spaces) + " spaces is too large");
    }
    const std::string pad(static_cast<size_t>(std::max<int64_t>(0, spaces)), ' ');
    return Value((newline ? "\n" : "") + pad + replaceAll(s, "\n", "\n" + pad));
  };
  r.push_back({"indent", 2, 2, [indent](Args a) { return indent(a, false); }});
  r.push_back({"nindent", 2, 2, [indent](Args a) { return indent(a, true); }});
  r.push_back({"replace", 3, 3, [](Args a) -> Expected<Value> {
                 TRY(from, stringParam(a, 0));
                 TRY(to, stringParam(a, 1));
                 TRY(s, stringParam(a, 2));
                 return Value(replaceAll(s, from, to));
               }});
  r.push_back({"plural", 3, 3, [](Args a) -> Expected<Value> {
                 TRY(one, stringParam(a, 0));
                 TRY(many, stringParam(a, 1));
                 TRY(count, intParam(a, 2));
                 return Value(count == 1 ? one : many);
               }});
  r.push_back({"toString", 1, 1, [](Args a) -> Expected<Value> { return Value(strval(a[0])); }});
  r.push_back({"toStrings", 1, 1, [](Args a) -> Expected<Value> {
                 std::vector<std::string> out;
                 if (a[0].isList()) {
                   for (const Value& v : a[0].asList()) {
                     if (!isNil(v)) {
                       out.push_back(strval(v));
                     }
                   }
                 } else if (!isNil(a[0])) {
                   out.push_back(strval(a[0]));
                 }
                 return stringList(out);
               }});
  r.push_back({"join", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(sep, stringParam(a, 0));
                 std::string out;
                 std::vector<std::string> parts;
                 if (a[1].isList()) {
                   for (const Value& v : a[1].asList()) {
                     if (!isNil(v)) {
                       parts.push_back(strval(v));
                     }
                   }
                 } else if (!isNil(a[1])) {
                   parts.push_back(strval(a[1]));
                 }
                 for (size_t i = 0; i < parts.size(); ++i) {
                   out += (i == 0 ? "" : sep) + parts[i];
                 }
                 return Value(std::move(out));
               }});
  r.push_back({"split", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(sep, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 Entries out;
                 const auto parts = splitString(s, sep);
                 for (size_t i = 0; i < parts.size(); ++i) {
                   out.emplace("_" + std::to_string(i), Value(parts[i]));
                 }
                 return makeMap(std::move(out), Value(std::string()), "map[string]string");
               }});
  r.push_back({"splitn", 3, 3, [](Args a) -> Expected<Value> {
                 TRY(sep, stringParam(a, 0));
                 TRY(n, intParam(a, 1));
                 TRY(s, stringParam(a, 2));
                 Entries out;
                 const auto parts = splitString(s, sep, n);
                 for (size_t i = 0; i < parts.size(); ++i) {
                   out.emplace("_" + std::to_string(i), Value(parts[i]));
                 }
                 return makeMap(std::move(out), Value(std::string()), "map[string]string");
               }});
  r.push_back({"splitList", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(sep, stringParam(a, 0));
                 TRY(s, stringParam(a, 1));
                 return stringList(splitString(s, sep));
               }});
  r.push_back({"sortAlpha", 1, 1, [](Args a) -> Expected<Value> {
                 std::vector<std::string> items;
                 if (a[0].isList()) {
                   for (const Value& v : a[0].asList()) {
                     if (!isNil(v)) {
                       items.push_back(strval(v));
                     }
                   }
                 } else if (!isNil(a[0])) {
                   items.push_back(strval(a[0]));
                 }
                 std::sort(items.begin(), items.end());
                 return stringList(items);
               }});
  r.push_back({"b64enc", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 return Value(base64Encode(s));
               }});
  r.push_back({"b64dec", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 auto decoded = base64Decode(s);
                 if (decoded) {
                   return Value(std::move(*decoded));
                 }
                 // sprig returns the error's text as the result: Go's CorruptInputError names
                 // the first byte outside the alphabet, else (a short final quantum) the end.
                 size_t offset = s.size();
                 for (size_t i = 0; i < s.size(); ++i) {
                   const char c = s[i];
                   const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                         (c >= '0' && c <= '9') || c == '+' || c == '/' ||
                                         c == '=' || c == '\r' || c == '\n';
                   if (!alphabet) {
                     offset = i;
                     break;
                   }
                 }
                 return Value("illegal base64 data at input byte " + std::to_string(offset));
               }});
  return r;
}

std::vector<Registration> conversionFunctions() {
  std::vector<Registration> r;
  r.push_back({"atoi", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 // strconv.Atoi: an optional sign and decimal digits; anything else is 0.
                 std::string_view t = s;
                 const bool negative = !t.empty() && t[0] == '-';
                 if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
                   t.remove_prefix(1);
                 }
                 if (t.empty() || t.find_first_not_of("0123456789") != std::string_view::npos) {
                   return int64Value(0);
                 }
                 uint64_t v = 0;
                 for (char c : t) {
                   if (v > (uint64_t{1} << 63) / 10) {
                     return int64Value(0);
                   }
                   v = v * 10 + static_cast<uint64_t>(c - '0');
                 }
                 if (v > (negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) {
                   return int64Value(0);
                 }
                 return int64Value(negative ? static_cast<int64_t>(0 - v)
                                            : static_cast<int64_t>(v));
               }});
  for (std::string_view name : {"int", "int64"}) {
    r.push_back({name, 1, 1, [](Args a) -> Expected<Value> { return int64Value(toInt64(a[0])); }});
  }
  r.push_back({"float64", 1, 1, [](Args a) -> Expected<Value> { return Value(toFloat64(a[0])); }});
  r.push_back(
      {"add1", 1, 1, [](Args a) -> Expected<Value> { return int64Value(toInt64(a[0]) + 1); }});
  r.push_back({"add", 0, -1, [](Args a) -> Expected<Value> {
                 int64_t sum = 0;
                 for (const Value& v : a) {
                   sum += toInt64(v);
                 }
                 return int64Value(sum);
               }});
  r.push_back({"sub", 2, 2, [](Args a) -> Expected<Value> {
                 return int64Value(toInt64(a[0]) - toInt64(a[1]));
               }});
  r.push_back({"mul", 1, -1, [](Args a) -> Expected<Value> {
                 int64_t product = toInt64(a[0]);
                 for (const Value& v : a.subspan(1)) {
                   product *= toInt64(v);
                 }
                 return int64Value(product);
               }});
  for (std::string_view name : {"div", "mod"}) {
    const bool isDiv = name == "div";
    r.push_back({name, 2, 2, [isDiv](Args a) -> Expected<Value> {
                   const int64_t x = toInt64(a[0]);
                   const int64_t y = toInt64(a[1]);
                   if (y == 0) {
                     return fail("runtime error: integer divide by zero");
                   }
                   if (y == -1) {
                     return int64Value(isDiv ? static_cast<int64_t>(0 - static_cast<uint64_t>(x))
                                             : 0);
                   }
                   return int64Value(isDiv ? x / y : x % y);
                 }});
  }
  for (std::string_view name : {"max", "biggest", "min"}) {
    const bool isMin = name == "min";
    r.push_back({name, 1, -1, [isMin](Args a) -> Expected<Value> {
                   int64_t best = toInt64(a[0]);
                   for (const Value& v : a.subspan(1)) {
                     const int64_t x = toInt64(v);
                     best = isMin ? std::min(best, x) : std::max(best, x);
                   }
                   return int64Value(best);
                 }});
  }
  r.push_back({"floor", 1, 1,
               [](Args a) -> Expected<Value> { return Value(std::floor(toFloat64(a[0]))); }});
  r.push_back(
      {"ceil", 1, 1, [](Args a) -> Expected<Value> { return Value(std::ceil(toFloat64(a[0]))); }});
  const auto untilStep = [](int64_t start, int64_t stop, int64_t step) -> Expected<Value> {
    List out;
    if (stop < start) {
      if (step >= 0) {
        return makeList({});
      }
      for (int64_t i = start; i > stop; i += step) {
        out.emplace_back(i);
        if (out.size() > (1u << 20)) {
          return fail("untilStep produces too many items");
        }
      }
      return makeList(std::move(out));
    }
    if (step <= 0) {
      return makeList({});
    }
    for (int64_t i = start; i < stop; i += step) {
      out.emplace_back(i);
      if (out.size() > (1u << 20)) {
        return fail("untilStep produces too many items");
      }
    }
    return makeList(std::move(out));
  };
  r.push_back({"until", 1, 1, [untilStep](Args a) -> Expected<Value> {
                 TRY(count, intParam(a, 0));
                 return untilStep(0, count, count < 0 ? -1 : 1);
               }});
  r.push_back({"untilStep", 3, 3, [untilStep](Args a) -> Expected<Value> {
                 TRY(start, intParam(a, 0));
                 TRY(stop, intParam(a, 1));
                 TRY(step, intParam(a, 2));
                 return untilStep(start, stop, step);
               }});
  r.push_back({"typeOf", 1, 1, [](Args a) -> Expected<Value> {
                 return Value(isNil(a[0]) ? std::string("<nil>") : a[0].typeName());
               }});
  r.push_back({"kindOf", 1, 1, [](Args a) -> Expected<Value> { return Value(kindName(a[0])); }});
  r.push_back({"kindIs", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(kind, stringParam(a, 0));
                 return Value(kindName(a[1]) == kind);
               }});
  r.push_back({"typeIs", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(type, stringParam(a, 0));
                 return Value(!isNil(a[1]) && a[1].typeName() == type);
               }});
  r.push_back(
      {"deepEqual", 2, 2, [](Args a) -> Expected<Value> { return Value(deepEqual(a[0], a[1])); }});
  r.push_back({"semverCompare", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(constraint, stringParam(a, 0));
                 TRY(version, stringParam(a, 1));
                 auto r = semverCompare(constraint, version);
                 if (!r) {
                   return Unexpected<Error>(r.error());
                 }
                 return Value(*r);
               }});
  r.push_back({"fail", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(message, stringParam(a, 0));
                 return fail(message);
               }});
  return r;
}

std::vector<Registration> defaultFunctions() {
  std::vector<Registration> r;
  r.push_back({"default", 1, -1, [](Args a) -> Expected<Value> {
                 if (a.size() < 2 || empty(a[1])) {
                   return iface(a[0]);
                 }
                 return a[1];
               }});
  r.push_back({"empty", 1, 1, [](Args a) -> Expected<Value> { return Value(empty(a[0])); }});
  r.push_back({"coalesce", 0, -1, [](Args a) -> Expected<Value> {
                 for (const Value& v : a) {
                   if (!empty(v)) {
                     return v;
                   }
                 }
                 return Value::nil();
               }});
  r.push_back({"all", 0, -1, [](Args a) -> Expected<Value> {
                 return Value(
                     std::none_of(a.begin(), a.end(), [](const Value& v) { return empty(v); }));
               }});
  r.push_back({"any", 0, -1, [](Args a) -> Expected<Value> {
                 return Value(
                     std::any_of(a.begin(), a.end(), [](const Value& v) { return !empty(v); }));
               }});
  r.push_back({"ternary", 3, 3, [](Args a) -> Expected<Value> {
                 TRY(condition, boolParam(a, 2));
                 return iface(condition ? a[0] : a[1]);
               }});
  return r;
}

std::vector<Registration> listFunctions() {
  std::vector<Registration> r;
  for (std::string_view name : {"list", "tuple"}) {
    r.push_back({name, 0, -1, [](Args a) -> Expected<Value> {
                   List out;
                   for (const Value& v : a) {
                     out.push_back(iface(v));
                   }
                   return makeList(std::move(out));
                 }});
  }
  for (std::string_view name : {"append", "push", "mustAppend", "mustPush"}) {
    r.push_back({name, 2, 2, [](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], "push"));
                   List out = *list;
                   out.push_back(iface(a[1]));
                   return makeList(std::move(out));
                 }});
  }
  for (std::string_view name : {"prepend", "mustPrepend"}) {
    r.push_back({name, 2, 2, [](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], "prepend"));
                   List out;
                   out.push_back(iface(a[1]));
                   out.insert(out.end(), list->begin(), list->end());
                   return makeList(std::move(out));
                 }});
  }
  for (std::string_view name : {"first", "mustFirst", "last", "mustLast"}) {
    const bool isFirst = name.find("irst") != std::string_view::npos;
    r.push_back({name, 1, 1, [isFirst](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], isFirst ? "find first" : "find last"));
                   if (list->empty()) {
                     return Value::nil();
                   }
                   return isFirst ? list->front() : list->back();
                 }});
  }
  for (std::string_view name : {"rest", "mustRest", "initial", "mustInitial"}) {
    const bool isRest = name.find("est") != std::string_view::npos;
    r.push_back({name, 1, 1, [isRest](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], isRest ? "find rest" : "find initial"));
                   if (list->empty()) {
                     return Value::nil();
                   }
                   return makeList(isRest ? List(list->begin() + 1, list->end())
                                          : List(list->begin(), list->end() - 1));
                 }});
  }
  for (std::string_view name : {"reverse", "mustReverse"}) {
    r.push_back({name, 1, 1, [](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], "find reverse"));
                   return makeList(List(list->rbegin(), list->rend()));
                 }});
  }
  for (std::string_view name : {"compact", "mustCompact"}) {
    r.push_back({name, 1, 1, [](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], "compact"));
                   List out;
                   for (const Value& v : *list) {
                     if (!empty(v)) {
                       out.push_back(v);
                     }
                   }
                   return makeList(std::move(out));
                 }});
  }
  for (std::string_view name : {"uniq", "mustUniq"}) {
    r.push_back({name, 1, 1, [](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], "find uniq"));
                   List out;
                   for (const Value& v : *list) {
                     if (std::none_of(out.begin(), out.end(),
                                      [&](const Value& o) { return deepEqual(o, v); })) {
                       out.push_back(v);
                     }
                   }
                   return makeList(std::move(out));
                 }});
  }
  for (std::string_view name : {"without", "mustWithout"}) {
    r.push_back({name, 1, -1, [](Args a) -> Expected<Value> {
                   TRY(list, listParam(a[0], "find without"));
                   List out;
                   for (const Value& v : *list) {
                     if (std::none_of(a.begin() + 1, a.end(),
                                      [&](const Value& o) { return deepEqual(iface(o), v); })) {
                       out.push_back(v);
                     }
                   }
                   return makeList(std::move(out));
                 }});
  }
  for (std::string_view name : {"has", "mustHas"}) {
    r.push_back({name, 2, 2, [](Args a) -> Expected<Value> {
                   if (isNil(a[1])) {
                     return Value(false);
                   }
                   TRY(list, listParam(a[1], "find has"));
                   const Value needle = iface(a[0]);
                   return Value(std::any_of(list->begin(), list->end(),
                                            [&](const Value& v) { return deepEqual(v, needle); }));
                 }});
  }
  r.push_back({"concat", 0, -1, [](Args a) -> Expected<Value> {
                 List out;
                 for (const Value& v : a) {
                   TRY(list, listParam(v, "concat"));
                   out.insert(out.end(), list->begin(), list->end());
                 }
                 return makeList(std::move(out));
               }});
  return r;
}

std::vector<Registration> dictFunctions() {
  std::vector<Registration> r;
  r.push_back({"dict", 0, -1, [](Args a) -> Expected<Value> {
                 Entries out;
                 for (size_t i = 0; i < a.size(); i += 2) {
                   out[strval(a[i])] = i + 1 < a.size() ? iface(a[i + 1]) : Value(std::string());
                 }
                 return dictValue(std::move(out));
               }});
  r.push_back({"get", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(d, dictParam(a, 0));
                 TRY(key, stringParam(a, 1));
                 auto it = d->find(key);
                 return it == d->end() ? Value(std::string()) : it->second;
               }});
  r.push_back({"set", 3, 3, [](Args a) -> Expected<Value> {
                 TRY(d, dictParam(a, 0));
                 TRY(key, stringParam(a, 1));
                 Entries out = *d;
                 out[key] = iface(a[2]);
                 return dictValue(std::move(out));
               }});
  r.push_back({"unset", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(d, dictParam(a, 0));
                 TRY(key, stringParam(a, 1));
                 Entries out = *d;
                 out.erase(key);
                 return dictValue(std::move(out));
               }});
  r.push_back({"hasKey", 2, 2, [](Args a) -> Expected<Value> {
                 TRY(d, dictParam(a, 0));
                 TRY(key, stringParam(a, 1));
                 return Value(d->find(key) != d->end());
               }});
  r.push_back({"pluck", 1, -1, [](Args a) -> Expected<Value> {
                 TRY(key, stringParam(a, 0));
                 List out;
                 for (size_t i = 1; i < a.size(); ++i) {
                   TRY(d, dictParam(a, i));
                   auto it = d->find(key);
                   if (it != d->end()) {
                     out.push_back(it->second);
                   }
                 }
                 return makeList(std::move(out));
               }});
  r.push_back({"keys", 0, -1, [](Args a) -> Expected<Value> {
                 std::vector<std::string> out;
                 for (size_t i = 0; i < a.size(); ++i) {
                   TRY(d, dictParam(a, i));
                   for (const auto& [k, v] : *d) {
                     out.push_back(k);
                   }
                 }
                 std::sort(out.begin(), out.end());
                 return stringList(out);
               }});
  for (std::string_view name : {"pick", "omit"}) {
    const bool pick = name == "pick";
    r.push_back({name, 1, -1, [pick](Args a) -> Expected<Value> {
                   TRY(d, dictParam(a, 0));
                   std::set<std::string, std::less<>> listed;
                   for (size_t i = 1; i < a.size(); ++i) {
                     TRY(key, stringParam(a, i));
                     listed.insert(key);
                   }
                   Entries out;
                   for (const auto& [k, v] : *d) {
                     if ((listed.count(k) != 0) == pick) {
                       out.emplace(k, v);
                     }
                   }
                   return dictValue(std::move(out));
                 }});
  }
  r.push_back({"values", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(d, dictParam(a, 0));
                 List out;
                 for (const auto& [k, v] : *d) {
                   out.push_back(v);
                 }
                 return makeList(std::move(out));
               }});
  r.push_back({"dig", 3, -1, [](Args a) -> Expected<Value> {
                 const Value& dict = a.back();
                 if (!dict.isMap()) {
                   return fail("interface conversion: interface {} is " + dict.typeName() +
                               ", not map[string]interface {}");
                 }
                 const Value* current = &dict;
                 for (size_t i = 0; i + 2 < a.size(); ++i) {
                   TRY(key, stringParam(a, i));
                   if (!current->isMap()) {
                     return fail("interface conversion: interface {} is " + current->typeName() +
                                 ", not map[string]interface {}");
                   }
                   const Value* next = current->asMap().find(key);
                   if (next == nullptr) {
                     return iface(a[a.size() - 2]);
                   }
                   current = next;
                 }
                 return *current;
               }});
  return r;
}

// The (pattern, subject) arguments every regex function starts with, the subject bounded and
// the pattern compiled (an error for a bad pattern, as the must* variants and MustCompile give).
struct RegexArgs {
  std::regex re;
  std::string subject;
};

Expected<RegexArgs> regexArgs(Args a) {
  TRY(pattern, stringParam(a, 0));
  TRY(subject, stringParam(a, 1));
  if (auto bounded = checkSubject(subject); !bounded) {
    return Unexpected<Error>(bounded.error());
  }
  TRY(re, mustCompile(pattern));
  return RegexArgs{std::move(re), std::move(subject)};
}

std::vector<std::string> findAll(const RegexArgs& r, int64_t n) {
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(r.subject.begin(), r.subject.end(), r.re);
       it != std::sregex_iterator(); ++it) {
    if (n >= 0 && static_cast<int64_t>(out.size()) >= n) {
      break;
    }
    out.push_back(it->str(0));
  }
  return out;
}

std::vector<std::string> regexSplit(const RegexArgs& r, int64_t n) {
  std::vector<std::string> out;
  if (n == 0) {
    return out;
  }
  const std::string& s = r.subject;
  size_t start = 0;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), r.re); it != std::sregex_iterator();
       ++it) {
    if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) {
      break;
    }
    const auto pos = static_cast<size_t>(it->position(0));
    if (it->length(0) == 0 && pos == 0) {
      continue;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + static_cast<size_t>(it->length(0));
  }
  out.push_back(s.substr(start));
  return out;
}

std::vector<Registration> regexFunctions() {
  std::vector<Registration> r;
  for (std::string_view name : {"regexMatch", "mustRegexMatch"}) {
    const bool must = name == "mustRegexMatch";
    r.push_back({name, 2, 2, [must](Args a) -> Expected<Value> {
                   TRY(subject, stringParam(a, 1));
                   if (auto bounded = checkSubject(subject); !bounded) {
                     return Unexpected<Error>(bounded.error());
                   }
                   auto args = regexArgs(a);
                   if (!args) {
                     // regexp.MatchString's error is dropped by regexMatch: no match.
                     return must ? Expected<Value>(Unexpected<Error>(args.error())) : Value(false);
                   }
                   return Value(std::regex_search(args->subject, args->re));
                 }});
  }
  for (std::string_view name : {"regexFind", "mustRegexFind"}) {
    r.push_back({name, 2, 2, [](Args a) -> Expected<Value> {
                   TRY(args, regexArgs(a));
                   std::smatch m;
                   return Value(std::regex_search(args.subject, m, args.re) ? m.str(0)
                                                                            : std::string());
                 }});
  }
  for (std::string_view name :
       {"regexFindAll", "mustRegexFindAll", "regexSplit", "mustRegexSplit"}) {
    const bool split = name.find("Split") != std::string_view::npos;
    r.push_back({name, 3, 3, [split](Args a) -> Expected<Value> {
                   TRY(args, regexArgs(a));
                   TRY(n, intParam(a, 2));
                   return stringList(split ? regexSplit(args, n) : findAll(args, n));
                 }});
  }
  for (std::string_view name : {"regexReplaceAll", "mustRegexReplaceAll", "regexReplaceAllLiteral",
                                "mustRegexReplaceAllLiteral"}) {
    const bool literal = name.find("Literal") != std::string_view::npos;
    r.push_back({name, 3, 3, [literal](Args a) -> Expected<Value> {
                   TRY(args, regexArgs(a));
                   TRY(repl, stringParam(a, 2));
                   // Go's ${1} is ECMAScript's $1; a literal replacement escapes every $.
                   const std::string format =
                       literal ? replaceAll(repl, "$", "$$")
                               : replaceAll(replaceAll(repl, "${", "$"), "}", "");
                   return Value(std::regex_replace(args.subject, args.re, format));
                 }});
  }
  r.push_back({"regexQuoteMeta", 1, 1, [](Args a) -> Expected<Value> {
                 TRY(s, stringParam(a, 0));
                 std::string out;
                 for (char c : s) {
                   if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) {
                     out += '\\';
                   }
                   out += c;
                 }
                 return Value(std::move(out));
               }});
  return r;
}

std::vector<Registration> jsonFunctions(const SprigHooks& hooks) {
  std::vector<Registration> r;
  if (hooks.marshalJson) {
    const auto marshal = hooks.marshalJson;
    const struct {
      std::string_view name;
      JsonStyle style;
      bool must;
    } kinds[] = {
        {"toJson", JsonStyle::Compact, false},      {"mustToJson", JsonStyle::Compact, true},
        {"toPrettyJson", JsonStyle::Pretty, false}, {"mustToPrettyJson", JsonStyle::Pretty, true},
        {"toRawJson", JsonStyle::Raw, true},        {"mustToRawJson", JsonStyle::Raw, true}};
    for (const auto& k : kinds) {
      r.push_back(
          {k.name, 1, 1, [marshal, style = k.style, must = k.must](Args a) -> Expected<Value> {
             auto text = marshal(iface(a[0]), style);
             if (!text) {
               if (must) {
                 return Unexpected<Error>(text.error());
               }
               return Value(std::string());
             }
             return Value(std::move(*text));
           }});
    }
  }
  if (hooks.unmarshalJson) {
    const auto unmarshal = hooks.unmarshalJson;
    for (std::string_view name : {"fromJson", "mustFromJson"}) {
      const bool must = name == "mustFromJson";
      r.push_back({name, 1, 1, [unmarshal, must](Args a) -> Expected<Value> {
                     TRY(text, stringParam(a, 0));
                     auto v = unmarshal(text);
                     if (!v) {
                       if (must) {
                         return Unexpected<Error>(v.error());
                       }
                       return Value::nil();
                     }
                     return std::move(*v);
                   }});
    }
  }
  return r;
}

#undef TRY

}  // namespace

std::span<const std::string_view> sprigFunctionNames() {
  return kNames;
}

void addSprigFunctions(FuncMap& funcs, const SprigHooks& hooks) {
  for (std::string_view name : kNames) {
    const std::string message = "function \"" + std::string(name) + "\" is not supported";
    funcs.add(std::string(name),
              [message](std::span<const Value>, const CallContext&) -> Expected<Value> {
                return fail(message);
              });
  }
  for (auto group : {stringFunctions(), conversionFunctions(), defaultFunctions(), listFunctions(),
                     dictFunctions(), regexFunctions(), jsonFunctions(hooks)}) {
    for (auto& reg : group) {
      funcs.add(
          std::string(reg.name),
          [fn = std::move(reg.fn)](std::span<const Value> args, const CallContext&) {
            return fn(args);
          },
          reg.minArgs, reg.maxArgs);
    }
  }
}

}  // namespace sidecar::tmpl
