#pragma once

// The serving certificate, hot-reloaded from files. Kubernetes updates Secret volumes by
// swapping a `..data` symlink, so the store polls the identity (device, inode, size, mtime)
// of the files as seen through the symlinks and builds a fresh ssl::context per generation;
// sessions hold the context they started with. A bad new pair keeps the previous one.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/expected.h"
#include "webhook/metrics.h"
#include "webhook/tls_credentials.h"

namespace sidecar::webhook {

// One loaded certificate generation.
struct TlsGeneration {
  SslContextPtr context;
  CertificateValidity validity;
  uint64_t number = 0;
};

struct FileIdentity {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtimeNanos = 0;
  bool operator==(const FileIdentity&) const = default;
};

// How the store looks at files; tests substitute one that reports changes on demand.
class FileProbe {
 public:
  virtual ~FileProbe() = default;
  virtual std::optional<FileIdentity> identify(const std::string& path) const = 0;
  virtual Expected<std::string> read(const std::string& path) const = 0;
};

// stat(2) (following symlinks) and whole-file reads.
class RealFileProbe : public FileProbe {
 public:
  std::optional<FileIdentity> identify(const std::string& path) const override;
  Expected<std::string> read(const std::string& path) const override;
};

class CertStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Loads certFile/keyFile; fails when the first pair is unusable.
  static Expected<std::unique_ptr<CertStore>> fromFiles(std::string certFile, std::string keyFile,
                                                        std::shared_ptr<Metrics> metrics,
                                                        std::shared_ptr<const FileProbe> probe = nullptr,
                                                        Clock clock = nullptr);
  // Fixed credentials (self-signed mode); checkNow() never reloads.
  static Expected<std::unique_ptr<CertStore>> fromPem(const std::string& certPem,
                                                      const std::string& keyPem,
                                                      std::shared_ptr<Metrics> metrics,
                                                      Clock clock = nullptr);
  // Public only for make_unique; Token keeps construction to the factories.
  struct Token {
    explicit Token() = default;
  };
  CertStore(Token, std::shared_ptr<Metrics> metrics, Clock clock);
  ~CertStore();

  std::shared_ptr<const TlsGeneration> current() const;

  // Reloads when either file changed since the last attempt. Returns true when a new
  // generation was installed.
  bool checkNow();

  // Polls checkNow() every interval on a background thread until stopWatching().
  void startWatching(std::chrono::milliseconds interval);
  void stopWatching();

  // Ready while the current certificate is inside its validity window.
  bool valid(std::string* why) const;

 private:
  Expected<void> install(const std::string& certPem, const std::string& keyPem);

  std::shared_ptr<Metrics> metrics_;
  Clock clock_;
  std::shared_ptr<const FileProbe> probe_;
  std::string certFile_, keyFile_;
  std::optional<FileIdentity> lastCert_, lastKey_;

  mutable std::mutex mu_;
  std::shared_ptr<const TlsGeneration> current_;
  uint64_t generations_ = 0;

  std::mutex reloadMu_;  // serializes checkNow() callers
  std::mutex watchMu_;
  std::condition_variable watchCv_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace sidecar::webhook
