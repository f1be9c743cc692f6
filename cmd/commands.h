#pragma once

// The sidecar-injector subcommands. Each takes the arguments after its name and returns the
// process exit code; they are thin: parsing flags, reading files, calling the library.

#include <string>
#include <vector>

namespace sidecar::cmd {

using Args = std::vector<std::string>;

int runKubeInject(const Args& args);
int runCheckInject(const Args& args);
int runServe(const Args& args);
int runDrift(const Args& args);
int runVersion(const Args& args);

}  // namespace sidecar::cmd
