#include "inject/label_selector.h"

#include <algorithm>

namespace sidecar::inject {

Expected<LabelSelector> LabelSelector::parse(const nlohmann::json& j) {
  LabelSelector s;
  if (j.is_null()) {
    return s;
  }
  if (!j.is_object()) {
    return fail("label selector must be a map, got " + j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (auto it = j.find("matchLabels"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) {
      return fail("matchLabels must be a map, got " + it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    for (const auto& [k, v] : it->items()) {
      if (k.empty()) {
        return fail("matchLabels: empty label key");
      }
      if (!v.is_string()) {
        return fail("matchLabels." + k + ": value must be a string, got " + v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
      s.requirements_.push_back({k, Op::In, {v.get<std::string>()}});
    }
  }
  if (auto it = j.find("matchExpressions"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      return fail("matchExpressions must be a list, got " + it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    size_t index = 0;
    for (const auto& e : *it) {
      std::string where = "matchExpressions[" + std::to_string(index++) + "]";
      if (!e.is_object()) {
        return fail(where + " must be a map");
      }
      Requirement r;
      auto key = e.find("key");
      r.key = key != e.end() && key->is_string() ? key->get<std::string>() : std::string();
      if (r.key.empty()) {
        return fail(where + ".key: must not be empty");
      }
      auto opIt = e.find("operator");
      std::string op = opIt != e.end() && opIt->is_string() ? opIt->get<std::string>() : std::string();
      if (op == "In") {
        r.op = Op::In;
      } else if (op == "NotIn") {
        r.op = Op::NotIn;
      } else if (op == "Exists") {
        r.op = Op::Exists;
      } else if (op == "DoesNotExist") {
        r.op = Op::DoesNotExist;
      } else {
        return fail(where + ".operator: \"" + op + "\" is not a valid pod selector operator");
      }
      if (auto values = e.find("values"); values != e.end() && !values->is_null()) {
        if (!values->is_array()) {
          return fail(where + ".values must be a list");
        }
        for (const auto& v : *values) {
          if (!v.is_string()) {
            return fail(where + ".values: entries must be strings, got " + v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
          }
          r.values.push_back(v.get<std::string>());
        }
      }
      bool needsValues = r.op == Op::In || r.op == Op::NotIn;
      if (needsValues && r.values.empty()) {
        return fail(where + ".values: for 'in', 'notin' operators, values set can't be empty");
      }
      if (!needsValues && !r.values.empty()) {
        return fail(where + ".values: values set must be empty for exists and does not exist");
      }
      s.requirements_.push_back(std::move(r));
    }
  }
  return s;
}

bool LabelSelector::matches(const std::map<std::string, std::string, std::less<>>& labels) const {
  if (requirements_.empty()) {
    return false;
  }
  for (const auto& r : requirements_) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    bool inSet = has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case Op::In:
        ok = inSet;
        break;
      case Op::NotIn:
        ok = !inSet;
        break;
      case Op::Exists:
        ok = has;
        break;
      case Op::DoesNotExist:
        ok = !has;
        break;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string LabelSelector::describe() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) {
      out += ",";
    }
    auto joined = [&] {
      std::string s;
      for (const auto& v : r.values) {
        s += (s.empty() ? "" : ",") + v;
      }
      return s;
    };
    switch (r.op) {
      case Op::In:
        out += r.values.size() == 1 ? r.key + "=" + r.values[0] : r.key + " in (" + joined() + ")";
        break;
      case Op::NotIn:
        out += r.key + " notin (" + joined() + ")";
        break;
      case Op::Exists:
        out += r.key;
        break;
      case Op::DoesNotExist:
        out += "!" + r.key;
        break;
    }
  }
  return out;
}

}  // namespace sidecar::inject
