#include "common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sidecar {

namespace {

ErrorCode codeOf(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return ErrorCode::NotFound;
    case EACCES:
    case EPERM:
      return ErrorCode::PermissionDenied;
    case EISDIR:
      return ErrorCode::InvalidArgument;
    default:
      return ErrorCode::Unavailable;
  }
}

// Closes the descriptor on every path out of readFile.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Expected<std::string> readFile(const std::string& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    return fail(codeOf(error), "cannot open " + path + ": " + std::strerror(error));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::InvalidArgument, "cannot read " + path + ": it is a directory");
  }
  std::string data;
  if (st.st_size > 0) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n == 0) {
      return data;
    }
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int error = errno;
      return fail(codeOf(error), "cannot read " + path + ": " + std::strerror(error));
    }
    data.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace sidecar
