#pragma once

// Istio sidecar-injector command-line flags for the server (--port, --tlsCertFile,
// --tlsKeyFile, --healthCheckFile, --healthCheckInterval, --monitoringPort,
// --log_output_level, ...) so existing Deployments keep their arguments. Flags the webhook
// does not own are handed back for the caller (mesh/inject config paths etc.).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"
#include "webhook/server.h"

namespace sidecar::webhook {

// Go duration syntax as Istio's flags use it: "2s", "500ms", "1m30s", "1h"; a bare number
// means seconds.
Expected<std::chrono::milliseconds> parseDuration(std::string_view text);

// Consumes the webhook's flags from args ("--name=value", "--name value" or "-name=value";
// a bare boolean flag means true) into options and applies --log_output_level to the
// process logger. Everything else is appended to *rest in order.
Expected<void> parseServerFlags(const std::vector<std::string>& args, ServerOptions& options,
                                std::vector<std::string>* rest);

// One line per flag, for --help.
std::string serverFlagsHelp();

}  // namespace sidecar::webhook
