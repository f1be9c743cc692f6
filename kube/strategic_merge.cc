#include "kube/strategic_merge.h"

#include <cstdio>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kube/schema_types.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";
constexpr size_t kMaxDepth = 512;

// Thrown inside this file only; strategicMergePatch turns it into an Error.
struct MergeError {
  std::string message;
};

// The JSON path of the value being merged, rendered only for errors.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  size_t depth = 0;

  Path child(std::string_view k) const { return Path{this, k, depth + 1}; }
  std::string str() const {
    if (parent == nullptr) {
      return std::string(key);
    }
    std::string base = parent->str();
    if (base.empty() || key.substr(0, 1) == "[") {
      return base + std::string(key);
    }
    return base + "." + std::string(key);
  }
};

[[noreturn]] void raise(const Path& path, const std::string& message) {
  const std::string where = path.str();
  throw MergeError{where.empty() ? message : where + ": " + message};
}

std::string brief(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

// Go's reflect.TypeOf of a value decoded by encoding/json: every number is a float64.
enum class GoType { Nil, Bool, Number, String, Slice, Map };

GoType goType(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return GoType::Nil;
    case json::value_t::boolean:
      return GoType::Bool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return GoType::Number;
    case json::value_t::string:
      return GoType::String;
    case json::value_t::array:
      return GoType::Slice;
    default:
      return GoType::Map;
  }
}

// Go's == on two interface{} values holding decoded JSON; maps and slices of the same type
// make Go panic.
bool goEqual(const json& a, const json& b, const Path& path) {
  const GoType ta = goType(a);
  if (ta != goType(b)) {
    return false;
  }
  switch (ta) {
    case GoType::Nil:
      return true;
    case GoType::Number:
      return a.get<double>() == b.get<double>();
    case GoType::Slice:
    case GoType::Map:
      raise(path, "cannot compare a list or map value (" + brief(a) + ") with another");
    default:
      return a == b;
  }
}

// ---- The type table as apimachinery's PatchMetaFromStruct sees it. ----

struct Schema {
  std::string_view type;  // a type expression of the table; empty when opaque (pass-through)
};

struct PatchMeta {
  std::string_view strategy;  // "", "merge" or "replace" once retainKeys is set apart
  std::string_view mergeKey;
};

bool isOpaque(std::string_view type) {
  return type.empty() || type == "Raw" || type == "*Raw" || type == "[]Raw";
}

// LookupPatchMetadataForStruct: the field `key` of a struct-typed schema.
std::pair<Schema, PatchMeta> lookupStruct(Schema schema, std::string_view key,
                                          SchemaVersion version, const Path& path) {
  std::string_view t = schema.type;
  if (isOpaque(t)) {
    return {Schema{}, PatchMeta{}};
  }
  if (t.substr(0, 1) == "*") {
    t.remove_prefix(1);
  }
  std::string_view kind;
  if (t.substr(0, 2) == "[]") {
    kind = "slice";
  } else if (t.substr(0, 4) == "map[") {
    kind = "map";
  } else if (t == "string" || t == "bool" || t == "int32" || t == "int64" || t == "float64") {
    kind = t;
  }
  if (!kind.empty()) {
    raise(path, "merging an object in json but data type is not struct, instead is: " +
                    std::string(kind));
  }
  const StructDef* def = findStruct(t, version);
  const FieldDef* field = def != nullptr ? findField(*def, key) : nullptr;
  if (field == nullptr) {
    raise(path, "unable to find api field in struct " + std::string(t) + " for the json field \"" +
                    std::string(key) + "\"");
  }
  // extractRetainKeysPatchStrategy: at most two strategies, one of them retainKeys.
  std::string_view strategy = field->patchStrategy;
  const size_t comma = strategy.find(',');
  if (comma != std::string_view::npos) {
    std::string_view first = strategy.substr(0, comma);
    std::string_view second = strategy.substr(comma + 1);
    if (first == "retainKeys" && second.find(',') == std::string_view::npos) {
      strategy = second;
    } else if (second == "retainKeys") {
      strategy = first;
    } else {
      raise(path, "unexpected patch strategy: " + std::string(field->patchStrategy));
    }
  } else if (strategy == "retainKeys") {
    strategy = {};
  }
  return {Schema{field->type}, PatchMeta{strategy, field->patchMergeKey}};
}

