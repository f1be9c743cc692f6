// semverCompare: Masterminds/semver v3's NewConstraint / NewVersion / Constraints.Check.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "template/sprig.h"

namespace sidecar::tmpl {
namespace {

struct Version {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::string pre;
};

bool isDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

bool isIdentChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// strings.Split(s, ".").
std::vector<std::string_view> splitDots(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t dot = s.find('.', start);
    out.push_back(
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) {
      return out;
    }
    start = dot + 1;
  }
}

// Dot-separated non-empty identifiers of [0-9A-Za-z-].
bool validIdentifiers(std::string_view s) {
  for (std::string_view part : splitDots(s)) {
    if (part.empty() || !std::all_of(part.begin(), part.end(), isIdentChar)) {
      return false;
    }
  }
  return true;
}

std::optional<uint64_t> parseUint(std::string_view s) {
  if (!isDigits(s) || s.size() > 20) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : s) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      return std::nullopt;
    }
    v = v * 10 + d;
  }
  return v;
}

// The textual parts of a version: v?MAJOR(.MINOR)?(.PATCH)?(-PRE)?(+META)?, where the numeric
// parts may be wildcards when `wildcards`.
struct VersionText {
  std::string_view major, minor, patch, pre;
  bool hasMinor = false;
  bool hasPatch = false;
};

bool isWildcard(std::string_view s) {
  return s == "x" || s == "X" || s == "*";
}

std::optional<VersionText> splitVersion(std::string_view s, bool wildcards) {
  VersionText t;
  if (!s.empty() && s[0] == 'v') {
    s.remove_prefix(1);
  }
  const size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    if (!validIdentifiers(s.substr(plus + 1))) {
      return std::nullopt;
    }
    s = s.substr(0, plus);
  }
  const size_t dash = s.find('-');
  if (dash != std::string_view::npos) {
    t.pre = s.substr(dash + 1);
    if (!validIdentifiers(t.pre)) {
      return std::nullopt;
    }
    s = s.substr(0, dash);
  }
  std::vector<std::string_view> parts = splitDots(s);
  const size_t n = parts.size();
  if (n > 3) {
    return std::nullopt;
  }
  parts.resize(3);
  for (size_t i = 0; i < n; ++i) {
    if (!isDigits(parts[i]) && !(wildcards && isWildcard(parts[i]))) {
      return std::nullopt;
    }
  }
  t.major = parts[0];
  t.minor = parts[1];
  t.patch = parts[2];
  t.hasMinor = n > 1;
  t.hasPatch = n > 2;
  return t;
}

Expected<Version> parseVersion(std::string_view s) {
  auto t = splitVersion(s, false);
  if (!t) {
    return fail("Invalid Semantic Version");
  }
  Version v;
  auto major = parseUint(t->major);
  auto minor = t->hasMinor ? parseUint(t->minor) : std::optional<uint64_t>(0);
  auto patch = t->hasPatch ? parseUint(t->patch) : std::optional<uint64_t>(0);
  if (!major || !minor || !patch) {
    return fail("Error parsing version segment");
  }
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  v.pre = std::string(t->pre);
  // Numeric prerelease identifiers may not have leading zeros.
  for (std::string_view part : v.pre.empty() ? std::vector<std::string_view>{} : splitDots(v.pre)) {
    if (isDigits(part) && part.size() > 1 && part[0] == '0') {
      return fail("Version segment starts with 0");
    }
  }
  return v;
}

int comparePrePart(std::string_view s, std::string_view o) {
  if (s == o) {
    return 0;
  }
  if (s.empty()) {
    return o.empty() ? 1 : -1;
  }
  if (o.empty()) {
    return 1;
  }
  auto si = parseUint(s);
  auto oi = parseUint(o);
  if (!si && !oi) {
    return s > o ? 1 : -1;
  }
  if (!oi) {
    return -1;
  }
  if (!si) {
    return 1;
  }
  return *si > *oi ? 1 : -1;
}

