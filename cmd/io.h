#pragma once

#include <string>

#include "common/expected.h"

namespace sidecar::cmd {

// Reads a whole file; "-" reads standard input. Errors name the path.
Expected<std::string> readInput(const std::string& path);

// Writes to a file, or to standard output when `path` is empty or "-".
Expected<void> writeOutput(const std::string& path, const std::string& data);

}  // namespace sidecar::cmd
