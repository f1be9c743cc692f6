#pragma once

// The webhook's logging: the process logger of common/log.h, and helpers bound to the
// "webhook" scope. The names under sidecar::webhook keep cmd/'s existing spelling working.

#include <string_view>

#include "common/log.h"

namespace sidecar::webhook {

using sidecar::Logger;
using sidecar::logger;
using sidecar::logLazy;
using sidecar::LogLevel;
using sidecar::logLevelName;
using sidecar::parseLogLevel;

inline void logError(std::string_view message) { logger().log("webhook", LogLevel::Error, message); }
inline void logWarn(std::string_view message) { logger().log("webhook", LogLevel::Warn, message); }
inline void logInfo(std::string_view message) { logger().log("webhook", LogLevel::Info, message); }

}  // namespace sidecar::webhook
