#include <cmath>
#include <cstdio>

#include "common/utf8.h"
#include "kube/go_format.h"
#include "kube/yaml.h"
#include "kube/yaml_scalar.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

constexpr int kBestWidth = 80;
// The longest implicit ("simple") key YAML allows, in characters as written.
constexpr size_t kMaxSimpleKey = 1024;

enum class Style { Plain, Single, Double, Literal };

class Emitter {
 public:
  std::string take() { return std::move(out_); }

  void document(const json& doc) {
    if (doc.is_object() && !doc.empty()) {
      mapping(doc, 0, false);
    } else if (doc.is_array() && !doc.empty()) {
      sequence(doc, 0, false);
    } else {
      if (scalar(doc, 2, false)) {
        newline();
      }
    }
  }

 private:
  void mapping(const json& obj, int indent, bool firstInline) {
    bool first = true;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (!(first && firstInline)) {
        spaces(indent);
      }
      first = false;
      const size_t keyStart = out_.size();
      const int keyColumn = column_;
      stringScalar(it.key(), indent + 2, true);
      const json& v = it.value();
      if (out_.size() - keyStart > kMaxSimpleKey) {
        // YAML allows at most 1024 characters in an implicit key, and readers enforce it:
        // write the explicit `? key` / `: value` form instead (yaml.v2 does beyond 128).
        out_.resize(keyStart);
        column_ = keyColumn;
        write("? ");
        stringScalar(it.key(), indent + 2, true);
        newline();
        spaces(indent);
        put(':');
        mappingValue(v, indent, indent + 2);
        continue;
      }
      put(':');
      // yaml.v2 writes a sequence under a mapping key without extra indentation.
      mappingValue(v, indent, indent);
    }
  }

  // What follows a key's ':' in a mapping at `indent`.
  void mappingValue(const json& v, int indent, int sequenceIndent) {
    if (v.is_object() && !v.empty()) {
      newline();
      mapping(v, indent + 2, false);
    } else if (v.is_array() && !v.empty()) {
      newline();
      sequence(v, sequenceIndent, false);
    } else {
      put(' ');
      if (scalar(v, indent + 2, false)) {
        newline();
      }
    }
  }

  void sequence(const json& arr, int indent, bool firstInline) {
    bool first = true;
    for (const json& v : arr) {
      if (!(first && firstInline)) {
        spaces(indent);
      }
      first = false;
      put('-');
      put(' ');
      if (v.is_object() && !v.empty()) {
        mapping(v, indent + 2, true);
      } else if (v.is_array() && !v.empty()) {
        sequence(v, indent + 2, true);
      } else if (scalar(v, indent + 2, false)) {
        newline();
      }
    }
  }

  // Writes a non-collection (or empty collection) value; returns whether the caller must
  // end the line (block scalars end their own lines).
  bool scalar(const json& v, int indent, bool isKey) {
    switch (v.type()) {
      case json::value_t::null:
        write("null");
        return true;
      case json::value_t::boolean:
        write(v.get<bool>() ? "true" : "false");
        return true;
      case json::value_t::number_integer:
        write(std::to_string(v.get<int64_t>()));
        return true;
      case json::value_t::number_unsigned:
        write(std::to_string(v.get<uint64_t>()));
        return true;
      case json::value_t::number_float:
        write(floatText(v.get<double>()));
        return true;
      case json::value_t::object:
        write("{}");
        return true;
      case json::value_t::array:
        write("[]");
        return true;
      case json::value_t::binary:
        write("null");
        return true;
      default:
        return stringScalar(v.get_ref<const std::string&>(), indent, isKey);
    }
  }

  // Go marshals through encoding/json first, so yaml.v2 re-reads the JSON number text:
  // integral values in %f range come back as integers.
  static std::string floatText(double d) {
    if (std::isnan(d)) {
      return ".nan";
    }
    if (std::isinf(d)) {
      return d > 0 ? ".inf" : "-.inf";
    }
    if (std::trunc(d) == d && std::fabs(d) < 1e21) {
      if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        return std::to_string(static_cast<int64_t>(d));
      }
      if (d > 0 && d < 18446744073709551616.0) {
        return std::to_string(static_cast<uint64_t>(d));
      }
    }
    return formatGoFloat(d, 64);
  }

  bool stringScalar(const std::string& s, int indent, bool isKey) {
    if (!isValidUtf8(s)) {
      // yaml.v2 cannot write invalid UTF-8 as text and switches to !!binary.
      write("!!binary ");
      write(detail::base64Encode(s));
      return true;
    }
    const bool canUsePlain = detail::plainScalarIsString(s) && !detail::isBase60Float(s) &&
                             !detail::looksLikeTimestamp(s) && s != "<<";
    Style style = Style::Plain;
    if (s.find('\n') != std::string::npos) {
      style = Style::Literal;
    } else if (!canUsePlain) {
      style = Style::Double;
    }
    const detail::ScalarAnalysis a = detail::analyzeScalar(s);
    if (isKey && a.multiline) {
      style = Style::Double;
    }
    if (style == Style::Plain) {
      if (!a.blockPlainAllowed || (s.empty() && isKey)) {
        style = Style::Single;
      }
    }
    if (style == Style::Single && !a.singleQuotedAllowed) {
      style = Style::Double;
    }
    if (style == Style::Literal && (!a.blockAllowed || isKey)) {
      style = Style::Double;
    }
    const bool allowBreaks = !isKey;
    switch (style) {
      case Style::Plain:
        plain(s, indent, allowBreaks);
        return true;
      case Style::Single:
        singleQuoted(s, indent, allowBreaks);
        return true;
      case Style::Double:
        doubleQuoted(s, indent, allowBreaks);
        return true;
      case Style::Literal:
        literal(s, indent);
        return s.empty() || s.back() != '\n';
    }
    return true;
  }

  void plain(const std::string& s, int indent, bool allowBreaks) {
    bool prevSpace = false;
    for (size_t i = 0; i < s.size();) {
      const size_t w = width(s, i);
      if (s[i] == ' ') {
        const bool nextSpace = i + 1 < s.size() && s[i + 1] == ' ';
        if (allowBreaks && !prevSpace && column_ > kBestWidth && !nextSpace) {
          indentLine(indent);
        } else {
          putChar(s, i, w);
        }
        prevSpace = true;
      } else {
        putChar(s, i, w);
        prevSpace = false;
      }
      i += w;
    }
  }

  void singleQuoted(const std::string& s, int indent, bool allowBreaks) {
    put('\'');
    bool prevSpace = false;
    for (size_t i = 0; i < s.size();) {
      const size_t w = width(s, i);
      if (s[i] == ' ') {
        const bool nextSpace = i + 1 < s.size() && s[i + 1] == ' ';
        if (allowBreaks && !prevSpace && column_ > kBestWidth && i != 0 && i != s.size() - 1 &&
            !nextSpace) {
          indentLine(indent);
        } else {
          putChar(s, i, w);
        }
        prevSpace = true;
      } else {
        if (s[i] == '\'') {
          put('\'');
        }
        putChar(s, i, w);
        prevSpace = false;
      }
      i += w;
    }
    put('\'');
  }

  void doubleQuoted(const std::string& s, int indent, bool allowBreaks) {
    put('"');
    bool prevSpace = false;
    for (size_t i = 0; i < s.size();) {
      const size_t w = width(s, i);
      const auto b = static_cast<unsigned char>(s[i]);
      const bool isLsPs = b == 0xE2 && w == 3 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                          (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                           static_cast<unsigned char>(s[i + 2]) == 0xA9);
      const bool isBom = b == 0xEF && w == 3 && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
                         static_cast<unsigned char>(s[i + 2]) == 0xBF;
      if (!detail::isPrintableAt(s, i) || isBom || isLsPs || s[i] == '\n' || s[i] == '"' ||
          s[i] == '\\') {
        escape(s, i, w);
        prevSpace = false;
      } else if (s[i] == ' ') {
        if (allowBreaks && !prevSpace && column_ > kBestWidth && i != 0 && i != s.size() - 1) {
          indentLine(indent);
          if (i + 1 < s.size() && s[i + 1] == ' ') {
            put('\\');
          }
        } else {
          putChar(s, i, w);
        }
        prevSpace = true;
      } else {
        putChar(s, i, w);
        prevSpace = false;
      }
      i += w;
    }
    put('"');
  }

  void escape(const std::string& s, size_t i, size_t w) {
    uint32_t cp = static_cast<unsigned char>(s[i]);
    if (w == 2) {
      cp = ((cp & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    } else if (w == 3) {
      cp = ((cp & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3F);
    } else if (w == 4) {
      cp = ((cp & 0x07) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 3]) & 0x3F);
    }
    put('\\');
    switch (cp) {
      case 0x00:
        put('0');
        return;
      case 0x07:
        put('a');
        return;
      case 0x08:
        put('b');
        return;
      case 0x09:
        put('t');
        return;
      case 0x0A:
        put('n');
        return;
      case 0x0B:
        put('v');
        return;
      case 0x0C:
        put('f');
        return;
      case 0x0D:
        put('r');
        return;
      case 0x1B:
        put('e');
        return;
      case 0x22:
        put('"');
        return;
      case 0x5C:
        put('\\');
        return;
      default:
        break;
    }
    char buf[16];
    // \N \_ \L \P and \x80-\xFF are avoided: some readers (yaml-cpp) turn them into raw
    // bytes instead of UTF-8, which would not read back as the same string.
    if (cp <= 0x7F) {
      std::snprintf(buf, sizeof buf, "x%02X", cp);
    } else if (cp <= 0xFFFF) {
      std::snprintf(buf, sizeof buf, "u%04X", cp);
    } else {
      std::snprintf(buf, sizeof buf, "U%08X", cp);
    }
    write(buf);
  }

  void literal(const std::string& s, int indent) {
    put('|');
    if (!s.empty() && (s[0] == ' ' || s[0] == '\n')) {
      put('2');
    }
    // Chomping: strip without a final break, keep with two or more, clip with exactly one.
    if (s.empty() || s.back() != '\n') {
      put('-');
    } else if (s.size() == 1 || s[s.size() - 2] == '\n') {
      put('+');
    }
    newline();
    bool atLineStart = true;
    for (size_t i = 0; i < s.size();) {
      const size_t w = width(s, i);
      if (s[i] == '\n') {
        newline();
        atLineStart = true;
      } else {
        if (atLineStart) {
          spaces(indent);
          atLineStart = false;
        }
        putChar(s, i, w);
      }
      i += w;
    }
  }

  static size_t width(const std::string& s, size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t w = 1;
    if ((b & 0xE0) == 0xC0) {
      w = 2;
    } else if ((b & 0xF0) == 0xE0) {
      w = 3;
    } else if ((b & 0xF8) == 0xF0) {
      w = 4;
    }
    return i + w <= s.size() ? w : 1;
  }

  void indentLine(int indent) {
    newline();
    spaces(indent);
  }
  void putChar(const std::string& s, size_t i, size_t w) {
    out_.append(s, i, w);
    ++column_;
  }
  void put(char c) {
    out_.push_back(c);
    ++column_;
  }
  void write(std::string_view text) {
    out_.append(text);
    column_ += static_cast<int>(text.size());
  }
  void spaces(int n) {
    out_.append(static_cast<size_t>(n), ' ');
    column_ += n;
  }
  void newline() {
    out_.push_back('\n');
    column_ = 0;
  }

  std::string out_;
  int column_ = 0;
};

}  // namespace

std::string toYaml(const nlohmann::json& doc) {
  Emitter e;
  e.document(doc);
  return e.take();
}

}  // namespace sidecar::kube
