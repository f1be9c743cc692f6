#include "controller/drift/object_loader.h"

#include "kube/yaml.h"

namespace sidecar::drift {

namespace {

using nlohmann::json;

Expected<void> loadOne(DriftTracker& tracker, const json& object, const std::string& where,
                       std::string_view defaultKind, LoadCounts& counts) {
  if (!object.is_object()) {
    return fail(where + ": not an object");
  }
  std::string kind = object.value("kind", std::string(defaultKind));
  if (kind == "Pod") {
    auto added = tracker.upsertPod(object);
    if (!added) {
      return Unexpected(added.error().withContext(where));
    }
    ++counts.pods;
    return {};
  }
  if (kind == "MutatingWebhookConfiguration") {
    if (!object.contains("webhooks")) {
      return fail(where + ": MutatingWebhookConfiguration without webhooks");
    }
    tracker.setWebhookConfig(object);
    ++counts.others;
    return {};
  }
  json copy;
  const json* target = &object;
  if (!object.contains("kind") && !defaultKind.empty()) {
    copy = object;
    copy["kind"] = std::string(defaultKind);
    target = &copy;
  }
  auto added = tracker.upsertObject(*target);
  if (!added) {
    return Unexpected(added.error().withContext(where));
  }
  ++(*added ? counts.others : counts.ignored);
  return {};
}

}  // namespace

Expected<LoadCounts> loadObjects(DriftTracker& tracker, const json& document, std::string_view source,
                                 std::string_view defaultKind) {
  LoadCounts counts;
  std::string name(source);
  if (document.is_object() && document.contains("items")) {
    const json& items = document["items"];
    if (!items.is_array()) {
      return fail(name + ": items is not a list");
    }
    for (size_t i = 0; i < items.size(); ++i) {
      auto loaded = loadOne(tracker, items[i], name + ": items[" + std::to_string(i) + "]", defaultKind, counts);
      if (!loaded) {
        return Unexpected(loaded.error());
      }
    }
    return counts;
  }
  auto loaded = loadOne(tracker, document, name, defaultKind, counts);
  if (!loaded) {
    return Unexpected(loaded.error());
  }
  return counts;
}

Expected<LoadCounts> loadObjectsText(DriftTracker& tracker, std::string_view text, std::string_view source,
                                     std::string_view defaultKind) {
  // kubectl's JSON is parsed directly (much faster than the YAML path for large lists).
  json document = json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    auto yaml = kube::parseYaml(text);
    if (!yaml) {
      return Unexpected(yaml.error().withContext(source));
    }
    document = std::move(*yaml);
  }
  return loadObjects(tracker, document, source, defaultKind);
}

}  // namespace sidecar::drift
