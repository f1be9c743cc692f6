#include "webhook/flags.h"

#include <charconv>
#include <functional>
#include <map>

#include "common/go_duration.h"
#include "webhook/log.h"

namespace sidecar::webhook {

namespace {

Expected<int64_t> parseInt(std::string_view flag, std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return fail("--" + std::string(flag) + ": \"" + std::string(text) + "\" is not an integer");
  }
  if (value < min || value > max) {
    return fail("--" + std::string(flag) + ": " + std::string(text) + " is outside [" +
                std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

Expected<bool> parseBool(std::string_view flag, std::string_view text) {
  if (text.empty() || text == "true" || text == "1") {
    return true;
  }
  if (text == "false" || text == "0") {
    return false;
  }
  return fail("--" + std::string(flag) + ": \"" + std::string(text) + "\" is not a boolean");
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) {
      out.emplace_back(item);
    }
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

struct FlagSpec {
  std::string help;
  bool boolean = false;
  std::function<Expected<void>(std::string_view flag, std::string_view value, ServerOptions&)>
      apply;
};

template <class Field>
FlagSpec durationFlag(std::string help, Field field) {
  return {
      std::move(help), false,
      [field](std::string_view flag, std::string_view value, ServerOptions& o) -> Expected<void> {
        auto d = parseDuration(value);
        if (!d) {
          return fail("--" + std::string(flag) + ": " + d.error().message);
        }
        o.*field = *d;
        return {};
      }};
}

template <class Field>
FlagSpec stringFlag(std::string help, Field field) {
  return {std::move(help), false,
          [field](std::string_view, std::string_view value, ServerOptions& o) -> Expected<void> {
            o.*field = std::string(value);
            return {};
          }};
}

template <class Field>
FlagSpec sizeFlag(std::string help, Field field, int64_t min, int64_t max) {
  return {std::move(help), false,
          [field, min, max](std::string_view flag, std::string_view value,
                            ServerOptions& o) -> Expected<void> {
            auto v = parseInt(flag, value, min, max);
            if (!v) {
              return Unexpected(v.error());
            }
            o.*field = static_cast<std::remove_reference_t<decltype(o.*field)>>(*v);
            return {};
          }};
}

const std::map<std::string, FlagSpec, std::less<>>& flagSpecs() {
  static const std::map<std::string, FlagSpec, std::less<>> specs = {
      {"port",
       sizeFlag("HTTPS port of the webhook (default 9443)", &ServerOptions::port, 0, 65535)},
      {"address", stringFlag("address to listen on (default 0.0.0.0)", &ServerOptions::address)},
      {"threads", sizeFlag("worker threads (default 2)", &ServerOptions::threads, 1, 256)},
      {"tlsCertFile", stringFlag("serving certificate chain (PEM), reloaded on change",
                                 &ServerOptions::tlsCertFile)},
      {"tlsKeyFile",
       stringFlag("serving private key (PEM), reloaded on change", &ServerOptions::tlsKeyFile)},
      {"certPollInterval", durationFlag("how often to check the certificate files (default 2s)",
                                        &ServerOptions::certPollInterval)},
      {"self-signed",
       {"generate a CA and serving certificate in memory and print the CA PEM", true,
        [](std::string_view flag, std::string_view value, ServerOptions& o) -> Expected<void> {
          auto b = parseBool(flag, value);
          if (!b) {
            return Unexpected(b.error());
          }
          o.selfSigned = *b;
          return {};
        }}},
      {"selfSignedSans",
       {"comma-separated SANs for --self-signed (default localhost, 127.0.0.1, service names)",
        false,
        [](std::string_view, std::string_view value, ServerOptions& o) -> Expected<void> {
          o.selfSignedSans = splitList(value);
          return {};
        }}},
      {"serviceName",
       stringFlag("service name for the default self-signed SANs", &ServerOptions::serviceName)},
      {"serviceNamespace",
       stringFlag(
           "service namespace for the default self-signed SANs (default: the injector namespace)",
           &ServerOptions::serviceNamespace)},
      {"maxBodyBytes", sizeFlag("largest accepted request body (default 8 MiB)",
                                &ServerOptions::maxBodyBytes, 1, int64_t{1} << 30)},
      {"maxConnections", sizeFlag("open connection limit (default 1024)",
                                  &ServerOptions::maxConnections, 1, 1 << 20)},
      {"idleTimeout",
       durationFlag("keep-alive idle timeout (default 90s)", &ServerOptions::idleTimeout)},
      {"headerTimeout",
       durationFlag("deadline for request headers (default 10s)", &ServerOptions::headerTimeout)},
      {"bodyTimeout",
       durationFlag("deadline for a request body (default 30s)", &ServerOptions::bodyTimeout)},
      {"drainTimeout", durationFlag("shutdown wait for in-flight requests (default 10s)",
                                    &ServerOptions::drainTimeout)},
      {"monitoringPort", sizeFlag("plain-HTTP port for /metrics, /healthz, /readyz (-1 disables)",
                                  &ServerOptions::monitoringPort, -1, 65535)},
      {"healthCheckFile", stringFlag("file rewritten periodically while ready (Istio probe)",
                                     &ServerOptions::healthCheckFile)},
      {"healthCheckInterval",
       durationFlag("interval for --healthCheckFile", &ServerOptions::healthCheckInterval)},
      {"log_output_level",
       {"Istio log levels: level or scope:level,... with none|error|warn|info|debug", false,
        [](std::string_view, std::string_view value, ServerOptions&) -> Expected<void> {
          return logger().configure(value);
        }}},
  };
  return specs;
}

}  // namespace

Expected<std::chrono::milliseconds> parseDuration(std::string_view text) {
  if (text.empty()) {
    return fail(ErrorCode::InvalidArgument, "empty duration");
  }
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    auto seconds = parseInt("duration", text, 0, int64_t{1} << 40);
    if (!seconds) {
      return fail(ErrorCode::InvalidArgument, "\"" + std::string(text) + "\" is not a duration");
    }
    return std::chrono::milliseconds(*seconds * 1000);
  }
  auto nanos = parseGoDuration(text);
  if (!nanos) {
    return fail(ErrorCode::InvalidArgument,
                "\"" + std::string(text) +
                    "\" is not a duration (want e.g. 500ms, 2s, 1m30s): " + nanos.error().message);
  }
  if (*nanos < 0) {
    return fail(ErrorCode::InvalidArgument,
                "\"" + std::string(text) + "\": a duration here must not be negative");
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds(*nanos));
}

Expected<void> parseServerFlags(const std::vector<std::string>& args, ServerOptions& options,
                                std::vector<std::string>* rest) {
  const auto& specs = flagSpecs();
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view body = arg;
    if (body.rfind("--", 0) == 0) {
      body.remove_prefix(2);
    } else if (body.rfind("-", 0) == 0 && body.size() > 1) {
      body.remove_prefix(1);
    } else {
      if (rest != nullptr) {
        rest->push_back(args[i]);
      }
      continue;
    }
    const size_t eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    auto spec = specs.find(name);
    if (spec == specs.end()) {
      if (rest != nullptr) {
        rest->push_back(args[i]);
      }
      continue;
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = body.substr(eq + 1);
    } else if (!spec->second.boolean) {
      if (i + 1 >= args.size()) {
        return fail("--" + std::string(name) + " needs a value");
      }
      value = args[++i];
    }
    if (auto ok = spec->second.apply(name, value, options); !ok) {
      return ok;
    }
  }
  return {};
}

std::string serverFlagsHelp() {
  std::string out;
  for (const auto& [name, spec] : flagSpecs()) {
    out += "  --" + name + (spec.boolean ? "" : "=...") + "\t" + spec.help + "\n";
  }
  return out;
}

}  // namespace sidecar::webhook
