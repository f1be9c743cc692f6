#pragma once

// SHA-256 (OpenSSL's EVP): the injection config's version (Istio's sidecar.istio.io/status
// "version") and the hash of the reloaded ConfigMaps are both SHA-256 in lowercase hex.

#include <memory>
#include <string>
#include <string_view>

namespace sidecar {

// Incremental hashing for data that arrives in parts.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  // The digest of everything given so far, as 64 lowercase hex digits. Ends the hashing:
  // call it once.
  std::string hexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256Hex(std::string_view data);

}  // namespace sidecar
