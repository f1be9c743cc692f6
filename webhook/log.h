#pragma once

// A tiny leveled logger with Istio's flag syntax (--log_output_level=default:info,webhook:debug)
// so operators can reuse their existing Istio deployment arguments.

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/expected.h"

namespace sidecar::webhook {

enum class LogLevel { None = 0, Error = 1, Warn = 2, Info = 3, Debug = 4 };

Expected<LogLevel> parseLogLevel(std::string_view name);
std::string_view logLevelName(LogLevel level);

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  Logger();

  // Parses "level" or "scope:level[,scope:level...]"; "default" names the fallback scope.
  // On error nothing changes.
  Expected<void> configure(std::string_view spec);

  bool enabled(std::string_view scope, LogLevel level) const;
  void log(std::string_view scope, LogLevel level, std::string_view message);

  // Replaces the stderr sink (tests capture lines with it).
  void setSink(Sink sink);
  void setLevel(std::string_view scope, LogLevel level);

 private:
  LogLevel levelFor(std::string_view scope) const;

  mutable std::mutex mu_;
  std::map<std::string, LogLevel, std::less<>> scopes_;
  LogLevel default_ = LogLevel::Info;
  Sink sink_;
};

// The process-wide logger used by the webhook code.
Logger& logger();

// Convenience: builds the message only when the level is enabled.
template <class MessageFn>
void logLazy(std::string_view scope, LogLevel level, MessageFn&& fn) {
  if (logger().enabled(scope, level)) {
    logger().log(scope, level, fn());
  }
}

inline void logError(std::string_view message) { logger().log("webhook", LogLevel::Error, message); }
inline void logWarn(std::string_view message) { logger().log("webhook", LogLevel::Warn, message); }
inline void logInfo(std::string_view message) { logger().log("webhook", LogLevel::Info, message); }

}  // namespace sidecar::webhook
