#include <cmath>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "kube/go_format.h"
#include "kube/yaml.h"
#include "kube/yaml_fast.h"
#include "kube/yaml_scalar.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";
// Bounds the nodes that aliases may copy, so "billion laughs" documents fail instead of
// exhausting memory (yaml.v2 has the same kind of guard).
constexpr size_t kAliasNodeBudget = 4'000'000;

// Raised inside the event handler and turned into an Error by parseYaml.
struct BuildError {
  YAML::Mark mark;
  std::string message;
};

size_t countNodes(const json& j) {
  size_t n = 1;
  if (j.is_structured()) {
    for (const auto& item : j) {
      n += countNodes(item);
    }
  }
  return n;
}

class JsonBuilder : public YAML::EventHandler {
 public:
  json takeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { deliver(nullptr, mark, anchor, false); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw BuildError{mark, "unknown anchor referenced"};
    }
    aliasNodes_ += it->second.nodes;
    if (aliasNodes_ > kAliasNodeBudget) {
      throw BuildError{mark, "document contains excessive aliasing"};
    }
    deliver(it->second.value, mark, 0, false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    const bool plain = tag == "?";
    deliver(scalarValue(mark, tag, value), mark, anchor, plain && value == "<<");
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    stack_.push_back(Frame{json::array(), false, false, false, std::string(), anchor, mark});
  }
  void OnSequenceEnd() override { finishFrame(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    stack_.push_back(Frame{json::object(), true, false, false, std::string(), anchor, mark});
  }
  void OnMapEnd() override { finishFrame(); }

 private:
  struct Frame {
    json value;
    bool isMap;
    bool haveKey;
    bool keyIsMerge;
    std::string key;
    YAML::anchor_t anchor;
    YAML::Mark mark;
  };
  struct Anchored {
    json value;
    size_t nodes;
  };

  static json scalarValue(const YAML::Mark& mark, const std::string& tag, const std::string& value) {
    if (tag == "?") {
      return detail::resolvePlainScalar(value);
    }
    if (tag == "!" || tag.empty()) {
      return value;
    }
    if (tag.rfind(kTagPrefix, 0) != 0) {
      // Application tags: yaml.v2 hands the text through unchanged.
      return value;
    }
    const std::string_view kind = std::string_view(tag).substr(kTagPrefix.size());
    if (kind == "str" || kind == "timestamp") {
      return value;
    }
    if (kind == "binary") {
      std::string decoded;
      if (!detail::base64Decode(value, decoded)) {
        throw BuildError{mark, "!!binary value contains invalid base64 data"};
      }
      return decoded;
    }
    json resolved = detail::resolvePlainScalar(value);
    const bool ok = (kind == "int" && (resolved.is_number_integer())) ||
                    (kind == "float" && resolved.is_number()) || (kind == "bool" && resolved.is_boolean()) ||
                    (kind == "null" && resolved.is_null());
    if (kind != "int" && kind != "float" && kind != "bool" && kind != "null") {
      return value;
    }
    if (!ok) {
      throw BuildError{mark, "cannot decode `" + value + "` as a !!" + std::string(kind)};
    }
    if (kind == "float" && resolved.is_number_integer()) {
      return resolved.get<double>();
    }
    return resolved;
  }

  // ghodss' conversion of a decoded map key to the JSON object key.
  static std::string keyString(const json& key, const YAML::Mark& mark) {
    switch (key.type()) {
      case json::value_t::string:
        return key.get<std::string>();
      case json::value_t::number_integer:
        return std::to_string(key.get<int64_t>());
      case json::value_t::boolean:
        return key.get<bool>() ? "true" : "false";
      case json::value_t::number_float:
        return formatYamlFloatKey(key.get<double>());
      case json::value_t::number_unsigned:
        throw BuildError{mark, "unsupported map key of type uint64: " + key.dump()};
      case json::value_t::null:
        throw BuildError{mark, "unsupported map key of type null"};
      default:
        throw BuildError{mark, "unsupported map key: a mapping key must be a scalar"};
    }
  }

  static void mergeInto(json& target, const json& source, const YAML::Mark& mark) {
    auto mergeMap = [&](const json& m) {
      if (!m.is_object()) {
        throw BuildError{mark, "map merge requires map or sequence of maps as the value"};
      }
      for (auto it = m.begin(); it != m.end(); ++it) {
        target[it.key()] = it.value();
      }
    };
    if (source.is_array()) {
      // Earlier maps take precedence, so apply them last.
      for (auto it = source.rbegin(); it != source.rend(); ++it) {
        mergeMap(*it);
      }
    } else {
      mergeMap(source);
    }
  }

  void deliver(json value, const YAML::Mark& mark, YAML::anchor_t anchor, bool mergeCandidate) {
    if (anchor != 0) {
      const size_t nodes = countNodes(value);
      anchors_[anchor] = Anchored{value, nodes};
    }
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (!top.isMap) {
      top.value.push_back(std::move(value));
      return;
    }
    if (!top.haveKey) {
      top.haveKey = true;
      top.keyIsMerge = mergeCandidate;
      if (!mergeCandidate) {
        top.key = keyString(value, mark);
      }
      return;
    }
    top.haveKey = false;
    if (top.keyIsMerge) {
      mergeInto(top.value, value, mark);
      return;
    }
    top.value[top.key] = std::move(value);
  }

  void finishFrame() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    deliver(std::move(frame.value), frame.mark, frame.anchor, false);
  }

  std::vector<Frame> stack_;
  json root_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  size_t aliasNodes_ = 0;
};

std::string where(const YAML::Mark& mark) {
  if (mark.is_null()) {
    return "yaml: ";
  }
  return "yaml: line " + std::to_string(mark.line + 1) + " column " + std::to_string(mark.column + 1) + ": ";
}

}  // namespace

namespace detail {

Expected<nlohmann::json> parseYamlFull(std::string_view text) {
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    JsonBuilder builder;
    if (!parser.HandleNextDocument(builder)) {
      return json(nullptr);
    }
    return builder.takeRoot();
  } catch (const BuildError& e) {
    return fail(where(e.mark) + e.message);
  } catch (const YAML::Exception& e) {
    return fail(where(e.mark) + e.msg);
  } catch (const std::exception& e) {
    return fail(std::string("yaml: ") + e.what());
  }
}

}  // namespace detail

Expected<nlohmann::json> parseYaml(std::string_view text) {
  if (auto fast = detail::parseYamlFast(text)) {
    return std::move(*fast);
  }
  return detail::parseYamlFull(text);
}

}  // namespace sidecar::kube
