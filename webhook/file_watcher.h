#pragma once

// Calls back when any of a set of files changes, debounced: editors and Kubernetes'
// ConfigMap volumes (which swap a `..data` symlink) produce bursts of events, and the
// config must be read once the burst is over, not in the middle of it. inotify watches the
// files' directories (a watch on the file itself would miss the symlink swap); a slow
// stat() comparison runs as well, for filesystems that do not deliver inotify events.

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/expected.h"

namespace sidecar::webhook {

class FileWatcher {
 public:
  struct Options {
    std::vector<std::string> paths;
    std::chrono::milliseconds debounce{250};
    std::chrono::milliseconds statInterval{5000};
  };

  FileWatcher(Options options, std::function<void()> onChange);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  Expected<void> start();
  void stop();

 private:
  struct Fingerprint {
    bool exists = false;
    long long mtimeNs = 0;
    long long size = 0;
    unsigned long long inode = 0;
    bool operator==(const Fingerprint&) const = default;
  };
  std::vector<Fingerprint> fingerprints() const;
  void run(std::vector<Fingerprint> last);

  Options options_;
  std::function<void()> onChange_;
  int inotifyFd_ = -1;
  int wakeFd_ = -1;  // eventfd that stop() writes to
  std::thread thread_;
};

}  // namespace sidecar::webhook
