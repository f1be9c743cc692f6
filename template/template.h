#pragma once

// Go text/template, parsed once and executed many times. A Template is immutable after
// parse() and safe to execute from many threads at once.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/expected.h"
#include "template/value.h"

namespace sidecar::tmpl {

// A named function set. Go's builtins (and, or, not, len, index, slice, print, printf,
// println, eq, ne, lt, le, gt, ge, html, js, urlquery, call) are always available; entries
// here take precedence over them, as in Go.
class FuncMap {
 public:
  struct Entry {
    Function fn;
    int minArgs = 0;
    int maxArgs = -1;  // -1: variadic
  };

  void add(std::string name, Function fn, int minArgs = 0, int maxArgs = -1);
  const Entry* find(std::string_view name) const;

 private:
  std::unordered_map<std::string, Entry> entries_;
};

struct Delimiters {
  std::string left = "{{";
  std::string right = "}}";
};

// The text/template semantics to follow. Go113 is what Istio 1.4 was built with (its goldens
// depend on it); Go122 is Istio 1.30's: eq/ne/lt/le/gt/ge accept nil and "no value" and name
// the types they cannot compare, and range iterates over an integer. Both eras accept
// break/continue, short-circuit and/or and {{else with}}.
enum class GoVersion { Go113, Go122 };

struct ParseOptions {
  Delimiters delimiters;
  GoVersion goVersion = GoVersion::Go113;
};

// Budgets for one execution; 0 means unlimited. They stop templates whose work explodes
// (nested ranges, doubly recursive templates) with an error instead of running for hours.
struct ExecuteOptions {
  uint64_t maxSteps = 0;      // nodes walked plus functions called
  size_t maxOutputBytes = 0;  // bytes this execution may append
};

class Template {
 public:
  // Parses `text` as the template `name` (plus any {{define}}d templates inside it). Functions
  // are resolved at parse time, as Go does: an unknown function is a parse error.
  // Errors read like Go's: "template: NAME:LINE:COL: ...".
  static Expected<Template> parse(std::string_view name, std::string_view text,
                                  std::shared_ptr<const FuncMap> funcs,
                                  const ParseOptions& options = {});

  // Executes the main template with `data` as dot and $.
  Expected<std::string> execute(const Value& data) const;
  // Appends output to `out` (reusing its capacity); on error `out` holds the partial output.
  Expected<void> executeInto(std::string& out, const Value& data) const;
  Expected<void> executeInto(std::string& out, const Value& data,
                             const ExecuteOptions& options) const;
  // Executes one of the {{define}}d templates.
  Expected<std::string> executeNamed(std::string_view name, const Value& data) const;

  const std::string& name() const;

  struct Impl;

 private:
  explicit Template(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sidecar::tmpl
