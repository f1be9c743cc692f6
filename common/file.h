#pragma once

// Reading a whole file: config files, kubeconfigs, service-account tokens, certificates.
// One place that says why a read failed (the error names the path and the OS reason, and
// its code tells a missing file from an unreadable one).

#include <string>

#include "common/expected.h"

namespace sidecar {

// The file's bytes. Errors: NotFound (no such file), PermissionDenied, InvalidArgument (a
// directory), Unavailable (any other OS failure while opening or reading).
Expected<std::string> readFile(const std::string& path);

}  // namespace sidecar