// LookupPatchMetadataForSlice: the element type of the list field `key`.
std::pair<Schema, PatchMeta> lookupSlice(Schema schema, std::string_view key, SchemaVersion version,
                                         const Path& path) {
  auto [field, meta] = lookupStruct(schema, key, version, path);
  std::string_view t = field.type;
  if (isOpaque(t)) {
    return {Schema{}, meta};
  }
  if (t.substr(0, 2) == "[]") {
    t.remove_prefix(2);
    if (t.substr(0, 2) == "[]") {
      raise(path, "unexpected slice of slice");
    }
  } else if (t.substr(0, 1) == "*") {
    t.remove_prefix(1);
    if (t.substr(0, 2) == "[]") {
      t.remove_prefix(2);
    }
  } else {
    raise(path, "expected slice or array type, but got: struct");
  }
  return {Schema{t}, meta};
}

// ---- Helpers over lists. ----

// sliceElementType: all items of all lists share one Go type, which is not a list.
GoType sliceElementType(const std::vector<const json*>& lists, const Path& path) {
  bool found = false;
  GoType type = GoType::Nil;
  for (const json* list : lists) {
    if (list == nullptr) {
      continue;
    }
    for (const auto& item : *list) {
      const GoType t = goType(item);
      if (!found) {
        if (t == GoType::Nil) {
          raise(path, "a list item is null");  // Go dereferences its nil type and panics
        }
        if (t == GoType::Slice) {
          raise(path, "lists of lists are not supported");
        }
        type = t;
        found = true;
      } else if (t != type) {
        raise(path, "list element types are not identical");
      }
    }
  }
  if (!found) {
    raise(path, "no elements in any of the given slices");
  }
  return type;
}

const json* mergeKeyValue(const json& item, std::string_view mergeKey) {
  if (!item.is_object()) {
    return nullptr;
  }
  auto it = item.find(mergeKey);
  return it == item.end() ? nullptr : &*it;
}

[[noreturn]] void raiseNoMergeKey(const json& item, std::string_view mergeKey, const Path& path) {
  raise(path,
        "map: " + brief(item) + " does not contain declared merge key: " + std::string(mergeKey));
}

const json& requireMap(const json& item, const Path& path) {
  if (!item.is_object()) {
    raise(path, "expected a map, but received a " + std::string(item.type_name()));
  }
  return item;
}

// A scalar's identity under Go's == on decoded JSON (numbers compare as float64). Maps and
// lists make Go panic when compared with one another; here they are an error.
std::string goKey(const json& v, const Path& path) {
  switch (goType(v)) {
    case GoType::Nil:
      return "z";
    case GoType::Bool:
      return v.get<bool>() ? "b1" : "b0";
    case GoType::Number: {
      double d = v.get<double>();
      if (d == 0) {
        d = 0;  // -0 == 0
      }
      char buf[40];
      std::snprintf(buf, sizeof(buf), "n%.17g", d);
      return buf;
    }
    case GoType::String:
      return "s" + v.get<std::string>();
    default:
      raise(path, "cannot compare a list or map value (" + brief(v) + ") with another");
  }
}

// index(): the position of an item in a list by Go-equality of the merge-key value for maps
// (a missing key reads as nil, so items without one are equal) and of the item otherwise;
// the first occurrence wins. Hashed, so ordering a long list stays n log n.
class KeyIndex {
 public:
  KeyIndex(const std::vector<json>& list, std::string_view mergeKey, bool maps, const Path& path)
      : mergeKey_(mergeKey), maps_(maps), path_(path) {
    for (size_t i = 0; i < list.size(); ++i) {
      positions_.emplace(key(list[i]), static_cast<int>(i));
    }
  }

  int find(const json& item) const {
    auto it = positions_.find(key(item));
    return it == positions_.end() ? -1 : it->second;
  }

 private:
  std::string key(const json& item) const {
    static const json kNil;
    if (!maps_) {
      return goKey(item, path_);
    }
    const json* v = mergeKeyValue(item, mergeKey_);
    return goKey(v != nullptr ? *v : kNil, path_);
  }

  std::string_view mergeKey_;
  bool maps_;
  const Path& path_;
  std::unordered_map<std::string, int> positions_;
};

