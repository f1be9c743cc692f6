#pragma once

// A tiny immutable string->string map in ONE allocation: entries are length-prefixed
// (LEB128) key/value runs in a single string. Labels, annotations and container lists of
// 100k cached pods would otherwise cost two heap strings plus a vector slot per entry.
// Lookups are linear, which beats hashing for the handful of entries objects carry.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sidecar::controller {

class FlatStringMap {
 public:
  FlatStringMap() = default;

  void append(std::string_view key, std::string_view value) {
    putLength(key.size());
    blob_.append(key);
    putLength(value.size());
    blob_.append(value);
  }
  void shrink() { blob_.shrink_to_fit(); }

  template <class F>
  void forEach(F&& f) const {
    std::size_t pos = 0;
    while (pos < blob_.size()) {
      const std::string_view key = take(pos);
      const std::string_view value = take(pos);
      f(key, value);
    }
  }

  std::optional<std::string_view> find(std::string_view key) const {
    std::optional<std::string_view> out;
    std::size_t pos = 0;
    while (pos < blob_.size()) {
      const std::string_view k = take(pos);
      const std::string_view v = take(pos);
      if (k == key) {
        out = v;
        break;
      }
    }
    return out;
  }

  std::size_t size() const {
    std::size_t n = 0;
    forEach([&n](std::string_view, std::string_view) { ++n; });
    return n;
  }
  bool empty() const { return blob_.empty(); }

  std::vector<std::pair<std::string, std::string>> entries() const {
    std::vector<std::pair<std::string, std::string>> out;
    forEach([&out](std::string_view k, std::string_view v) { out.emplace_back(k, v); });
    return out;
  }

  bool operator==(const FlatStringMap&) const = default;

 private:
  void putLength(std::size_t n) {
    do {
      unsigned char byte = n & 0x7F;
      n >>= 7;
      if (n != 0) {
        byte |= 0x80;
      }
      blob_.push_back(static_cast<char>(byte));
    } while (n != 0);
  }

  std::string_view take(std::size_t& pos) const {
    std::size_t n = 0;
    int shift = 0;
    for (;;) {
      const auto byte = static_cast<unsigned char>(blob_[pos++]);
      n |= static_cast<std::size_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    std::string_view out(blob_.data() + pos, n);
    pos += n;
    return out;
  }

  std::string blob_;
};

}  // namespace sidecar::controller
