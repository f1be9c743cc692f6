#pragma once

// Label and field selectors as the API server parses them from query parameters.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/expected.h"

namespace sidecar::testapi {

struct LabelRequirement {
  enum class Op { Equals, NotEquals, Exists, NotExists, In, NotIn };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
};

struct FieldRequirement {
  std::string field;  // metadata.name or metadata.namespace
  bool equals = true;
  std::string value;
};

Expected<std::vector<LabelRequirement>> parseLabelSelector(const std::string& text);
Expected<std::vector<FieldRequirement>> parseFieldSelector(const std::string& text);

// A metav1.LabelSelector object (matchLabels + matchExpressions with In, NotIn, Exists,
// DoesNotExist); null or {} selects everything. `field` names the selector in errors.
Expected<std::vector<LabelRequirement>> parseLabelSelectorObject(const nlohmann::json& selector,
                                                                 const std::string& field);

bool matchesLabels(const std::vector<LabelRequirement>& selector, const nlohmann::json& object);
bool matchesFields(const std::vector<FieldRequirement>& selector, const nlohmann::json& object);

}  // namespace sidecar::testapi
