#pragma once

// A directory laid out like a Kubernetes Secret volume: tls.crt and tls.key are symlinks
// through `..data`, which points at a timestamped directory and is swapped atomically on
// update.

#include <atomic>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "webhook/tls_credentials.h"

namespace sidecar::webhook::testing {

class SecretDir {
 public:
  SecretDir() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("webhook-secret-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~SecretDir() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }

  // Publishes a new certificate/key pair the way the kubelet does.
  void publish(const std::string& certPem, const std::string& keyPem) {
    const auto version = root_ / ("..v" + std::to_string(++version_));
    std::filesystem::create_directories(version);
    write(version / "tls.crt", certPem);
    write(version / "tls.key", keyPem);
    const auto tmpLink = root_ / "..data_tmp";
    std::filesystem::remove(tmpLink);
    std::filesystem::create_directory_symlink(version.filename(), tmpLink);
    std::filesystem::rename(tmpLink, root_ / "..data");
    if (!std::filesystem::is_symlink(root_ / "tls.crt")) {
      std::filesystem::create_symlink("..data/tls.crt", root_ / "tls.crt");
      std::filesystem::create_symlink("..data/tls.key", root_ / "tls.key");
    }
  }

  std::string certFile() const { return (root_ / "tls.crt").string(); }
  std::string keyFile() const { return (root_ / "tls.key").string(); }
  std::filesystem::path root() const { return root_; }

  static void write(const std::filesystem::path& path, const std::string& content) {
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }

 private:
  std::filesystem::path root_;
  int version_ = 0;
};

inline SelfSignedCredentials makeCredentials(const std::string& name = "localhost") {
  auto creds = generateSelfSigned({name, "127.0.0.1"});
  if (!creds) {
    throw std::runtime_error(creds.error().message);
  }
  return *creds;
}

}  // namespace sidecar::webhook::testing
