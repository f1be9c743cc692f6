#pragma once

// The check both template fuzzers make: parse `text`; errors must read like Go's ("template:
// ..."); a parsed template run twice over the same data must give the same result (a parsed
// template is immutable and execution deterministic). Aborts otherwise.

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "template/template.h"

namespace sidecar::tmpl::fuzzing {

inline void parseAndRunTwice(std::string_view text, std::shared_ptr<const FuncMap> funcs,
                             const ParseOptions& options, const Value& root) {
  auto t = Template::parse("fuzz", text, std::move(funcs), options);
  if (!t) {
    if (t.error().message.rfind("template: ", 0) != 0) {
      std::abort();
    }
    return;
  }
  ExecuteOptions budget{20000, 1 << 20};
  std::string first;
  auto r1 = t->executeInto(first, root, budget);
  if (!r1 && r1.error().message.rfind("template: ", 0) != 0) {
    std::abort();
  }
  std::string second;
  auto r2 = t->executeInto(second, root, budget);
  if (static_cast<bool>(r1) != static_cast<bool>(r2) || first != second) {
    std::abort();
  }
}

}  // namespace sidecar::tmpl::fuzzing
