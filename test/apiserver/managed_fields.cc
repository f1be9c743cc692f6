#include "test/apiserver/managed_fields.h"

#include <map>
#include <set>
#include <vector>

namespace sidecar::testapi {

using nlohmann::json;

namespace {

// Merge keys of the pod API's keyed lists (listType=map); every other list is atomic.
const std::map<std::string, std::vector<std::string>>& listKeys() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"containers", {"name"}},
      {"initContainers", {"name"}},
      {"ephemeralContainers", {"name"}},
      {"env", {"name"}},
      {"volumes", {"name"}},
      {"volumeMounts", {"mountPath"}},
      {"volumeDevices", {"devicePath"}},
      {"ports", {"containerPort", "protocol"}},
      {"imagePullSecrets", {"name"}},
      {"ownerReferences", {"uid"}},
      {"resourceClaims", {"name"}},
  };
  return keys;
}

// Fields holding a map with arbitrary keys: the map is a member and so is each key.
bool isStringMap(const std::string& field) {
  static const std::set<std::string> maps = {"labels", "annotations", "nodeSelector",
                                             "limits", "requests",    "overhead"};
  return maps.count(field) > 0;
}

// Items owned whole (structType=atomic): their fields are not listed.
bool isAtomicItem(const std::string& list) {
  return list == "ownerReferences";
}

json fieldsOf(const std::string& field, const json& value);

json structFields(const json& object, bool member) {
  json out = json::object();
  if (member) {
    out["."] = json::object();
  }
  for (const auto& [key, child] : object.items()) {
    out["f:" + key] = fieldsOf(key, child);
  }
  return out;
}

json fieldsOf(const std::string& field, const json& value) {
  if (value.is_object() && !value.empty()) {
    if (isStringMap(field)) {
      json out = {{".", json::object()}};
      for (const auto& [key, _] : value.items()) {
        out["f:" + key] = json::object();
      }
      return out;
    }
    return structFields(value, false);
  }
  auto keyed = listKeys().find(field);
  if (value.is_array() && keyed != listKeys().end()) {
    json out = json::object();
    for (const json& item : value) {
      if (!item.is_object()) {
        continue;
      }
      json key = json::object();
      for (const std::string& k : keyed->second) {
        if (item.contains(k)) {
          key[k] = item[k];
        }
      }
      out["k:" + key.dump()] = isAtomicItem(field) ? json::object() : structFields(item, true);
    }
    return out;
  }
  return json::object();  // a scalar, an empty object or an atomic list: a leaf
}

}  // namespace

std::string fieldManagerOf(const ApiRequest& request) {
  if (auto it = request.query.find("fieldManager");
      it != request.query.end() && !it->second.empty()) {
    return it->second;
  }
  return request.userAgent.substr(0, std::min<std::size_t>(request.userAgent.find('/'), 128));
}

json fieldsV1(const json& object) {
  json out = json::object();
  if (!object.is_object()) {
    return out;
  }
  for (const auto& [key, value] : object.items()) {
    if (key == "apiVersion" || key == "kind" || key == "status") {
      continue;
    }
    if (key != "metadata" || !value.is_object()) {
      out["f:" + key] = fieldsOf(key, value);
      continue;
    }
    json meta = value;
    for (const char* owned : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp",
                              "generation", "managedFields", "selfLink"}) {
      meta.erase(owned);
    }
    if (!meta.empty()) {
      out["f:metadata"] = structFields(meta, false);
    }
  }
  return out;
}

void addCreateManagedFields(json& object, const std::string& manager, const std::string& apiVersion,
                            const std::string& time) {
  if (!object.is_object()) {
    return;
  }
  json& meta = object["metadata"];
  if (!meta.is_object()) {
    meta = json::object();
  }
  if (meta.contains("managedFields") && meta["managedFields"].is_array() &&
      !meta["managedFields"].empty()) {
    return;
  }
  meta["managedFields"] = json::array({{{"manager", manager},
                                        {"operation", "Update"},
                                        {"apiVersion", apiVersion},
                                        {"time", time},
                                        {"fieldsType", "FieldsV1"},
                                        {"fieldsV1", fieldsV1(object)}}});
}

}  // namespace sidecar::testapi
