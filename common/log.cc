#include "common/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>

namespace sidecar {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(micros % 1000000));
  return buf;
}

}  // namespace

Expected<LogLevel> parseLogLevel(std::string_view name) {
  if (name == "none") {
    return LogLevel::None;
  }
  if (name == "error") {
    return LogLevel::Error;
  }
  if (name == "warn" || name == "warning") {
    return LogLevel::Warn;
  }
  if (name == "info") {
    return LogLevel::Info;
  }
  if (name == "debug") {
    return LogLevel::Debug;
  }
  return fail(ErrorCode::InvalidArgument, "unknown log level \"" + std::string(name) +
                                              "\" (want none, error, warn, info or debug)");
}

std::string_view logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::None:
      return "none";
    case LogLevel::Error:
      return "error";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Info:
      return "info";
    case LogLevel::Debug:
      return "debug";
  }
  return "unknown";
}

Logger::Logger()
    : sink_([](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stderr); }) {}

Expected<void> Logger::configure(std::string_view spec) {
  std::map<std::string, LogLevel, std::less<>> parsed;
  std::optional<LogLevel> fallback;
  std::string_view rest = spec;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    std::string_view scope = "default";
    std::string_view level = item;
    if (const size_t colon = item.find(':'); colon != std::string_view::npos) {
      scope = trim(item.substr(0, colon));
      level = trim(item.substr(colon + 1));
    }
    auto parsedLevel = parseLogLevel(level);
    if (!parsedLevel) {
      return fail(ErrorCode::InvalidArgument, "--log_output_level item \"" + std::string(item) +
                                                  "\": " + parsedLevel.error().message);
    }
    if (scope.empty()) {
      return fail(ErrorCode::InvalidArgument,
                  "--log_output_level item \"" + std::string(item) + "\": empty scope");
    }
    if (scope == "default") {
      fallback = *parsedLevel;
    } else {
      parsed[std::string(scope)] = *parsedLevel;
    }
  }
  std::lock_guard lock(mu_);
  for (auto& [scope, level] : parsed) {
    scopes_[scope] = level;
  }
  if (fallback) {
    default_ = *fallback;
  }
  return {};
}

LogLevel Logger::levelFor(std::string_view scope) const {
  if (auto it = scopes_.find(scope); it != scopes_.end()) {
    return it->second;
  }
  return default_;
}

bool Logger::enabled(std::string_view scope, LogLevel level) const {
  std::lock_guard lock(mu_);
  return level != LogLevel::None && level <= levelFor(scope);
}

void Logger::log(std::string_view scope, LogLevel level, std::string_view message) {
  if (!enabled(scope, level)) {
    return;
  }
  std::string line = timestamp();
  line += '\t';
  line += logLevelName(level);
  line += '\t';
  line += scope;
  line += '\t';
  line += message;
  line += '\n';
  Sink sink;
  {
    std::lock_guard lock(mu_);
    sink = sink_;
  }
  sink(line);
}

void Logger::setSink(Sink sink) {
  std::lock_guard lock(mu_);
  sink_ = std::move(sink);
}

void Logger::setLevel(std::string_view scope, LogLevel level) {
  std::lock_guard lock(mu_);
  if (scope == "default") {
    default_ = level;
  } else {
    scopes_[std::string(scope)] = level;
  }
}

Logger& logger() {
  static Logger instance;
  return instance;
}

}  // namespace sidecar
