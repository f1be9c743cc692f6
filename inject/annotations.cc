#include "inject/annotations.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <optional>
#include <unordered_map>

namespace sidecar::inject::annotation {

namespace {

using Validator = std::function<std::string(std::string_view)>;  // empty string: valid

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) {
      return out;
    }
    start = pos + 1;
  }
}

template <class T>
bool parseUnsigned(std::string_view s, T max, T& out) {
  if (s.empty() || s.front() == '+' || s.front() == '-') {
    return false;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v > static_cast<uint64_t>(max)) {
    return false;
  }
  out = static_cast<T>(v);
  return true;
}

std::string parsePort(std::string_view raw) {
  uint16_t port = 0;
  if (!parseUnsigned<uint16_t>(trim(raw), 65535, port)) {
    return "failed parsing port \"" + std::string(raw) + "\"";
  }
  return "";
}

std::string validatePortList(std::string_view ports) {
  std::string_view t = trim(ports);
  if (t.empty()) {
    return "";
  }
  for (auto part : split(t, ',')) {
    if (auto e = parsePort(part); !e.empty()) {
      return "portList \"" + std::string(ports) + "\" invalid: " + e;
    }
  }
  return "";
}

bool validCidr(std::string_view cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) {
    return false;
  }
  std::string ip(cidr.substr(0, slash));
  std::string_view bits = cidr.substr(slash + 1);
  unsigned char buf[16];
  int maxBits = 0;
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    maxBits = 32;
  } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    maxBits = 128;
  } else {
    return false;
  }
  // Go's ParseCIDR rejects leading zeros and signs in the prefix length.
  if (bits.empty() || (bits.size() > 1 && bits.front() == '0')) {
    return false;
  }
  int n = 0;
  return parseUnsigned<int>(bits, maxBits, n);
}

std::string validateCidrList(std::string_view cidrs) {
  if (cidrs.empty()) {
    return "";
  }
  for (auto cidr : split(cidrs, ',')) {
    if (!validCidr(cidr)) {
      return "failed parsing cidr '" + std::string(cidr) + "': invalid CIDR address: " + std::string(cidr);
    }
  }
  return "";
}

const std::unordered_map<std::string_view, Validator>& registry() {
  static const Validator alwaysValid = [](std::string_view) { return std::string(); };
  static const std::unordered_map<std::string_view, Validator> table = {
      {kInject, alwaysValid},
      {kStatus, alwaysValid},
      {kRewriteAppHTTPProbers, alwaysValid},
      {"sidecar.istio.io/controlPlaneAuthPolicy", alwaysValid},
      {"sidecar.istio.io/discoveryAddress", alwaysValid},
      {"sidecar.istio.io/proxyImage", alwaysValid},
      {"sidecar.istio.io/proxyCPU", alwaysValid},
      {"sidecar.istio.io/proxyMemory", alwaysValid},
      {kInterceptionMode,
       [](std::string_view v) -> std::string {
         std::string upper(v);
         for (char& c : upper) {
           c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         }
         if (upper == "REDIRECT" || upper == "TPROXY" || upper == "NONE") {
           return "";
         }
         return "interceptionMode invalid, use REDIRECT,TPROXY,NONE";
       }},
      {"sidecar.istio.io/bootstrapOverride", alwaysValid},
      {"sidecar.istio.io/statsInclusionPrefixes", alwaysValid},
      {"sidecar.istio.io/statsInclusionSuffixes", alwaysValid},
      {"sidecar.istio.io/statsInclusionRegexps", alwaysValid},
      {"sidecar.istio.io/userVolume", alwaysValid},
      {"sidecar.istio.io/userVolumeMount", alwaysValid},
      {"sidecar.istio.io/enableCoreDump",
       [](std::string_view v) -> std::string {
         return parseGoBool(v) ? "" : "invalid boolean \"" + std::string(v) + "\"";
       }},
      {"status.sidecar.istio.io/port",
       [](std::string_view v) -> std::string {
         auto e = parsePort(v);
         return e.empty() ? e : "failed parsing port \"" + std::string(v) + "\"";
       }},
      {"readiness.status.sidecar.istio.io/initialDelaySeconds",
       [](std::string_view v) -> std::string {
         uint32_t n = 0;
         return parseUnsigned<uint32_t>(v, UINT32_MAX, n) ? "" : "failed parsing \"" + std::string(v) + "\" as uint32";
       }},
      {"readiness.status.sidecar.istio.io/periodSeconds",
       [](std::string_view v) -> std::string {
         uint32_t n = 0;
         return parseUnsigned<uint32_t>(v, UINT32_MAX, n) ? "" : "failed parsing \"" + std::string(v) + "\" as uint32";
       }},
      {"readiness.status.sidecar.istio.io/failureThreshold",
       [](std::string_view v) -> std::string {
         uint32_t n = 0;
         return parseUnsigned<uint32_t>(v, UINT32_MAX, n) ? "" : "failed parsing \"" + std::string(v) + "\" as uint32";
       }},
      {"readiness.status.sidecar.istio.io/applicationPorts", alwaysValid},
      {"traffic.sidecar.istio.io/includeOutboundIPRanges",
       [](std::string_view v) -> std::string {
         if (v == "*") {
           return "";
         }
         auto e = validateCidrList(v);
         return e.empty() ? e : "includeIPRanges invalid: " + e;
       }},
      {"traffic.sidecar.istio.io/excludeOutboundIPRanges",
       [](std::string_view v) -> std::string {
         auto e = validateCidrList(v);
         return e.empty() ? e : "excludeIPRanges invalid: " + e;
       }},
      {"traffic.sidecar.istio.io/includeInboundPorts",
       [](std::string_view v) -> std::string {
         if (v == "*") {
           return "";
         }
         auto e = validatePortList(v);
         return e.empty() ? e : "includeInboundPorts invalid: " + e;
       }},
      {"traffic.sidecar.istio.io/excludeInboundPorts",
       [](std::string_view v) -> std::string {
         auto e = validatePortList(v);
         return e.empty() ? e : "excludeInboundPorts invalid: " + e;
       }},
      {"traffic.sidecar.istio.io/excludeOutboundPorts",
       [](std::string_view v) -> std::string {
         auto e = validatePortList(v);
         return e.empty() ? e : "excludeOutboundPorts invalid: " + e;
       }},
      {"traffic.sidecar.istio.io/kubevirtInterfaces", alwaysValid},
  };
  return table;
}

}  // namespace

std::optional<bool> parseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    return false;
  }
  return std::nullopt;
}

bool isRedirectAnnotation(std::string_view name) { return registry().count(name) > 0; }

Expected<void> validate(const nlohmann::json* annotations, std::vector<std::string>* warnings) {
  if (annotations == nullptr || !annotations->is_object()) {
    return {};
  }
  std::string errors;
  const auto& table = registry();
  for (const auto& [name, value] : annotations->items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto it = table.find(name);
    if (it != table.end()) {
      std::string why = it->second(text);
      if (!why.empty()) {
        errors += (errors.empty() ? "" : "; ") + ("invalid value '" + text + "' for annotation '" + name +
                                                  "': " + why);
      }
    } else if (warnings != nullptr && name.find("istio") != std::string::npos) {
      warnings->push_back("potentially misspelled annotation '" + name + "' with value '" + text +
                          "' encountered");
    }
  }
  if (!errors.empty()) {
    return fail(ErrorCode::InvalidArgument, errors);
  }
  return {};
}

}  // namespace sidecar::inject::annotation
