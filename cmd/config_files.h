#pragma once

// Builds the injection config from the files a user named, falling back to the built-in
// defaults for any that were not given (and saying so, because a silent default would
// inject something the cluster does not).

#include <string>
#include <vector>

#include "common/expected.h"
#include "inject/config.h"

namespace sidecar::cmd {

struct ConfigPaths {
  std::string injectConfig;  // the `config` key of istio-sidecar-injector
  std::string meshConfig;    // the `mesh` key of the istio ConfigMap
  std::string values;        // the `values` key of istio-sidecar-injector
};

// `notes` receives one line per default used and per config warning.
Expected<inject::InjectionConfigPtr> loadConfig(const ConfigPaths& paths,
                                                std::vector<std::string>& notes);

}  // namespace sidecar::cmd
