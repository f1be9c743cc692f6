#include "kube/yaml_fast.h"

#include <string>
#include <vector>

#include "common/utf8.h"
#include "kube/yaml_scalar.h"

namespace sidecar::kube::detail {
namespace {

using nlohmann::json;

// Thrown to decline: the full reader takes over.
struct Decline {};

struct Line {
  int indent = 0;          // leading spaces
  std::string_view text;   // content after the indentation, no newline
  bool blank = false;      // empty, spaces only, or a comment only
};

bool isFlowOrSpecialStart(char c) {
  switch (c) {
    case '[':
    case ']':
    case '{':
    case '}':
    case ',':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '%':
    case '@':
    case '`':
    case '#':
    case '\'':
    case '"':
      return true;
    default:
      return false;
  }
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return s;
}

class FastParser {
 public:
  explicit FastParser(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) {
        eol = text.size();
      }
      std::string_view raw = text.substr(pos, eol - pos);
      Line line;
      size_t k = 0;
      while (k < raw.size() && raw[k] == ' ') {
        ++k;
      }
      line.indent = static_cast<int>(k);
      line.text = raw.substr(k);
      line.blank = line.text.empty() || line.text[0] == '#';
      lines_.push_back(line);
      pos = eol + 1;
    }
  }

  json parseDocument() {
    skipBlank();
    if (cur_ >= lines_.size()) {
      return nullptr;
    }
    const Line& first = lines_[cur_];
    if (first.indent == 0 && (first.text.substr(0, 3) == "---" || first.text.substr(0, 3) == "...")) {
      throw Decline{};
    }
    json root = parseNode(first.indent);
    skipBlank();
    if (cur_ < lines_.size()) {
      throw Decline{};
    }
    return root;
  }

 private:
  void skipBlank() {
    while (cur_ < lines_.size() && lines_[cur_].blank) {
      ++cur_;
    }
  }

  static bool isSeqEntry(std::string_view t) { return t == "-" || t.substr(0, 2) == "- "; }

  json parseNode(int indent) {
    const Line& line = lines_[cur_];
    if (isSeqEntry(line.text)) {
      return parseSeq(line.indent);
    }
    if (findMappingColon(line.text) == std::string_view::npos) {
      throw Decline{};  // a bare scalar document or a multi-line scalar
    }
    (void)indent;
    return parseMap(line.indent);
  }

