#pragma once

// YAML <-> JSON with the typing of sigs.k8s.io/yaml (ghodss), which is what istioctl and the
// Kubernetes client libraries use: gopkg.in/yaml.v2 resolves scalars by YAML 1.1 rules, the
// result goes through JSON. Keeping that typing is what makes `- 1337` a number and `on` a
// boolean, exactly as Go sees them.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::kube {

// Parses ONE YAML document (the first, if the text holds several) into JSON.
// Plain scalars resolve like yaml.v2: y/yes/on/true... -> true, n/no/off/false... -> false,
// ~/null/empty -> null, decimal/0x/0o/leading-0 octal/0b integers (underscores allowed) ->
// integers (number_unsigned beyond int64), floats incl. .inf/.nan -> number_float;
// anything quoted or a block scalar stays a string. Timestamps stay strings (yaml.v2 hands
// them to interface{} as text). Non-string map keys become strings as ghodss does (ints in
// decimal, floats in Go's 32-bit %g, bools as true/false); null or collection keys are
// errors. Anchors, aliases and `<<` merge keys are supported. Errors read
// "yaml: line L column C: <reason>". Block-style documents take a fast path (see
// yaml_fast.h); everything else goes through yaml-cpp with identical results.
Expected<nlohmann::json> parseYaml(std::string_view text);

// Emits like sigs.k8s.io/yaml's Marshal (yaml.v2 emitter): block style, keys in the
// object's order (sorted), sequences indentless under a mapping key, strings quoted only
// where plain text would read back as another type or not parse (single quotes when
// possible, double quotes for control/non-printable characters), multi-line strings as
// literal blocks (|, |-, |+), {} / [] for empty collections, long plain/quoted lines folded
// at column 80 like yaml.v2. Floats print as Go's JSON-then-YAML path prints them (integral
// values as integers). Always ends with a newline. parseYaml(toYaml(x)) == x.
std::string toYaml(const nlohmann::json& doc);

}  // namespace sidecar::kube
