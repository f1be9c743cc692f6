#include "common/utf8.h"

namespace sidecar {

char32_t decodeRune(std::string_view s, size_t i, size_t& size) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  size = 1;
  if (c0 < 0x80) {
    return c0;
  }
  auto cont = [&](size_t k) -> int {
    if (i + k >= s.size()) {
      return -1;
    }
    const auto c = static_cast<unsigned char>(s[i + k]);
    return (c & 0xc0) == 0x80 ? (c & 0x3f) : -1;
  };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const int c1 = cont(1);
    if (c1 >= 0) {
      size = 2;
      return static_cast<char32_t>(((c0 & 0x1f) << 6) | c1);
    }
  } else if (c0 >= 0xe0 && c0 <= 0xef) {
    const int c1 = cont(1);
    const int c2 = cont(2);
    if (c1 >= 0 && c2 >= 0) {
      const auto r = static_cast<char32_t>(((c0 & 0x0f) << 12) | (c1 << 6) | c2);
      if (r >= 0x800 && (r < 0xd800 || r > 0xdfff)) {
        size = 3;
        return r;
      }
    }
  } else if (c0 >= 0xf0 && c0 <= 0xf4) {
    const int c1 = cont(1);
    const int c2 = cont(2);
    const int c3 = cont(3);
    if (c1 >= 0 && c2 >= 0 && c3 >= 0) {
      const auto r = static_cast<char32_t>(((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3);
      if (r >= 0x10000 && r <= 0x10ffff) {
        size = 4;
        return r;
      }
    }
  }
  return kReplacementRune;
}

size_t validRuneLength(std::string_view s, size_t i) {
  size_t size = 1;
  const char32_t r = decodeRune(s, i, size);
  // A literal U+FFFD is three bytes long; a one-byte U+FFFD is the decoder's verdict.
  return r == kReplacementRune && size == 1 ? 0 : size;
}

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = validRuneLength(s, i);
    if (n == 0) {
      return false;
    }
    i += n;
  }
  return true;
}

size_t runeCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    size_t size = 1;
    decodeRune(s, i, size);
    i += size;
  }
  return n;
}

void appendRune(std::string& out, char32_t r) {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) {
    r = kReplacementRune;
  }
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3f)));
  }
}

}  // namespace sidecar
