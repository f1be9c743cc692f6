#include <cstdio>

#include "cmd/commands.h"

namespace sidecar::cmd {

int runVersion(const Args&) {
  std::printf("sidecar-injector %s\n", SIDECAR_VERSION);
  return 0;
}

}  // namespace sidecar::cmd
