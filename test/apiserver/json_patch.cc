#include "test/apiserver/json_patch.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace sidecar::testapi {

using nlohmann::json;

namespace {

Expected<std::vector<std::string>> parsePointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) {
    return tokens;
  }
  if (pointer.front() != '/') {
    return fail("\"" + pointer + "\" is not a JSON pointer (must start with '/')");
  }
  std::string cur;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        cur.push_back(pointer[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        return fail("\"" + pointer + "\": '~' must be followed by 0 or 1");
      }
    } else {
      cur.push_back(pointer[i]);
    }
  }
  return tokens;
}

// An array index as RFC 6901 spells it: "0" or digits without a leading zero.
std::optional<std::size_t> parseIndex(const std::string& token) {
  if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos ||
      (token.size() > 1 && token.front() == '0')) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoul(token));
}

// Walks to the value the tokens name; nullptr when absent.
json* find(json& doc, const std::vector<std::string>& tokens, std::size_t count) {
  json* cur = &doc;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& t = tokens[i];
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) {
        return nullptr;
      }
      cur = &*it;
    } else if (cur->is_array()) {
      auto idx = parseIndex(t);
      if (!idx || *idx >= cur->size()) {
        return nullptr;
      }
      cur = &(*cur)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

Expected<void> addAt(json& doc, const std::vector<std::string>& tokens, json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return {};
  }
  json* parent = find(doc, tokens, tokens.size() - 1);
  if (parent == nullptr) {
    return fail("parent path does not exist");
  }
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
    return {};
  }
  if (parent->is_array()) {
    if (last == "-") {
      parent->push_back(std::move(value));
      return {};
    }
    auto idx = parseIndex(last);
    if (!idx || *idx > parent->size()) {
      return fail("array index \"" + last + "\" is out of range (size " + std::to_string(parent->size()) + ")");
    }
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*idx), std::move(value));
    return {};
  }
  return fail("parent is neither an object nor an array");
}

Expected<void> removeAt(json& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) {
    return fail("cannot remove the whole document");
  }
  json* parent = find(doc, tokens, tokens.size() - 1);
  const std::string& last = tokens.back();
  if (parent != nullptr && parent->is_object() && parent->contains(last)) {
    parent->erase(last);
    return {};
  }
  if (parent != nullptr && parent->is_array()) {
    auto idx = parseIndex(last);
    if (idx && *idx < parent->size()) {
      parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(*idx));
      return {};
    }
  }
  return fail("path does not exist");
}

Expected<void> applyOne(json& doc, const json& op) {
  if (!op.is_object()) {
    return fail("not an object");
  }
  auto member = [&](const char* key) -> const json* {
    auto it = op.find(key);
    return it == op.end() ? nullptr : &*it;
  };
  const json* opName = member("op");
  const json* pathValue = member("path");
  if (opName == nullptr || !opName->is_string()) {
    return fail("missing string field \"op\"");
  }
  if (pathValue == nullptr || !pathValue->is_string()) {
    return fail("missing string field \"path\"");
  }
  const std::string name = opName->get<std::string>();
  auto path = parsePointer(pathValue->get<std::string>());
  if (!path) {
    return fail("path " + path.error().message);
  }
  const json* value = member("value");
  if ((name == "add" || name == "replace" || name == "test") && value == nullptr) {
    return fail("missing field \"value\"");
  }
  if (name == "add") {
    return addAt(doc, *path, *value);
  }
  if (name == "remove") {
    return removeAt(doc, *path);
  }
  if (name == "replace") {
    json* target = find(doc, *path, path->size());
    if (target == nullptr) {
      return fail("path does not exist");
    }
    *target = *value;
    return {};
  }
  if (name == "test") {
    json* target = find(doc, *path, path->size());
    if (target == nullptr) {
      return fail("path does not exist");
    }
    if (*target != *value) {
      return fail("test failed: the value is " + target->dump());
    }
    return {};
  }
  if (name == "move" || name == "copy") {
    const json* fromValue = member("from");
    if (fromValue == nullptr || !fromValue->is_string()) {
      return fail("missing string field \"from\"");
    }
    auto from = parsePointer(fromValue->get<std::string>());
    if (!from) {
      return fail("from " + from.error().message);
    }
    json* source = find(doc, *from, from->size());
    if (source == nullptr) {
      return fail("from path does not exist");
    }
    json copied = *source;
    if (name == "move") {
      if (path->size() > from->size() && std::equal(from->begin(), from->end(), path->begin())) {
        return fail("cannot move a value into one of its own children");
      }
      if (*path == *from) {
        return {};
      }
      if (auto removed = removeAt(doc, *from); !removed) {
        return removed;
      }
    }
    return addAt(doc, *path, std::move(copied));
  }
  return fail("unknown op \"" + name + "\"");
}

}  // namespace

Expected<json> applyJsonPatch(const json& document, const json& patch) {
  if (!patch.is_array()) {
    return fail("JSON patch: must be an array of operations");
  }
  json doc = document;
  for (std::size_t i = 0; i < patch.size(); ++i) {
    const json& op = patch[i];
    if (auto applied = applyOne(doc, op); !applied) {
      std::string what = "operation " + std::to_string(i);
      if (op.is_object() && op.contains("op") && op["op"].is_string() && op.contains("path") &&
          op["path"].is_string()) {
        what += " (" + op["op"].get<std::string>() + " " + op["path"].get<std::string>() + ")";
      }
      return fail("JSON patch: " + what + ": " + applied.error().message);
    }
  }
  return doc;
}

}  // namespace sidecar::testapi