// Go's sort.SliceStable (insertion-sorted blocks of 20, then SymMerge), reproduced step by
// step: apimachinery's "less" is not a strict weak order, so the result depends on the
// algorithm, not only on the relation.
template <class Less>
class GoStableSort {
 public:
  GoStableSort(std::vector<json>& data, Less less) : data_(data), less_(std::move(less)) {}

  void run() {
    const int n = static_cast<int>(data_.size());
    int blockSize = 20;
    int a = 0;
    int b = blockSize;
    while (b <= n) {
      insertionSort(a, b);
      a = b;
      b += blockSize;
    }
    insertionSort(a, n);
    while (blockSize < n) {
      a = 0;
      b = 2 * blockSize;
      while (b <= n) {
        symMerge(a, a + blockSize, b);
        a = b;
        b += 2 * blockSize;
      }
      if (const int m = a + blockSize; m < n) {
        symMerge(a, m, n);
      }
      blockSize *= 2;
    }
  }

 private:
  bool less(int i, int j) {
    return less_(data_[static_cast<size_t>(i)], data_[static_cast<size_t>(j)]);
  }
  void swap(int i, int j) {
    std::swap(data_[static_cast<size_t>(i)], data_[static_cast<size_t>(j)]);
  }

  void insertionSort(int a, int b) {
    for (int i = a + 1; i < b; ++i) {
      for (int j = i; j > a && less(j, j - 1); --j) {
        swap(j, j - 1);
      }
    }
  }

  void symMerge(int a, int m, int b) {
    if (m - a == 1) {
      int i = m;
      int j = b;
      while (i < j) {
        const int h = static_cast<int>(static_cast<unsigned>(i + j) >> 1);
        if (less(h, a)) {
          i = h + 1;
        } else {
          j = h;
        }
      }
      for (int k = a; k < i - 1; ++k) {
        swap(k, k + 1);
      }
      return;
    }
    if (b - m == 1) {
      int i = a;
      int j = m;
      while (i < j) {
        const int h = static_cast<int>(static_cast<unsigned>(i + j) >> 1);
        if (!less(m, h)) {
          i = h + 1;
        } else {
          j = h;
        }
      }
      for (int k = m; k > i; --k) {
        swap(k, k - 1);
      }
      return;
    }
    const int mid = static_cast<int>(static_cast<unsigned>(a + b) >> 1);
    const int n = mid + m;
    int start = 0;
    int r = 0;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const int p = n - 1;
    while (start < r) {
      const int c = static_cast<int>(static_cast<unsigned>(start + r) >> 1);
      if (!less(p - c, c)) {
        start = c + 1;
      } else {
        r = c;
      }
    }
    const int end = n - start;
    if (start < m && m < end) {
      rotate(start, m, end);
    }
    if (a < start && start < mid) {
      symMerge(a, start, mid);
    }
    if (mid < end && end < b) {
      symMerge(mid, end, b);
    }
  }

  void swapRange(int a, int b, int n) {
    for (int i = 0; i < n; ++i) {
      swap(a + i, b + i);
    }
  }

  void rotate(int a, int m, int b) {
    int i = m - a;
    int j = b - m;
    while (i != j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  }

  std::vector<json>& data_;
  Less less_;
};

bool isDeleteItem(const json& item) {
  auto it = item.find(kDirective);
  return it != item.end() && it->is_string() && it->get_ref<const std::string&>() == "delete";
}

// normalizeSliceOrder: sort `toSort` by the positions of its items in `order`; items marked
// `$patch: delete` go last.
std::vector<json> normalizeSliceOrder(std::vector<json> toSort, const std::vector<json>& order,
                                      std::string_view mergeKey, bool maps, const Path& path) {
  std::vector<json> toDelete;
  if (maps) {
    for (const std::vector<json>* list : {&std::as_const(toSort), &order}) {
      for (const auto& item : *list) {
        if (mergeKeyValue(requireMap(item, path), mergeKey) == nullptr) {
          raiseNoMergeKey(item, mergeKey, path);
        }
      }
    }
    std::vector<json> kept;
    for (auto& item : toSort) {
      (isDeleteItem(item) ? toDelete : kept).push_back(std::move(item));
    }
    toSort = std::move(kept);
  }
  const KeyIndex index(order, mergeKey, maps, path);
  auto less = [&](const json& x, const json& y) {
    const int ix = index.find(x);
    if (ix >= 0) {
      const int iy = index.find(y);
      if (iy >= 0) {
        return ix < iy;
      }
    }
    return true;
  };
  GoStableSort<decltype(less)>(toSort, less).run();
  for (auto& item : toDelete) {
    toSort.push_back(std::move(item));
  }
  return toSort;
}

// normalizeElementOrder + mergeSortedSlice: patch items in `patchOrder`, server-only items in
// `serverOrder`, then the server-only items are inserted before the first patch item that
// comes after them in the original list.
std::vector<json> normalizeElementOrder(std::vector<json> patch, std::vector<json> serverOnly,
                                        const std::vector<json>& patchOrder,
                                        const std::vector<json>& serverOrder,
                                        std::string_view mergeKey, bool maps, const Path& path) {
  patch = normalizeSliceOrder(std::move(patch), patchOrder, mergeKey, maps, path);
  serverOnly = normalizeSliceOrder(std::move(serverOnly), serverOrder, mergeKey, maps, path);
  const std::vector<json>& left = serverOnly;
  const std::vector<json>& right = patch;
  std::vector<json> out;
  out.reserve(left.size() + right.size());
  const KeyIndex index(serverOrder, mergeKey, maps, path);
  size_t i = 0;
  size_t j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      out.push_back(right[j++]);
    } else if (j >= right.size()) {
      out.push_back(left[i++]);
    } else {
      const int li = index.find(left[i]);
      const int ri = index.find(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(left[i++]);
      } else {
        out.push_back(right[j++]);
      }
    }
  }
  return out;
}

