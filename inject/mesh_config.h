#pragma once

// Istio MeshConfig / ProxyConfig as istioctl reads them: protobuf-JSON field names in YAML,
// Istio 1.4's defaults for omitted fields, and istioctl's validation. The result is kept as a
// normalised JSON tree (enums as names, durations as "<seconds>s" strings, unset messages
// absent) described by small static descriptors that the template objects walk.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "common/go_duration.h"  // durations of the mesh config: parseProtoDuration

namespace sidecar::inject {

enum class ProtoType { String, Int, Bool, Duration, Enum, Message, List, Map, BoolValue, Int64Value };

struct ProtoMessage;

struct ProtoEnum {
  std::string_view goName;  // e.g. "ProxyConfig_InboundInterceptionMode"
  std::vector<std::pair<std::string_view, int>> values;

  // Name of a number, or the number in decimal when unknown (as Go's enum String does).
  std::string nameOf(int number) const;
  // Number of a name; -1 when unknown.
  int numberOf(std::string_view name) const;
};

struct ProtoField {
  std::string_view goName;  // Go struct field, e.g. "DrainDuration"
  ProtoType type;
  const ProtoMessage* message = nullptr;  // for Message
  const ProtoEnum* enumType = nullptr;    // for Enum
  // protobuf-JSON name (lowerCamelCase of goName)
  std::string jsonName() const;
};

struct ProtoMessage {
  std::string_view goName;  // e.g. "ProxyConfig"
  std::vector<ProtoField> fields;

  const ProtoField* findGo(std::string_view goName) const;
  const ProtoField* findJson(std::string_view jsonName) const;
};

const ProtoMessage& meshConfigDescriptor();
const ProtoMessage& proxyConfigDescriptor();
const ProtoEnum& interceptionModeEnum();

struct MeshConfig {
  nlohmann::json json;                // normalised MeshConfig with defaults applied
  std::vector<std::string> warnings;  // e.g. unknown fields that were ignored

  const nlohmann::json& proxyConfig() const { return json.at("defaultConfig"); }
  std::string sdsUdsPath() const;
};

// Parses and validates mesh config YAML (or JSON). Empty text yields the defaults.
Expected<MeshConfig> parseMeshConfig(std::string_view text);

}  // namespace sidecar::inject
