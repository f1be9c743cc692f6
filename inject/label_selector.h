#pragma once

// Kubernetes metav1.LabelSelector: matchLabels plus matchExpressions with In, NotIn, Exists
// and DoesNotExist. An empty selector selects nothing here (Istio skips empty selectors in
// never/alwaysInjectSelector), and a selector that fails validation is reported and skipped
// by the caller.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"

namespace sidecar::inject {

class LabelSelector {
 public:
  enum class Op { In, NotIn, Exists, DoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // Parses and validates one selector (JSON of metav1.LabelSelector).
  static Expected<LabelSelector> parse(const nlohmann::json& j);

  bool empty() const { return requirements_.empty(); }
  // False for an empty selector.
  bool matches(const std::map<std::string, std::string, std::less<>>& labels) const;
  // Human form, e.g. "app=foo,env in (a,b),!debug".
  std::string describe() const;

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace sidecar::inject
