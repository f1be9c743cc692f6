#include "controller/config_sources.h"

#include <openssl/evp.h>

#include <memory>

namespace sidecar::controller {

std::string sha256Hex(const ConfigSources& s) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  auto feed = [&](const std::string& part, bool present) {
    const std::string header = (present ? "1:" : "0:") + std::to_string(part.size()) + ":";
    EVP_DigestUpdate(ctx.get(), header.data(), header.size());
    EVP_DigestUpdate(ctx.get(), part.data(), part.size());
  };
  feed(s.injectConfig, true);
  feed(s.values, s.hasValues);
  feed(s.mesh, s.hasMesh);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

std::string describe(const std::vector<SourceVersion>& versions) {
  std::string out;
  for (const auto& v : versions) {
    if (!out.empty()) {
      out += ", ";
    }
    out += v.name;
    if (!v.resourceVersion.empty()) {
      out += " (resourceVersion " + v.resourceVersion + ")";
    }
  }
  return out.empty() ? "the injector config" : out;
}

}  // namespace sidecar::controller
