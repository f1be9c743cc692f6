#pragma once

// The leveled, scoped logger every component writes through, with Istio's flag syntax
// (--log_output_level=default:info,webhook:debug) so operators can reuse their Istio
// deployment arguments. One process-wide Logger holds the levels and the sink; components
// receive a ScopedLogger (a scope name bound to a Logger) and never write to stderr
// themselves.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "common/expected.h"

namespace sidecar {

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

// The process-wide logger; cmd/ configures it from the flags.
Logger& logger();

// Convenience: builds the message only when the level is enabled.
template <class MessageFn>
void logLazy(std::string_view scope, LogLevel level, MessageFn&& fn) {
  if (logger().enabled(scope, level)) {
    logger().log(scope, level, fn());
  }
}

// What a component holds: its scope name bound to a logger. Cheap to copy; the Logger
// must outlive it (the process-wide one does).
class ScopedLogger {
 public:
  explicit ScopedLogger(std::string scope, Logger& target = logger())
      : logger_(&target), scope_(std::move(scope)) {}

  const std::string& scope() const { return scope_; }
  bool enabled(LogLevel level) const { return logger_->enabled(scope_, level); }
  void log(LogLevel level, std::string_view message) const { logger_->log(scope_, level, message); }
  void error(std::string_view message) const { log(LogLevel::Error, message); }
  void warn(std::string_view message) const { log(LogLevel::Warn, message); }
  void info(std::string_view message) const { log(LogLevel::Info, message); }
  void debug(std::string_view message) const { log(LogLevel::Debug, message); }

  // Builds the message only when the level is enabled.
  template <class MessageFn>
  void lazy(LogLevel level, MessageFn&& fn) const {
    if (enabled(level)) {
      log(level, fn());
    }
  }

 private:
  Logger* logger_;
  std::string scope_;
};

}  // namespace sidecar