// Splits `merged` into the items present in `by` (by merge key for maps) and the others.
std::pair<std::vector<json>, std::vector<json>> partition(const std::vector<json>& merged,
                                                          const std::vector<json>& by,
                                                          std::string_view mergeKey,
                                                          const Path& path) {
  std::unordered_set<std::string> present;
  for (const auto& b : by) {
    if (mergeKey.empty()) {
      present.insert(goKey(b, path));
    } else {
      if (!b.is_object()) {
        raise(path, "value for key " + std::string(mergeKey) + " is not a map");
      }
      if (const json* v = mergeKeyValue(b, mergeKey)) {
        present.insert(goKey(*v, path));
      }
    }
  }
  std::vector<json> in;
  std::vector<json> out;
  for (const auto& item : merged) {
    const json* value = &item;
    if (!mergeKey.empty()) {
      value = mergeKeyValue(requireMap(item, path), mergeKey);
      if (value == nullptr) {
        raiseNoMergeKey(item, mergeKey, path);
      }
    }
    (present.count(goKey(*value, path)) != 0 ? in : out).push_back(item);
  }
  return {std::move(in), std::move(out)};
}

std::vector<json> toVector(json list) {
  std::vector<json> out;
  out.reserve(list.size());
  for (auto& item : list) {
    out.push_back(std::move(item));
  }
  return out;
}

json toJson(std::vector<json> items) {
  json out = json::array();
  for (auto& item : items) {
    out.push_back(std::move(item));
  }
  return out;
}

// removeDirectives: maps holding `$patch` vanish (from maps and lists alike). Returns false
// when `v` itself is such a map.
bool removeDirectives(json& v, size_t depth = 0) {
  if (depth > kMaxDepth) {
    throw MergeError{"patch nested too deeply"};
  }
  if (v.is_object()) {
    if (v.contains(kDirective)) {
      return false;
    }
    for (auto it = v.begin(); it != v.end();) {
      if (!removeDirectives(it.value(), depth + 1)) {
        it = v.erase(it);
      } else {
        ++it;
      }
    }
  } else if (v.is_array()) {
    json kept = json::array();
    for (auto& item : v) {
      if (removeDirectives(item, depth + 1)) {
        kept.push_back(std::move(item));
      }
    }
    v = std::move(kept);
  }
  return true;
}

void discardNullValues(json& v, size_t depth = 0) {
  if (depth > kMaxDepth) {
    throw MergeError{"patch nested too deeply"};
  }
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        discardNullValues(it.value(), depth + 1);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v) {
      discardNullValues(item, depth + 1);
    }
  }
}

// The patch value with nulls and directive maps removed; false when nothing is left.
bool takePatchValue(json& original, const std::string& key, json value) {
  discardNullValues(value);
  if (!removeDirectives(value)) {
    original.erase(key);
    return false;
  }
  original[key] = std::move(value);
  return true;
}

