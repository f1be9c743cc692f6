#include "cmd/io.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/file.h"

namespace sidecar::cmd {

Expected<std::string> readInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  return readFile(path);
}

Expected<void> writeOutput(const std::string& path, const std::string& data) {
  if (path.empty() || path == "-") {
    std::cout << data << std::flush;
    if (!std::cout) {
      return fail("cannot write to standard output");
    }
    return {};
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return fail("cannot open " + path + " for writing: " + std::strerror(errno));
  }
  out << data;
  out.flush();
  if (!out) {
    return fail("cannot write " + path + ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace sidecar::cmd
