#include "webhook/cert_store.h"

#include <sys/stat.h>

#include "common/file.h"
#include "webhook/log.h"

namespace sidecar::webhook {

std::optional<FileIdentity> RealFileProbe::identify(const std::string& path) const {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                      static_cast<uint64_t>(st.st_size),
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

Expected<std::string> RealFileProbe::read(const std::string& path) const {
  return readFile(path);
}

CertStore::CertStore(Token, std::shared_ptr<Metrics> metrics, Clock clock)
    : metrics_(std::move(metrics)), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] { return std::chrono::system_clock::now(); };
  }
}

CertStore::~CertStore() { stopWatching(); }

Expected<std::unique_ptr<CertStore>> CertStore::fromFiles(std::string certFile, std::string keyFile,
                                                          std::shared_ptr<Metrics> metrics,
                                                          std::shared_ptr<const FileProbe> probe,
                                                          Clock clock) {
  auto store = std::make_unique<CertStore>(Token(), std::move(metrics), std::move(clock));
  store->probe_ = probe ? std::move(probe) : std::make_shared<RealFileProbe>();
  store->certFile_ = std::move(certFile);
  store->keyFile_ = std::move(keyFile);
  store->lastCert_ = store->probe_->identify(store->certFile_);
  store->lastKey_ = store->probe_->identify(store->keyFile_);
  auto cert = store->probe_->read(store->certFile_);
  if (!cert) {
    return Unexpected(cert.error().withContext("--tlsCertFile"));
  }
  auto key = store->probe_->read(store->keyFile_);
  if (!key) {
    return Unexpected(key.error().withContext("--tlsKeyFile"));
  }
  if (auto ok = store->install(*cert, *key); !ok) {
    return Unexpected(ok.error().withContext(store->certFile_ + ", " + store->keyFile_));
  }
  return store;
}

Expected<std::unique_ptr<CertStore>> CertStore::fromPem(const std::string& certPem,
                                                        const std::string& keyPem,
                                                        std::shared_ptr<Metrics> metrics,
                                                        Clock clock) {
  auto store = std::make_unique<CertStore>(Token(), std::move(metrics), std::move(clock));
  if (auto ok = store->install(certPem, keyPem); !ok) {
    return Unexpected(ok.error());
  }
  return store;
}

Expected<void> CertStore::install(const std::string& certPem, const std::string& keyPem) {
  auto validity = certificateValidity(certPem);
  if (!validity) {
    return Unexpected(validity.error());
  }
  auto context = makeServerContext(certPem, keyPem);
  if (!context) {
    return Unexpected(context.error());
  }
  auto generation = std::make_shared<TlsGeneration>();
  generation->context = std::move(*context);
  generation->validity = *validity;
  {
    std::lock_guard lock(mu_);
    generation->number = ++generations_;
    current_ = std::move(generation);
  }
  metrics_->certReloaded();
  metrics_->setCertExpiry(static_cast<double>(
      std::chrono::system_clock::to_time_t(validity->notAfter)));
  return {};
}

std::shared_ptr<const TlsGeneration> CertStore::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

bool CertStore::checkNow() {
  if (!probe_) {
    return false;
  }
  std::lock_guard reloadLock(reloadMu_);
  auto certId = probe_->identify(certFile_);
  auto keyId = probe_->identify(keyFile_);
  if (certId == lastCert_ && keyId == lastKey_) {
    return false;
  }
  // Remember what we tried even when it fails: a broken pair is reported once, and the next
  // change (e.g. the key arriving after the certificate) triggers another attempt.
  lastCert_ = certId;
  lastKey_ = keyId;
  auto cert = probe_->read(certFile_);
  auto key = cert ? probe_->read(keyFile_) : Expected<std::string>(std::string());
  Expected<void> installed;
  if (!cert) {
    installed = Unexpected(cert.error());
  } else if (!key) {
    installed = Unexpected(key.error());
  } else {
    installed = install(*cert, *key);
  }
  if (!installed) {
    metrics_->certReloadFailed();
    logWarn("TLS certificate reload failed, keeping generation " +
            std::to_string(current()->number) + ": " + installed.error().message);
    return false;
  }
  logInfo("TLS certificate reloaded from " + certFile_ + " (generation " +
          std::to_string(current()->number) + ")");
  return true;
}

void CertStore::startWatching(std::chrono::milliseconds interval) {
  if (!probe_ || watcher_.joinable()) {
    return;
  }
  {
    std::lock_guard lock(watchMu_);
    stopping_ = false;
  }
  watcher_ = std::thread([this, interval] {
    std::unique_lock lock(watchMu_);
    while (!watchCv_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      checkNow();
      lock.lock();
    }
  });
}

void CertStore::stopWatching() {
  {
    std::lock_guard lock(watchMu_);
    stopping_ = true;
  }
  watchCv_.notify_all();
  if (watcher_.joinable()) {
    watcher_.join();
  }
}

bool CertStore::valid(std::string* why) const {
  auto generation = current();
  const auto now = clock_();
  if (!generation) {
    if (why != nullptr) {
      *why = "no TLS certificate loaded";
    }
    return false;
  }
  if (now < generation->validity.notBefore) {
    if (why != nullptr) {
      *why = "TLS certificate is not valid yet";
    }
    return false;
  }
  if (now >= generation->validity.notAfter) {
    if (why != nullptr) {
      *why = "TLS certificate has expired";
    }
    return false;
  }
  return true;
}

}  // namespace sidecar::webhook
