#pragma once

// Standard base64 (RFC 4648, padded): AdmissionReview patches, caBundles and Secret data all
// use it. One implementation for the whole project; decoding is strict (the API server
// rejects what it cannot decode, so we say where the input went wrong).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.h"

namespace sidecar {

inline void appendBase64(std::string& out, std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const size_t start = out.size();
  out.resize(start + (data.size() + 2) / 3 * 4);
  char* dst = out.data() + start;
  const auto* src = reinterpret_cast<const unsigned char*>(data.data());
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = kAlphabet[v & 63];
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{src[i]} << 16;
    if (rest == 2) {
      v |= uint32_t{src[i + 1]} << 8;
    }
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    *dst++ = '=';
  }
}

inline std::string base64Encode(std::string_view data) {
  std::string out;
  appendBase64(out, data);
  return out;
}

// Line breaks are skipped, as Go's encoding/base64 (and so the API server) does.
inline Expected<std::string> base64Decode(std::string_view input) {
  std::string unwrapped;
  std::string_view text = input;
  if (input.find_first_of("\r\n") != std::string_view::npos) {
    for (char c : input) {
      if (c != '\r' && c != '\n') {
        unwrapped.push_back(c);
      }
    }
    text = unwrapped;
  }
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  if (text.size() % 4 != 0) {
    return fail("invalid base64: length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding > 0 || (v[k] = value(c)) < 0) {
        return fail("invalid base64 at offset " + std::to_string(i + k));
      }
    }
    const uint32_t bits = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xFF));
    if (padding < 2) {
      out.push_back(static_cast<char>((bits >> 8) & 0xFF));
    }
    if (padding < 1) {
      out.push_back(static_cast<char>(bits & 0xFF));
    }
  }
  return out;
}

}  // namespace sidecar
