#pragma once

// A typed, thread-safe cache fed by a Reflector. Each kind stores a small struct produced
// by a transform (see cache_kinds.h), not the raw JSON. Indexed by namespace, label
// (key=value) and owner uid. Handlers run on the reflector thread, outside the lock, in
// event order; a relist is turned into the add/update/delete events it implies, so a
// consumer never sees an event twice or misses one across reconnects.

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "controller/object_meta.h"
#include "controller/reflector.h"

namespace sidecar::controller {

template <class T>
struct CacheHandlers {
  std::function<void(const T&)> onAdd;
  std::function<void(const T& oldObject, const T& newObject)> onUpdate;
  std::function<void(const T&)> onDelete;
};

template <class T>
class Cache final : public ReflectorSink {
 public:
  using Ptr = std::shared_ptr<const T>;
  using Transform = std::function<T(const nlohmann::json&)>;

  explicit Cache(Transform transform) : transform_(std::move(transform)) {}

  Ptr get(const std::string& ns, const std::string& name) const {
    std::shared_lock lock(mutex_);
    auto it = objects_.find(key(ns, name));
    return it == objects_.end() ? nullptr : it->second;
  }

  std::vector<Ptr> list() const {
    std::shared_lock lock(mutex_);
    std::vector<Ptr> out;
    out.reserve(objects_.size());
    for (const auto& [k, v] : objects_) {
      out.push_back(v);
    }
    return out;
  }

  std::vector<Ptr> byNamespace(const std::string& ns) const { return lookup(byNamespace_, ns); }
  std::vector<Ptr> byLabel(std::string_view k, std::string_view v) const { return lookup(byLabel_, labelKey(k, v)); }
  std::vector<Ptr> byOwner(const std::string& ownerUid) const { return lookup(byOwner_, ownerUid); }

  std::size_t size() const {
    std::shared_lock lock(mutex_);
    return objects_.size();
  }

  void addHandlers(CacheHandlers<T> handlers) {
    std::lock_guard lock(handlersMutex_);
    handlers_.push_back(std::move(handlers));
  }

  void replace(std::vector<nlohmann::json> items, const std::string&) override {
    std::vector<Notification> notes;
    {
      std::unique_lock lock(mutex_);
      std::unordered_set<std::string> seen;
      for (const auto& item : items) {
        Ptr obj = std::make_shared<const T>(transform_(item));
        std::string k = key(obj->meta.ns, obj->meta.name);
        seen.insert(k);
        upsertLocked(std::move(k), std::move(obj), notes);
      }
      for (auto it = objects_.begin(); it != objects_.end();) {
        if (!seen.count(it->first)) {
          unindexLocked(it->second);
          notes.push_back({Notification::Kind::Delete, it->second, nullptr});
          it = objects_.erase(it);
        } else {
          ++it;
        }
      }
    }
    notify(notes);
  }

  void apply(WatchEventType type, nlohmann::json object) override {
    std::vector<Notification> notes;
    {
      Ptr obj = std::make_shared<const T>(transform_(object));
      std::string k = key(obj->meta.ns, obj->meta.name);
      std::unique_lock lock(mutex_);
      if (type == WatchEventType::Deleted) {
        auto it = objects_.find(k);
        if (it != objects_.end()) {
          unindexLocked(it->second);
          notes.push_back({Notification::Kind::Delete, it->second, nullptr});
          objects_.erase(it);
        }
      } else {
        upsertLocked(std::move(k), std::move(obj), notes);
      }
    }
    notify(notes);
  }

 private:
  struct Notification {
    enum class Kind { Add, Update, Delete } kind;
    Ptr object;
    Ptr old;
  };
  // Index sets hold raw pointers into objects owned by objects_: cheaper than key strings.
  using Index = std::unordered_map<std::string, std::unordered_set<const T*>>;

  static std::string key(const std::string& ns, const std::string& name) { return ns + "/" + name; }
  static std::string labelKey(std::string_view k, std::string_view v) {
    std::string out;
    out.reserve(k.size() + v.size() + 1);
    out.append(k).append("=").append(v);
    return out;
  }

  std::vector<Ptr> lookup(const Index& index, const std::string& k) const {
    std::shared_lock lock(mutex_);
    std::vector<Ptr> out;
    auto it = index.find(k);
    if (it == index.end()) {
      return out;
    }
    for (const T* raw : it->second) {
      auto found = objects_.find(key(raw->meta.ns, raw->meta.name));
      if (found != objects_.end()) {
        out.push_back(found->second);
      }
    }
    return out;
  }

  void upsertLocked(std::string k, Ptr obj, std::vector<Notification>& notes) {
    auto it = objects_.find(k);
    if (it == objects_.end()) {
      indexLocked(obj);
      notes.push_back({Notification::Kind::Add, obj, nullptr});
      objects_.emplace(std::move(k), std::move(obj));
      return;
    }
    // The same resourceVersion again (a replayed event, or a relist of unchanged state)
    // is not a change.
    if (it->second->meta.resourceVersion == obj->meta.resourceVersion) {
      return;
    }
    unindexLocked(it->second);
    indexLocked(obj);
    notes.push_back({Notification::Kind::Update, obj, it->second});
    it->second = std::move(obj);
  }

  void indexLocked(const Ptr& obj) {
    const T* raw = obj.get();
    byNamespace_[obj->meta.ns].insert(raw);
    obj->meta.labels.forEach([&](std::string_view k, std::string_view v) { byLabel_[labelKey(k, v)].insert(raw); });
    obj->meta.owners.forEach([&](std::string_view uid, std::string_view) { byOwner_[std::string(uid)].insert(raw); });
  }

  static void eraseFrom(Index& index, const std::string& k, const T* raw) {
    auto it = index.find(k);
    if (it == index.end()) {
      return;
    }
    it->second.erase(raw);
    if (it->second.empty()) {
      index.erase(it);
    }
  }

  void unindexLocked(const Ptr& obj) {
    const T* raw = obj.get();
    eraseFrom(byNamespace_, obj->meta.ns, raw);
    obj->meta.labels.forEach([&](std::string_view k, std::string_view v) { eraseFrom(byLabel_, labelKey(k, v), raw); });
    obj->meta.owners.forEach([&](std::string_view uid, std::string_view) { eraseFrom(byOwner_, std::string(uid), raw); });
  }

  void notify(const std::vector<Notification>& notes) {
    if (notes.empty()) {
      return;
    }
    std::vector<CacheHandlers<T>> handlers;
    {
      std::lock_guard lock(handlersMutex_);
      handlers = handlers_;
    }
    for (const auto& n : notes) {
      for (const auto& h : handlers) {
        if (n.kind == Notification::Kind::Add && h.onAdd) {
          h.onAdd(*n.object);
        } else if (n.kind == Notification::Kind::Update && h.onUpdate) {
          h.onUpdate(*n.old, *n.object);
        } else if (n.kind == Notification::Kind::Delete && h.onDelete) {
          h.onDelete(*n.object);
        }
      }
    }
  }

  Transform transform_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Ptr> objects_;
  Index byNamespace_;
  Index byLabel_;
  Index byOwner_;
  std::mutex handlersMutex_;
  std::vector<CacheHandlers<T>> handlers_;
};

}  // namespace sidecar::controller