class Merger {
 public:
  explicit Merger(SchemaVersion version) : version_(version) {}

  // mergeMap.
  json mergeMap(json original, json patch, Schema schema, const Path& path) {
    if (path.depth > kMaxDepth) {
      raise(path, "patch nested too deeply");
    }
    if (auto d = patch.find(kDirective); d != patch.end()) {
      if (d->is_string() && d->get_ref<const std::string&>() == "replace") {
        patch.erase(d);
        return patch;
      }
      if (d->is_string() && d->get_ref<const std::string&>() == "delete") {
        return json::object();
      }
      raise(path, "unknown patch type: " + brief(*d) + " in map: " + brief(patch));
    }
    if (!original.is_object()) {
      original = json::object();
    }
    applyRetainKeys(original, patch, path);
    mergeSetElementOrder(original, patch, schema, path);

    for (auto entry = patch.begin(); entry != patch.end(); ++entry) {
      const std::string& patchKey = entry.key();
      json& patchValue = entry.value();
      std::string key = patchKey;
      bool deleteList = false;
      if (key.rfind(kDeleteFromPrimitiveList, 0) == 0) {
        key = extractKey(key, kDeleteFromPrimitiveList, path,
                         "invalid patch format of primitive list");
        deleteList = true;
      }
      const Path here = path.child(patchKey);
      if (patchValue.is_null()) {
        original.erase(key);
        continue;
      }
      auto it = original.find(key);
      if (it == original.end() || goType(*it) != goType(patchValue)) {
        if (!deleteList) {
          takePatchValue(original, key, std::move(patchValue));
        }
        continue;
      }
      if (it->is_object()) {
        auto [sub, meta] = lookupStruct(schema, key, version_, here);
        if (meta.strategy == "replace") {
          *it = std::move(patchValue);
        } else {
          *it = mergeMap(std::move(*it), std::move(patchValue), sub, here);
        }
      } else if (it->is_array()) {
        auto [sub, meta] = lookupSlice(schema, key, version_, here);
        if (meta.strategy == "merge" || deleteList) {
          *it = mergeSlice(std::move(*it), std::move(patchValue), sub, meta.mergeKey, deleteList,
                           here);
        } else {
          *it = std::move(patchValue);
        }
      } else {
        takePatchValue(original, key, std::move(patchValue));
      }
    }
    return original;
  }

 private:
  static std::string extractKey(const std::string& key, std::string_view prefix, const Path& path,
                                const std::string& error) {
    const size_t slash = key.find('/');
    if (slash == std::string::npos || std::string_view(key).substr(0, slash) != prefix) {
      raise(path, error);
    }
    return key.substr(slash + 1);
  }

  // applyRetainKeysDirective.
  static void applyRetainKeys(json& original, json& patch, const Path& path) {
    auto it = patch.find(kRetainKeys);
    if (it == patch.end()) {
      return;
    }
    json keys = std::move(*it);
    patch.erase(it);
    if (!keys.is_array()) {
      raise(path, "invalid patch format of retainKeys");
    }
    const auto listed = [&](const std::string& k) {
      for (const auto& key : keys) {
        if (key.is_string() && key.get_ref<const std::string&>() == k) {
          return true;
        }
      }
      return false;
    };
    for (auto entry = patch.begin(); entry != patch.end(); ++entry) {
      const std::string& k = entry.key();
      if (entry->is_null() || k.rfind(kDeleteFromPrimitiveList, 0) == 0 ||
          k.rfind(kSetElementOrder, 0) == 0) {
        continue;
      }
      if (!listed(k)) {
        raise(path, "invalid patch format of retainKeys");
      }
    }
    for (auto o = original.begin(); o != original.end();) {
      o = listed(o.key()) ? std::next(o) : original.erase(o);
    }
  }

