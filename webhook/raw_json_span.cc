#include "webhook/raw_json_span.h"

#include <cstring>

namespace sidecar::webhook {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  size_t skipWs(size_t p) const {
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t' || s_[p] == '\n' || s_[p] == '\r')) {
      ++p;
    }
    return p;
  }

  // p at the opening quote; returns the index after the closing quote.
  std::optional<size_t> skipString(size_t p) const {
    ++p;
    while (p < s_.size()) {
      // Strings dominate pod JSON; memchr makes skipping them nearly free.
      const void* hit = std::memchr(s_.data() + p, '"', s_.size() - p);
      if (hit == nullptr) {
        return std::nullopt;
      }
      const size_t quote = static_cast<size_t>(static_cast<const char*>(hit) - s_.data());
      size_t backslashes = 0;
      while (quote - backslashes > p && s_[quote - backslashes - 1] == '\\') {
        ++backslashes;
      }
      p = quote + 1;
      if (backslashes % 2 == 0) {
        return p;
      }
    }
    return std::nullopt;
  }

  std::optional<size_t> skipValue(size_t p) const {
    if (p >= s_.size()) {
      return std::nullopt;
    }
    const char c = s_[p];
    if (c == '"') {
      return skipString(p);
    }
    if (c == '{' || c == '[') {
      size_t depth = 0;
      while (p < s_.size()) {
        const char d = s_[p];
        if (d == '"') {
          auto end = skipString(p);
          if (!end) {
            return std::nullopt;
          }
          p = *end;
          continue;
        }
        if (d == '{' || d == '[') {
          ++depth;
        } else if (d == '}' || d == ']') {
          if (--depth == 0) {
            return p + 1;
          }
        }
        ++p;
      }
      return std::nullopt;
    }
    while (p < s_.size() && s_[p] != ',' && s_[p] != '}' && s_[p] != ']' && s_[p] != ' ' &&
           s_[p] != '\t' && s_[p] != '\n' && s_[p] != '\r') {
      ++p;
    }
    return p;
  }

  // objectPos at '{'. Returns [begin, end) of the first member named key.
  std::optional<std::pair<size_t, size_t>> member(size_t objectPos, std::string_view key) const {
    size_t p = skipWs(objectPos + 1);
    if (p >= s_.size() || s_[p] == '}') {
      return std::nullopt;
    }
    while (p < s_.size() && s_[p] == '"') {
      auto keyEnd = skipString(p);
      if (!keyEnd) {
        return std::nullopt;
      }
      const std::string_view rawKey = s_.substr(p + 1, *keyEnd - p - 2);
      const bool matches = rawKey == key;
      if (!matches && rawKey.find('\\') != std::string_view::npos) {
        return std::nullopt;  // could be an escaped spelling of key
      }
      p = skipWs(*keyEnd);
      if (p >= s_.size() || s_[p] != ':') {
        return std::nullopt;
      }
      p = skipWs(p + 1);
      auto valueEnd = skipValue(p);
      if (!valueEnd) {
        return std::nullopt;
      }
      if (matches) {
        return std::make_pair(p, *valueEnd);
      }
      p = skipWs(*valueEnd);
      if (p >= s_.size() || s_[p] != ',') {
        return std::nullopt;
      }
      p = skipWs(p + 1);
    }
    return std::nullopt;
  }

 private:
  std::string_view s_;
};

}  // namespace

std::optional<std::string_view> rawMemberSpan(std::string_view validatedJson,
                                              std::initializer_list<std::string_view> path) {
  Scanner scanner(validatedJson);
  size_t begin = scanner.skipWs(0);
  size_t end = validatedJson.size();
  for (std::string_view key : path) {
    if (begin >= validatedJson.size() || validatedJson[begin] != '{') {
      return std::nullopt;
    }
    auto span = scanner.member(begin, key);
    if (!span) {
      return std::nullopt;
    }
    begin = span->first;
    end = span->second;
  }
  return validatedJson.substr(begin, end - begin);
}

}  // namespace sidecar::webhook
