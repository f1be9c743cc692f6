#pragma once

// Command-line flags in the style istioctl and the Istio injector accept: `--name value`,
// `--name=value`, single-dash long names (`-injectConfig`, Go's flag package allows it),
// short aliases (`-f`), and boolean switches. Unknown flags are errors, so a typo never
// silently falls back to a default.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.h"

namespace sidecar::cmd {

class Flags {
 public:
  // Declares a flag taking a value. `aliases` are alternative spellings without dashes.
  Flags& value(std::string name, std::string help, std::string defaultValue = "",
               std::vector<std::string> aliases = {});
  // Declares a boolean switch (`--name`, `--name=true|false`).
  Flags& toggle(std::string name, std::string help, std::vector<std::string> aliases = {});

  // Parses argv-style arguments; positional arguments are kept in order.
  Expected<void> parse(const std::vector<std::string>& args);

  const std::string& get(const std::string& name) const;
  bool isSet(const std::string& name) const;
  // Whether this command declares the flag at all.
  bool declared(const std::string& name) const { return specs_.count(name) != 0; }
  bool on(const std::string& name) const;
  // The value as a whole number in [min, max]; anything else (a typo, a unit, a sign out of
  // range) is an error naming the flag, never a silent zero.
  Expected<int64_t> integer(const std::string& name, int64_t min, int64_t max) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // One line per flag, for --help.
  std::string usage() const;

 private:
  struct Spec {
    std::string help;
    std::string defaultValue;
    bool isToggle = false;
    std::vector<std::string> aliases;
  };
  const std::string* canonical(const std::string& spelled) const;

  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> aliasTo_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace sidecar::cmd
