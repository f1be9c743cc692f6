#pragma once

// The configuration compiled into the binary (cmd/defaults/*.yaml), used when the user gives
// no config files and is not talking to a cluster.

#include <string_view>

namespace sidecar::cmd {

std::string_view defaultInjectConfig();
std::string_view defaultMeshConfig();
std::string_view defaultValues();

}  // namespace sidecar::cmd
