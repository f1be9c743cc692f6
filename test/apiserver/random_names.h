#pragma once

// The random parts of names the API server makes up: object uids and the 5-character
// suffixes of generateName (and of a ReplicaSet's pods), in Kubernetes' alphabet.

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace sidecar::testapi {

inline std::string randomFrom(std::string_view alphabet, std::size_t n) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(alphabet[engine() % alphabet.size()]);
  }
  return out;
}

// Vowel-free, as Kubernetes' utilrand.String, so suffixes never spell words.
inline std::string nameSuffix() { return randomFrom("bcdfghjklmnpqrstvwxz2456789", 5); }

inline std::string newUid() {
  constexpr std::string_view kHex = "0123456789abcdef";
  return randomFrom(kHex, 8) + "-" + randomFrom(kHex, 4) + "-" + randomFrom(kHex, 4) + "-" + randomFrom(kHex, 4) +
         "-" + randomFrom(kHex, 12);
}

}  // namespace sidecar::testapi
