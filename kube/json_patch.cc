#include "kube/json_patch.h"

#include <vector>

namespace sidecar::kube {
namespace {

using nlohmann::json;

struct PatchError {
  std::string message;
};

std::vector<std::string> parsePointer(const std::string& path) {
  std::vector<std::string> tokens;
  if (path.empty()) {
    return tokens;
  }
  if (path[0] != '/') {
    throw PatchError{"pointer must be empty or start with '/'"};
  }
  size_t pos = 1;
  while (true) {
    const size_t next = path.find('/', pos);
    const std::string raw = path.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~') {
        if (i + 1 < raw.size() && raw[i + 1] == '0') {
          token += '~';
        } else if (i + 1 < raw.size() && raw[i + 1] == '1') {
          token += '/';
        } else {
          throw PatchError{"invalid escape '~' in pointer"};
        }
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (next == std::string::npos) {
      break;
    }
    pos = next + 1;
  }
  return tokens;
}

// RFC 6901 array index: "0" or digits without a leading zero.
size_t arrayIndex(const std::string& token, size_t limit) {
  if (token.empty() || token.size() > 18 || (token.size() > 1 && token[0] == '0')) {
    throw PatchError{"invalid array index '" + token + "'"};
  }
  size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') {
      throw PatchError{"invalid array index '" + token + "'"};
    }
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  if (v > limit) {
    throw PatchError{"index " + token + " out of range"};
  }
  return v;
}

json& resolve(json& doc, const std::vector<std::string>& tokens, size_t count) {
  json* cur = &doc;
  for (size_t i = 0; i < count; ++i) {
    const std::string& t = tokens[i];
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) {
        throw PatchError{"member '" + t + "' not found"};
      }
      cur = &*it;
    } else if (cur->is_array()) {
      if (t == "-") {
        throw PatchError{"'-' does not name an existing element"};
      }
      const size_t idx = arrayIndex(t, cur->size() - (cur->empty() ? 0 : 1));
      if (idx >= cur->size()) {
        throw PatchError{"index " + t + " out of range"};
      }
      cur = &(*cur)[idx];
    } else {
      throw PatchError{"cannot descend into a scalar at '" + t + "'"};
    }
  }
  return *cur;
}

void addAt(json& doc, const std::vector<std::string>& tokens, json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return;
  }
  json& parent = resolve(doc, tokens, tokens.size() - 1);
  const std::string& last = tokens.back();
  if (parent.is_object()) {
    parent[last] = std::move(value);
  } else if (parent.is_array()) {
    if (last == "-") {
      parent.push_back(std::move(value));
    } else {
      const size_t idx = arrayIndex(last, parent.size());
      parent.insert(parent.begin() + static_cast<std::ptrdiff_t>(idx), std::move(value));
    }
  } else {
    throw PatchError{"parent of the target is not a container"};
  }
}

json removeAt(json& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) {
    throw PatchError{"cannot remove the whole document"};
  }
  json& parent = resolve(doc, tokens, tokens.size() - 1);
  const std::string& last = tokens.back();
  if (parent.is_object()) {
    auto it = parent.find(last);
    if (it == parent.end()) {
      throw PatchError{"member '" + last + "' not found"};
    }
    json old = std::move(*it);
    parent.erase(it);
    return old;
  }
  if (parent.is_array()) {
    if (parent.empty()) {
      throw PatchError{"index " + last + " out of range"};
    }
    const size_t idx = arrayIndex(last, parent.size() - 1);
    json old = std::move(parent[idx]);
    parent.erase(parent.begin() + static_cast<std::ptrdiff_t>(idx));
    return old;
  }
  throw PatchError{"parent of the target is not a container"};
}

// The members an operation must have; their absence is the patch's error.
const json& requiredMember(const json& op, const char* name) {
  auto it = op.find(name);
  if (it == op.end()) {
    throw PatchError{std::string("missing '") + name + "'"};
  }
  return *it;
}

std::string requiredString(const json& op, const char* name) {
  const json& v = requiredMember(op, name);
  if (!v.is_string()) {
    throw PatchError{std::string("'") + name + "' must be a string"};
  }
  return v.get<std::string>();
}

}  // namespace

std::string escapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Expected<nlohmann::json> applyPatch(const nlohmann::json& doc, const nlohmann::json& patch) {
  if (!patch.is_array()) {
    return fail("patch must be a JSON array of operations");
  }
  json result = doc;
  for (size_t i = 0; i < patch.size(); ++i) {
    const json& op = patch[i];
    std::string name = "?";
    std::string path = "?";
    try {
      if (!op.is_object()) {
        throw PatchError{"operation must be an object"};
      }
      name = requiredString(op, "op");
      path = requiredString(op, "path");
      const auto tokens = parsePointer(path);
      if (name == "add") {
        addAt(result, tokens, requiredMember(op, "value"));
      } else if (name == "remove") {
        removeAt(result, tokens);
      } else if (name == "replace") {
        const json& value = requiredMember(op, "value");
        json& target = resolve(result, tokens, tokens.size());
        target = value;
      } else if (name == "move" || name == "copy") {
        const std::string from = requiredString(op, "from");
        const auto fromTokens = parsePointer(from);
        if (name == "move" && path.size() > from.size() && path.compare(0, from.size(), from) == 0 &&
            path[from.size()] == '/') {
          throw PatchError{"cannot move a value into one of its children"};
        }
        json value = name == "move" ? removeAt(result, fromTokens) : resolve(result, fromTokens, fromTokens.size());
        addAt(result, tokens, std::move(value));
      } else if (name == "test") {
        const json& value = requiredMember(op, "value");
        if (resolve(result, tokens, tokens.size()) != value) {
          throw PatchError{"test failed: value differs"};
        }
      } else {
        throw PatchError{"unknown op '" + name + "'"};
      }
    } catch (const PatchError& e) {
      return fail("patch op " + std::to_string(i) + " (" + name + " " + path + "): " + e.message);
    }
  }
  return result;
}

}  // namespace sidecar::kube
