#include "webhook/file_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

namespace sidecar::webhook {

FileWatcher::FileWatcher(Options options, std::function<void()> onChange)
    : options_(std::move(options)), onChange_(std::move(onChange)) {}

FileWatcher::~FileWatcher() { stop(); }

std::vector<FileWatcher::Fingerprint> FileWatcher::fingerprints() const {
  std::vector<Fingerprint> result;
  for (const auto& path : options_.paths) {
    Fingerprint f;
    struct stat st {};
    // stat() follows symlinks, so a swapped ..data target shows up as a new inode.
    if (::stat(path.c_str(), &st) == 0) {
      f.exists = true;
      f.mtimeNs = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
      f.size = static_cast<long long>(st.st_size);
      f.inode = static_cast<unsigned long long>(st.st_ino);
    }
    result.push_back(f);
  }
  return result;
}

Expected<void> FileWatcher::start() {
  inotifyFd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotifyFd_ < 0) {
    return fail(std::string("inotify_init1: ") + std::strerror(errno));
  }
  wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd_ < 0) {
    return fail(std::string("eventfd: ") + std::strerror(errno));
  }
  std::set<std::string> dirs;
  for (const auto& path : options_.paths) {
    auto dir = std::filesystem::absolute(path).parent_path().string();
    if (dirs.insert(dir).second) {
      constexpr uint32_t kMask =
          IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB;
      if (::inotify_add_watch(inotifyFd_, dir.c_str(), kMask) < 0) {
        return fail("cannot watch " + dir + ": " + std::strerror(errno));
      }
    }
  }
  // The baseline is taken before start() returns: a change made right after start() must
  // not be folded into it by a late-starting thread.
  thread_ = std::thread([this, baseline = fingerprints()]() mutable { run(std::move(baseline)); });
  return {};
}

void FileWatcher::stop() {
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakeFd_, &one, sizeof one);
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  for (int* fd : {&inotifyFd_, &wakeFd_}) {
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
  }
}

void FileWatcher::run(std::vector<Fingerprint> last) {
  using Clock = std::chrono::steady_clock;
  bool pending = false;
  Clock::time_point pendingSince{};
  Clock::time_point nextStat = Clock::now() + options_.statInterval;
  char buffer[4096];
  for (;;) {
    auto now = Clock::now();
    auto deadline = pending ? pendingSince + options_.debounce : nextStat;
    auto waitMs = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd fds[2] = {{inotifyFd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, static_cast<int>(std::max<long long>(0, waitMs)));
    if (ready < 0 && errno != EINTR) {
      return;
    }
    if (fds[1].revents & POLLIN) {
      return;  // stop()
    }
    if (fds[0].revents & POLLIN) {
      while (::read(inotifyFd_, buffer, sizeof buffer) > 0) {
      }
      // Every event restarts the quiet period: fire once the burst is over.
      pending = true;
      pendingSince = Clock::now();
      continue;
    }
    now = Clock::now();
    if (!pending && now >= nextStat) {
      nextStat = now + options_.statInterval;
      if (fingerprints() != last) {
        pending = true;
        pendingSince = now;
      }
      continue;
    }
    if (pending && now >= pendingSince + options_.debounce) {
      pending = false;
      auto current = fingerprints();
      // Directory events for unrelated files do not count as a change.
      if (current != last) {
        last = std::move(current);
        onChange_();
      }
    }
  }
}

}  // namespace sidecar::webhook