  // mergePatchIntoOriginal: each `$setElementOrder/<list>` with its list, merged and ordered
  // by the directive; both leave the patch.
  void mergeSetElementOrder(json& original, json& patch, Schema schema, const Path& path) {
    std::vector<std::string> directives;
    for (auto entry = patch.begin(); entry != patch.end(); ++entry) {
      if (entry.key().rfind(kSetElementOrder, 0) == 0) {
        directives.push_back(entry.key());
      }
    }
    for (const auto& directive : directives) {
      json order = std::move(patch[directive]);
      patch.erase(directive);
      const Path here = path.child(directive);
      if (!order.is_array()) {
        raise(here, "expected a list, but received a " + std::string(order.type_name()));
      }
      const std::string key = extractKey(directive, kSetElementOrder, here,
                                         "invalid patch format of setElementOrder list");
      auto o = original.find(key);
      auto p = patch.find(key);
      const bool foundOriginal = o != original.end();
      const bool foundPatch = p != patch.end();
      if (foundOriginal && !o->is_array()) {
        raise(here, "expected a list, but received a " + std::string(o->type_name()));
      }
      if (foundPatch && !p->is_array()) {
        raise(here, "expected a list, but received a " + std::string(p->type_name()));
      }
      auto [sub, meta] = lookupSlice(schema, key, version_, here);
      if (foundPatch) {
        validateOrder(*p, order, meta.mergeKey, here);
      }
      if (!foundOriginal && !foundPatch) {
        continue;
      }
      const std::vector<json> originalItems = foundOriginal ? toVector(*o) : std::vector<json>{};
      json merged;
      if (foundOriginal && !foundPatch) {
        merged = *o;
      } else if (!foundOriginal) {
        merged = *p;
        removeDirectives(merged);
      } else if (meta.strategy == "merge") {
        merged = mergeSlice(*o, *p, sub, meta.mergeKey, false, here);
      } else {
        merged = *p;
      }
      const GoType elem =
          sliceElementType({foundOriginal ? &*o : nullptr, foundPatch ? &*p : nullptr}, here);
      const std::vector<json> orderItems = toVector(order);
      auto [inPatch, serverOnly] =
          partition(toVector(std::move(merged)), orderItems, meta.mergeKey, here);
      original[key] =
          toJson(normalizeElementOrder(std::move(inPatch), std::move(serverOnly), orderItems,
                                       originalItems, meta.mergeKey, elem == GoType::Map, here));
      patch.erase(key);
    }
  }

  // validatePatchWithSetOrderList: the patch list's items appear in the directive, in its order.
  static void validateOrder(const json& patchList, const json& order, std::string_view mergeKey,
                            const Path& path) {
    if (order.empty() || patchList.empty()) {
      return;
    }
    std::vector<const json*> items;
    for (const auto& item : patchList) {
      if (!mergeKey.empty() && isDeleteItem(requireMap(item, path))) {
        continue;
      }
      items.push_back(&item);
    }
    size_t pi = 0;
    size_t oi = 0;
    while (pi < items.size() && oi < order.size()) {
      const json& item = *items[pi];
      if (item.is_object() && item.contains(kDirective)) {
        ++pi;
        continue;
      }
      bool equal = false;
      if (mergeKey.empty()) {
        equal = goEqual(item, order[oi], path);
      } else {
        const json* a = mergeKeyValue(requireMap(item, path), mergeKey);
        const json* b = mergeKeyValue(requireMap(order[oi], path), mergeKey);
        if (a == nullptr) {
          raiseNoMergeKey(item, mergeKey, path);
        }
        if (b == nullptr) {
          raiseNoMergeKey(order[oi], mergeKey, path);
        }
        equal = goEqual(*a, *b, path);
      }
      if (equal) {
        ++pi;
      }
      ++oi;
    }
    if (pi < items.size()) {
      raise(path, "the order in patch list " + brief(patchList) +
                      " doesn't match $setElementOrder list " + brief(order));
    }
  }

