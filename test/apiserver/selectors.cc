#include "test/apiserver/selectors.h"

namespace sidecar::testapi {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && s.front() == ' ') {
    s.erase(0, 1);
  }
  while (!s.empty() && s.back() == ' ') {
    s.pop_back();
  }
  return s;
}

// Splits on commas that are not inside parentheses ("a in (x,y),b").
std::vector<std::string> splitTerms(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    }
    if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!trim(cur).empty()) {
    out.push_back(trim(cur));
  }
  return out;
}

const nlohmann::json* label(const nlohmann::json& object, const std::string& key) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return nullptr;
  }
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) {
    return nullptr;
  }
  auto v = labels->find(key);
  return v == labels->end() ? nullptr : &*v;
}

}  // namespace

Expected<std::vector<LabelRequirement>> parseLabelSelector(const std::string& text) {
  std::vector<LabelRequirement> out;
  for (const auto& term : splitTerms(text)) {
    if (term.empty()) {
      continue;
    }
    LabelRequirement r;
    if (term.front() == '!') {
      r.key = trim(term.substr(1));
      r.op = LabelRequirement::Op::NotExists;
    } else if (auto p = term.find(" notin "); p != std::string::npos) {
      r.key = trim(term.substr(0, p));
      r.op = LabelRequirement::Op::NotIn;
    } else if (auto q = term.find(" in "); q != std::string::npos) {
      r.key = trim(term.substr(0, q));
      r.op = LabelRequirement::Op::In;
    } else if (auto ne = term.find("!="); ne != std::string::npos) {
      r.key = trim(term.substr(0, ne));
      r.op = LabelRequirement::Op::NotEquals;
      r.values.push_back(trim(term.substr(ne + 2)));
    } else if (auto eq = term.find('='); eq != std::string::npos) {
      r.key = trim(term.substr(0, eq));
      r.op = LabelRequirement::Op::Equals;
      const std::size_t skip = term.compare(eq, 2, "==") == 0 ? 2 : 1;
      r.values.push_back(trim(term.substr(eq + skip)));
    } else {
      r.key = term;
      r.op = LabelRequirement::Op::Exists;
    }
    if (r.op == LabelRequirement::Op::In || r.op == LabelRequirement::Op::NotIn) {
      const auto open = term.find('(');
      const auto close = term.rfind(')');
      if (open == std::string::npos || close == std::string::npos || close < open) {
        return fail("labelSelector: \"" + term + "\": set requirement needs (v1,v2)");
      }
      for (auto& v : splitTerms(term.substr(open + 1, close - open - 1))) {
        r.values.push_back(v);
      }
    }
    if (r.key.empty()) {
      return fail("labelSelector: \"" + term + "\": empty key");
    }
    out.push_back(std::move(r));
  }
  return out;
}

Expected<std::vector<FieldRequirement>> parseFieldSelector(const std::string& text) {
  std::vector<FieldRequirement> out;
  for (const auto& term : splitTerms(text)) {
    if (term.empty()) {
      continue;
    }
    FieldRequirement r;
    std::size_t pos = term.find("!=");
    std::size_t skip = 2;
    r.equals = pos == std::string::npos;
    if (r.equals) {
      pos = term.find('=');
      if (pos == std::string::npos) {
        return fail("fieldSelector: \"" + term + "\": expected field=value");
      }
      skip = term.compare(pos, 2, "==") == 0 ? 2 : 1;
    }
    r.field = trim(term.substr(0, pos));
    r.value = trim(term.substr(pos + skip));
    if (r.field != "metadata.name" && r.field != "metadata.namespace") {
      return fail("fieldSelector: field label \"" + r.field + "\" not supported (metadata.name, metadata.namespace)");
    }
    out.push_back(std::move(r));
  }
  return out;
}

Expected<std::vector<LabelRequirement>> parseLabelSelectorObject(const nlohmann::json& selector,
                                                                 const std::string& field) {
  std::vector<LabelRequirement> out;
  if (selector.is_null()) {
    return out;
  }
  if (!selector.is_object()) {
    return fail(field + ": must be an object");
  }
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && !ml->is_null()) {
    if (!ml->is_object()) {
      return fail(field + ".matchLabels: must be a map of strings");
    }
    for (const auto& [k, v] : ml->items()) {
      if (!v.is_string()) {
        return fail(field + ".matchLabels." + k + ": must be a string");
      }
      out.push_back(LabelRequirement{k, LabelRequirement::Op::Equals, {v.get<std::string>()}});
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && !me->is_null()) {
    if (!me->is_array()) {
      return fail(field + ".matchExpressions: must be a list");
    }
    for (std::size_t i = 0; i < me->size(); ++i) {
      const auto& e = (*me)[i];
      const std::string where = field + ".matchExpressions[" + std::to_string(i) + "]";
      if (!e.is_object() || !e.contains("key") || !e["key"].is_string() || !e.contains("operator") ||
          !e["operator"].is_string()) {
        return fail(where + ": needs string fields key and operator");
      }
      LabelRequirement r;
      r.key = e["key"].get<std::string>();
      const std::string op = e["operator"].get<std::string>();
      if (op == "In") {
        r.op = LabelRequirement::Op::In;
      } else if (op == "NotIn") {
        r.op = LabelRequirement::Op::NotIn;
      } else if (op == "Exists") {
        r.op = LabelRequirement::Op::Exists;
      } else if (op == "DoesNotExist") {
        r.op = LabelRequirement::Op::NotExists;
      } else {
        return fail(where + ".operator: \"" + op + "\" is not In, NotIn, Exists or DoesNotExist");
      }
      const bool setOp = r.op == LabelRequirement::Op::In || r.op == LabelRequirement::Op::NotIn;
      if (auto vals = e.find("values"); vals != e.end() && !vals->is_null()) {
        if (!vals->is_array()) {
          return fail(where + ".values: must be a list of strings");
        }
        for (const auto& v : *vals) {
          if (!v.is_string()) {
            return fail(where + ".values: must be a list of strings");
          }
          r.values.push_back(v.get<std::string>());
        }
      }
      // The same validation as the API server: set operators need values, the others none.
      if (setOp && r.values.empty()) {
        return fail(where + ".values: must be non-empty for " + op);
      }
      if (!setOp && !r.values.empty()) {
        return fail(where + ".values: must be empty for " + op);
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool matchesLabels(const std::vector<LabelRequirement>& selector, const nlohmann::json& object) {
  for (const auto& r : selector) {
    const nlohmann::json* v = label(object, r.key);
    const std::string value = v != nullptr && v->is_string() ? v->get<std::string>() : "";
    const bool inValues = v != nullptr && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case LabelRequirement::Op::Equals:
      case LabelRequirement::Op::In:
        ok = inValues;
        break;
      case LabelRequirement::Op::NotEquals:
      case LabelRequirement::Op::NotIn:
        ok = !inValues;
        break;
      case LabelRequirement::Op::Exists:
        ok = v != nullptr;
        break;
      case LabelRequirement::Op::NotExists:
        ok = v == nullptr;
        break;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool matchesFields(const std::vector<FieldRequirement>& selector, const nlohmann::json& object) {
  for (const auto& r : selector) {
    const auto& meta = object.at("metadata");
    const std::string key = r.field == "metadata.name" ? "name" : "namespace";
    const std::string value = meta.value(key, "");
    if ((value == r.value) != r.equals) {
      return false;
    }
  }
  return true;
}

}  // namespace sidecar::testapi
