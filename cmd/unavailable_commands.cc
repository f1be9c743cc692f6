// Stand-ins for subcommands whose library is not part of this build (SIDECAR_ONLY builds a
// subset of the areas). They fail loudly instead of pretending to work.

#include <cstdio>

#include "cmd/commands.h"

namespace sidecar::cmd {

namespace {
[[maybe_unused]] int unavailable(const char* name) {
  std::fprintf(stderr, "sidecar-injector: '%s' is not available in this build\n", name);
  return 2;
}
}  // namespace

#ifndef SIDECAR_HAVE_INJECT
int runKubeInject(const Args&) { return unavailable("kube-inject"); }
int runCheckInject(const Args&) { return unavailable("check-inject"); }
#endif
#ifndef SIDECAR_HAVE_DRIFT
int runDrift(const Args&) { return unavailable("drift"); }
#endif
#ifndef SIDECAR_HAVE_WEBHOOK
int runServe(const Args&) { return unavailable("serve"); }
#endif

}  // namespace sidecar::cmd