  // Position of the ':' that ends a plain or quoted key on this line, npos when the line
  // is not "key: ..." / "key:".
  static size_t findMappingColon(std::string_view t) {
    if (t.empty()) {
      return std::string_view::npos;
    }
    if (t[0] == '"' || t[0] == '\'') {
      const char q = t[0];
      size_t i = 1;
      while (i < t.size()) {
        if (q == '\'' && t[i] == '\'' && i + 1 < t.size() && t[i + 1] == '\'') {
          i += 2;
          continue;
        }
        if (q == '"' && t[i] == '\\') {
          i += 2;
          continue;
        }
        if (t[i] == q) {
          break;
        }
        ++i;
      }
      if (i >= t.size()) {
        return std::string_view::npos;
      }
      size_t j = i + 1;
      while (j < t.size() && t[j] == ' ') {
        ++j;
      }
      if (j < t.size() && t[j] == ':' && (j + 1 == t.size() || t[j + 1] == ' ')) {
        return j;
      }
      return std::string_view::npos;
    }
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '#' && i > 0 && t[i - 1] == ' ') {
        return std::string_view::npos;
      }
      if (t[i] == ':' && (i + 1 == t.size() || t[i + 1] == ' ')) {
        return i;
      }
    }
    return std::string_view::npos;
  }

  std::string parseKey(std::string_view keyText) {
    keyText = rtrim(keyText);
    if (keyText.empty()) {
      throw Decline{};
    }
    if (keyText[0] == '"' || keyText[0] == '\'') {
      size_t used = 0;
      std::string s = parseQuoted(keyText, used);
      if (used != keyText.size()) {
        throw Decline{};
      }
      return s;
    }
    if (isFlowOrSpecialStart(keyText[0]) || keyText[0] == '?' || keyText[0] == '-' || keyText[0] == ':') {
      throw Decline{};
    }
    json resolved = resolvePlainScalar(keyText);
    if (!resolved.is_string() || keyText == "<<") {
      throw Decline{};  // ghodss key conversion and merge keys: the full reader
    }
    return resolved.get<std::string>();
  }

  // A one-line quoted scalar at the start of t; used = bytes consumed.
  static std::string parseQuoted(std::string_view t, size_t& used) {
    const char q = t[0];
    std::string out;
    size_t i = 1;
    while (true) {
      if (i >= t.size()) {
        throw Decline{};  // continues on the next line
      }
      const char c = t[i];
      if (q == '\'') {
        if (c == '\'') {
          if (i + 1 < t.size() && t[i + 1] == '\'') {
            out += '\'';
            i += 2;
            continue;
          }
          used = i + 1;
          return out;
        }
        out += c;
        ++i;
        continue;
      }
      if (c == '"') {
        used = i + 1;
        return out;
      }
      if (c == '\\') {
        if (i + 1 >= t.size()) {
          throw Decline{};
        }
        switch (t[i + 1]) {
          case '\\':
            out += '\\';
            break;
          case '"':
            out += '"';
            break;
          case '/':
            out += '/';
            break;
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          default:
            throw Decline{};
        }
        i += 2;
        continue;
      }
      out += c;
      ++i;
    }
  }

  // The value text after "key:" or "- " (trimmed of leading spaces), at line cur_.
  // parentIndent: the indentation a continuation would have to exceed.
  json parseInlineValue(std::string_view v, int parentIndent) {
    if (v.empty() || v[0] == '#') {
      ++cur_;
      skipBlank();
      if (cur_ < lines_.size() && lines_[cur_].indent > parentIndent) {
        return parseNode(lines_[cur_].indent);
      }
      return nullptr;
    }
    if (v[0] == '|') {
      return parseLiteral(v, parentIndent);
    }
    json value;
    if (v[0] == '"' || v[0] == '\'') {
      size_t used = 0;
      value = parseQuoted(v, used);
      std::string_view rest = v.substr(used);
      size_t k = 0;
      while (k < rest.size() && rest[k] == ' ') {
        ++k;
      }
      if (k < rest.size() && !(rest[k] == '#' && k > 0)) {
        throw Decline{};
      }
    } else if (v.substr(0, 2) == "[]" || v.substr(0, 2) == "{}") {
      std::string_view rest = v.substr(2);
      size_t k = 0;
      while (k < rest.size() && rest[k] == ' ') {
        ++k;
      }
      if (k < rest.size() && !(rest[k] == '#' && k > 0)) {
        throw Decline{};
      }
      value = v[0] == '[' ? json::array() : json::object();
    } else {
      if (isFlowOrSpecialStart(v[0])) {
        throw Decline{};
      }
      if ((v[0] == '-' || v[0] == '?' || v[0] == ':') && (v.size() == 1 || v[1] == ' ')) {
        throw Decline{};
      }
      // Plain scalar up to a " #" comment; ": " inside is a YAML error, let the full reader say so.
      size_t end = v.size();
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '#' && i > 0 && v[i - 1] == ' ') {
          end = i;
          break;
        }
        if (v[i] == ':' && (i + 1 == v.size() || v[i + 1] == ' ')) {
          throw Decline{};
        }
      }
      value = resolvePlainScalar(rtrim(v.substr(0, end)));
    }
    ++cur_;
    skipBlank();
    if (cur_ < lines_.size() && lines_[cur_].indent > parentIndent) {
      throw Decline{};  // a multi-line plain scalar or an indentation error
    }
    return value;
  }

  json parseLiteral(std::string_view header, int parentIndent) {
    // "|", "|-", "|+", optionally followed by a comment; indentation indicators decline.
    char chomp = 'c';
    size_t k = 1;
    if (k < header.size() && (header[k] == '-' || header[k] == '+')) {
      chomp = header[k];
      ++k;
    }
    std::string_view rest = header.substr(k);
    size_t s = 0;
    while (s < rest.size() && rest[s] == ' ') {
      ++s;
    }
    if (s < rest.size() && !(rest[s] == '#' && s > 0)) {
      throw Decline{};
    }
    ++cur_;
    // Content indentation: the first non-empty line's; leading empty lines must not be
    // deeper (that is an error the full reader reports).
    size_t probe = cur_;
    int contentIndent = -1;
    int maxLeadingEmpty = 0;
    while (probe < lines_.size()) {
      if (lines_[probe].text.empty()) {
        maxLeadingEmpty = std::max(maxLeadingEmpty, lines_[probe].indent);
        ++probe;
        continue;
      }
      contentIndent = lines_[probe].indent;
      break;
    }
    if (contentIndent <= parentIndent || maxLeadingEmpty > contentIndent) {
      throw Decline{};
    }
    std::string out;
    size_t trailingBreaks = 0;
    bool any = false;
    while (cur_ < lines_.size()) {
      const Line& line = lines_[cur_];
      if (line.text.empty()) {
        if (line.indent > contentIndent) {
          throw Decline{};  // spaces that would be content
        }
        ++trailingBreaks;
        ++cur_;
        continue;
      }
      if (line.indent < contentIndent) {
        break;
      }
      if (any) {
        out += '\n';
      }
      out.append(trailingBreaks, '\n');
      trailingBreaks = 0;
      out.append(static_cast<size_t>(line.indent - contentIndent), ' ');
      out += line.text;
      any = true;
      ++cur_;
    }
    if (!any) {
      throw Decline{};
    }
    // The last content line's own break plus trailingBreaks empty lines follow.
    if (chomp == 'c') {
      out += '\n';
    } else if (chomp == '+') {
      out += '\n';
      out.append(trailingBreaks, '\n');
    }
    // A block that runs to the end of a text without a final newline: readers differ on
    // whether the last line has a break.
    if (cur_ >= lines_.size() && endsWithoutNewline_) {
      throw Decline{};
    }
    skipBlank();
    return out;
  }

  json parseMap(int indent) {
    json obj = json::object();
    while (true) {
      skipBlank();
      if (cur_ >= lines_.size() || lines_[cur_].indent < indent) {
        return obj;
      }
      Line& line = lines_[cur_];
      if (line.indent > indent || isSeqEntry(line.text)) {
        throw Decline{};
      }
      const size_t colon = findMappingColon(line.text);
      if (colon == std::string_view::npos) {
        throw Decline{};
      }
      std::string key = parseKey(line.text.substr(0, colon));
      std::string_view rest = line.text.substr(colon + 1);
      size_t s = 0;
      while (s < rest.size() && rest[s] == ' ') {
        ++s;
      }
      rest = rest.substr(s);
      json value;
      if (rest.empty() || rest[0] == '#') {
        ++cur_;
        skipBlank();
        if (cur_ < lines_.size() && lines_[cur_].indent > indent) {
          value = parseNode(lines_[cur_].indent);
        } else if (cur_ < lines_.size() && lines_[cur_].indent == indent && isSeqEntry(lines_[cur_].text)) {
          value = parseSeq(indent);
        } else {
          value = nullptr;
        }
      } else {
        value = parseInlineValue(rest, indent);
      }
      obj[key] = std::move(value);
    }
  }

  json parseSeq(int indent) {
    json arr = json::array();
    while (true) {
      skipBlank();
      if (cur_ >= lines_.size() || lines_[cur_].indent < indent) {
        return arr;
      }
      Line& line = lines_[cur_];
      if (line.indent > indent || !isSeqEntry(line.text)) {
        if (line.indent == indent && !isSeqEntry(line.text)) {
          return arr;  // the enclosing mapping continues at this indentation
        }
        throw Decline{};
      }
      std::string_view rest = line.text.substr(1);
      size_t s = 0;
      while (s < rest.size() && rest[s] == ' ') {
        ++s;
      }
      rest = rest.substr(s);
      if (!rest.empty() && rest[0] != '#' && findMappingColon(rest) != std::string_view::npos) {
        if (isSeqEntry(rest)) {
          throw Decline{};
        }
        // "- key: value": a mapping whose first line shares the dash's line.
        line.indent = indent + 1 + static_cast<int>(s);
        line.text = rest;
        arr.push_back(parseMap(line.indent));
        continue;
      }
      if (isSeqEntry(rest)) {
        throw Decline{};
      }
      arr.push_back(parseInlineValue(rest, indent));
    }
  }

 public:
  bool endsWithoutNewline_ = false;

 private:
  std::vector<Line> lines_;
  size_t cur_ = 0;
};

bool plainInput(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7F) {
      return false;
    }
  }
  // NEL, LS and PS are line breaks for some YAML readers and not for others.
  for (std::string_view odd : {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xEF\xBB\xBF"}) {
    if (text.find(odd) != std::string_view::npos) {
      return false;
    }
  }
  return isValidUtf8(text);
}

}  // namespace

std::optional<nlohmann::json> parseYamlFast(std::string_view text) {
  if (!plainInput(text)) {
    return std::nullopt;
  }
  try {
    FastParser parser(text);
    parser.endsWithoutNewline_ = !text.empty() && text.back() != '\n';
    return parser.parseDocument();
  } catch (const Decline&) {
    return std::nullopt;
  }
}

}  // namespace sidecar::kube::detail