  // mergeSlice.
  json mergeSlice(json original, json patch, Schema schema, std::string_view mergeKey,
                  bool deleteList, const Path& path) {
    if (original.empty() && patch.empty()) {
      return original;
    }
    const GoType elem = sliceElementType({&original, &patch}, path);
    std::vector<json> originalItems = toVector(std::move(original));
    std::vector<json> patchItems = toVector(std::move(patch));
    std::vector<json> merged;
    if (elem != GoType::Map) {
      if (deleteList) {
        for (auto& item : originalItems) {
          bool drop = false;
          for (const auto& d : patchItems) {
            drop = drop || goEqual(item, d, path);
          }
          if (!drop) {
            merged.push_back(std::move(item));
          }
        }
        return toJson(std::move(merged));
      }
      merged = originalItems;
      merged.insert(merged.end(), patchItems.begin(), patchItems.end());
      deduplicateScalars(merged, path);
    } else {
      if (mergeKey.empty()) {
        raise(path, "cannot merge lists without merge key for struct");
      }
      mergeSpecialElements(originalItems, patchItems, mergeKey, path);
      merged = originalItems;
      // First position of each merge-key value; items appended by earlier patch items are
      // candidates too.
      std::unordered_map<std::string, size_t> positions;
      for (size_t i = 0; i < merged.size(); ++i) {
        if (const json* v = mergeKeyValue(requireMap(merged[i], path), mergeKey)) {
          positions.emplace(goKey(*v, path), i);
        }
      }
      for (auto& item : patchItems) {
        const json* value = mergeKeyValue(item, mergeKey);
        if (value == nullptr) {
          raiseNoMergeKey(item, mergeKey, path);
        }
        const std::string valueKey = goKey(*value, path);
        auto at = positions.find(valueKey);
        const size_t found = at == positions.end() ? merged.size() : at->second;
        const std::string label = "[" + brief(*value) + "]";
        const Path here = path.child(label);
        if (found < merged.size()) {
          merged[found] = mergeMap(std::move(merged[found]), item, schema, here);
        } else {
          positions.emplace(valueKey, merged.size());
          merged.push_back(item);
        }
      }
    }
    auto [inPatch, serverOnly] = partition(merged, patchItems, mergeKey, path);
    return toJson(normalizeElementOrder(std::move(inPatch), std::move(serverOnly), patchItems,
                                        originalItems, mergeKey, elem == GoType::Map, path));
  }

  // deduplicateScalars, with its swap-with-last removal (the order it leaves matters to the
  // sort that follows).
  static void deduplicateScalars(std::vector<json>& s, const Path& path) {
    if (s.empty()) {
      return;
    }
    size_t length = s.size() - 1;
    for (size_t i = 0; i < length; ++i) {
      for (size_t j = i + 1; j <= length; ++j) {
        if (goEqual(s[i], s[j], path)) {
          s[j] = s[length];
          s.resize(length);
          --length;
          --j;
        }
      }
    }
  }

  // mergeSliceWithSpecialElements: `$patch: delete` items remove their matches from the
  // original, `$patch: replace` makes the patch items the whole list.
  static void mergeSpecialElements(std::vector<json>& original, std::vector<json>& patch,
                                   std::string_view mergeKey, const Path& path) {
    std::vector<json> plain;
    bool replace = false;
    for (auto& item : patch) {
      auto d = item.find(kDirective);
      if (d == item.end()) {
        plain.push_back(std::move(item));
        continue;
      }
      const std::string directive = d->is_string() ? d->get<std::string>() : brief(*d);
      if (directive == "delete") {
        const json* value = mergeKeyValue(item, mergeKey);
        if (value == nullptr) {
          raiseNoMergeKey(item, mergeKey, path);
        }
        std::vector<json> kept;
        for (auto& o : original) {
          const json* v = mergeKeyValue(requireMap(o, path), mergeKey);
          if (v == nullptr || !goEqual(*v, *value, path)) {
            kept.push_back(std::move(o));
          }
        }
        original = std::move(kept);
      } else if (directive == "replace") {
        replace = true;
      } else if (directive == "merge") {
        raise(path, "merging lists cannot yet be specified in the patch");
      } else {
        raise(path, "unknown patch type: " + directive + " in map: " + brief(item));
      }
    }
    if (replace) {
      original = std::move(plain);
      patch.clear();
    } else {
      patch = std::move(plain);
    }
  }

  SchemaVersion version_;
};

}  // namespace

Expected<nlohmann::json> strategicMergePatch(nlohmann::json original, nlohmann::json patch,
                                             std::string_view goType, SchemaVersion version) {
  if (findStruct(goType, version) == nullptr) {
    return fail("strategic merge: unknown Go type '" + std::string(goType) + "'");
  }
  if (!original.is_object()) {
    return fail("strategic merge: the original document is not a JSON object");
  }
  if (patch.is_null()) {
    return original;
  }
  if (!patch.is_object()) {
    return fail("strategic merge: the patch is not a JSON object");
  }
  try {
    Merger merger(version);
    const Path root;
    return merger.mergeMap(std::move(original), std::move(patch),
                           Schema{goType.substr(goType.rfind('.') + 1)}, root);
  } catch (const MergeError& e) {
    return fail("strategic merge: " + e.message);
  }
}

}  // namespace sidecar::kube