int comparePrerelease(std::string_view a, std::string_view b) {
  const std::vector<std::string_view> pa = splitDots(a);
  const std::vector<std::string_view> pb = splitDots(b);
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    const int d = comparePrePart(i < pa.size() ? pa[i] : std::string_view(),
                                 i < pb.size() ? pb[i] : std::string_view());
    if (d != 0) {
      return d;
    }
  }
  return 0;
}

int compare(const Version& v, const Version& o) {
  for (auto [x, y] :
       {std::pair{v.major, o.major}, std::pair{v.minor, o.minor}, std::pair{v.patch, o.patch}}) {
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  if (v.pre.empty() && o.pre.empty()) {
    return 0;
  }
  if (v.pre.empty()) {
    return 1;
  }
  if (o.pre.empty()) {
    return -1;
  }
  return comparePrerelease(v.pre, o.pre);
}

struct Constraint {
  std::string op;
  Version con;
  bool dirty = false;
  bool minorDirty = false;
  bool patchDirty = false;
};

Expected<Constraint> parseConstraint(std::string op, std::string_view text) {
  auto t = splitVersion(text, true);
  if (!t) {
    return fail("improper constraint: " + std::string(text));
  }
  Constraint c;
  c.op = std::move(op);
  std::string version;
  const std::string pre = t->pre.empty() ? std::string() : "-" + std::string(t->pre);
  if (isWildcard(t->major)) {
    version = "0.0.0" + pre;
    c.dirty = true;
  } else if (!t->hasMinor || isWildcard(t->minor)) {
    version = std::string(t->major) + ".0.0" + pre;
    c.dirty = c.minorDirty = true;
  } else if (!t->hasPatch || isWildcard(t->patch)) {
    version = std::string(t->major) + "." + std::string(t->minor) + ".0" + pre;
    c.dirty = c.patchDirty = true;
  } else {
    version = std::string(text);
  }
  auto v = parseVersion(version);
  if (!v) {
    return fail("constraint parser error");
  }
  c.con = *v;
  return c;
}

bool tilde(const Version& v, const Constraint& c) {
  if (compare(v, c.con) < 0) {
    return false;
  }
  if (c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minorDirty && !c.patchDirty) {
    return true;
  }
  if (v.major != c.con.major) {
    return false;
  }
  return v.minor == c.con.minor || c.minorDirty;
}

bool caret(const Version& v, const Constraint& c) {
  if (compare(v, c.con) < 0) {
    return false;
  }
  if (c.con.major > 0 || c.minorDirty) {
    return v.major == c.con.major;
  }
  if (v.major > 0) {
    return false;
  }
  if (c.con.minor > 0 || c.patchDirty) {
    return v.minor == c.con.minor;
  }
  if (v.minor > 0) {
    return false;
  }
  return c.con.patch == v.patch;
}

bool check(const Version& v, const Constraint& c, bool includePre) {
  if (!v.pre.empty() && !includePre) {
    return false;
  }
  const std::string& op = c.op;
  if (op.empty() || op == "=") {
    return c.dirty ? tilde(v, c) : compare(v, c.con) == 0;
  }
  if (op == "!=") {
    if (c.dirty) {
      if (c.con.major != v.major) {
        return true;
      }
      if (c.con.minor != v.minor && !c.minorDirty) {
        return true;
      }
      if (c.minorDirty) {
        return false;
      }
      if (c.con.patch != v.patch && !c.patchDirty) {
        return true;
      }
      if (c.patchDirty) {
        return (!v.pre.empty() || !c.con.pre.empty()) && comparePrerelease(v.pre, c.con.pre) != 0;
      }
    }
    return compare(v, c.con) != 0;
  }
  if (op == ">") {
    if (!c.dirty) {
      return compare(v, c.con) > 0;
    }
    if (v.major != c.con.major) {
      return v.major > c.con.major;
    }
    if (c.minorDirty) {
      return false;
    }
    if (c.patchDirty) {
      return v.minor > c.con.minor;
    }
    return compare(v, c.con) > 0;
  }
  if (op == "<") {
    return compare(v, c.con) < 0;
  }
  if (op == ">=" || op == "=>") {
    return compare(v, c.con) >= 0;
  }
  if (op == "<=" || op == "=<") {
    if (!c.dirty) {
      return compare(v, c.con) <= 0;
    }
    if (v.major > c.con.major) {
      return false;
    }
    return !(v.major == c.con.major && v.minor > c.con.minor && !c.minorDirty);
  }
  if (op == "~" || op == "~>") {
    return tilde(v, c);
  }
  return caret(v, c);  // "^"
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isOpChar(char c) {
  return c == '=' || c == '!' || c == '<' || c == '>' || c == '~' || c == '^';
}
bool isVersionChar(char c) {
  return isIdentChar(c) || c == '.' || c == '*' || c == '+';
}

bool validOp(std::string_view op) {
  for (std::string_view known : {"", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^"}) {
    if (op == known) {
      return true;
    }
  }
  return false;
}

// Skips spaces, then reads a version (with wildcards) at `i`; empty when there is none.
std::string_view readVersion(std::string_view group, size_t& i) {
  while (i < group.size() && isSpace(group[i])) {
    ++i;
  }
  const size_t start = i;
  while (i < group.size() && isVersionChar(group[i])) {
    ++i;
  }
  return group.substr(start, i - start);
}

// One OR group: constraints separated by spaces or commas; `A - B` is `>= A, <= B`.
Expected<std::vector<Constraint>> parseGroup(std::string_view group) {
  struct Token {
    std::string op;
    std::string_view version;
  };
  std::vector<Token> tokens;
  size_t i = 0;
  bool needSeparator = false;
  while (true) {
    bool separated = false;
    while (i < group.size() && (isSpace(group[i]) || group[i] == ',')) {
      separated = true;
      ++i;
    }
    if (i >= group.size()) {
      break;
    }
    if (needSeparator && !separated) {
      return fail("improper constraint: " + std::string(group));
    }
    // A hyphen range: the previous version, " - ", the next one.
    if (group[i] == '-' && !tokens.empty() && tokens.back().op.empty() && i + 1 < group.size() &&
        isSpace(group[i + 1]) && separated) {
      ++i;
      const std::string_view version = readVersion(group, i);
      if (version.empty()) {
        return fail("improper constraint: " + std::string(group));
      }
      tokens.back().op = ">=";
      tokens.push_back(Token{"<=", version});
      needSeparator = true;
      continue;
    }
    std::string op;
    while (i < group.size() && isOpChar(group[i])) {
      op.push_back(group[i++]);
    }
    if (!validOp(op)) {
      return fail("improper constraint: " + std::string(group));
    }
    const std::string_view version = readVersion(group, i);
    if (version.empty()) {
      return fail("improper constraint: " + std::string(group));
    }
    tokens.push_back(Token{op, version});
    needSeparator = true;
  }
  if (tokens.empty()) {
    return fail("improper constraint: " + std::string(group));
  }
  std::vector<Constraint> out;
  for (auto& token : tokens) {
    auto c = parseConstraint(token.op, token.version);
    if (!c) {
      return Unexpected<Error>(c.error());
    }
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace

Expected<bool> semverCompare(std::string_view constraint, std::string_view version) {
  std::vector<std::vector<Constraint>> groups;
  std::vector<bool> hasPre;
  size_t start = 0;
  for (;;) {
    const size_t bar = constraint.find("||", start);
    auto group = parseGroup(constraint.substr(
        start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (!group) {
      return Unexpected<Error>(group.error());
    }
    bool pre = false;
    for (const auto& c : *group) {
      pre = pre || !c.con.pre.empty();
    }
    hasPre.push_back(pre);
    groups.push_back(std::move(*group));
    if (bar == std::string_view::npos) {
      break;
    }
    start = bar + 2;
  }
  auto v = parseVersion(version);
  if (!v) {
    return Unexpected<Error>(v.error());
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    bool all = true;
    for (const auto& c : groups[g]) {
      if (!check(*v, c, hasPre[g])) {
        all = false;
        break;
      }
    }
    if (all) {
      return true;
    }
  }
  return false;
}

}  // namespace sidecar::tmpl
