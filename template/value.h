#pragma once

// The data model the template engine executes over: Go's reflect.Value, reduced to the kinds
// Istio-style templates observe. Values are cheap to copy (containers and objects are shared
// and immutable), so a parsed template can run on many threads over the same data.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.h"

namespace sidecar::tmpl {

class Value;
class Object;
class MapValue;
struct CallContext;

using List = std::vector<Value>;
using ListPtr = std::shared_ptr<const List>;
using MapPtr = std::shared_ptr<const MapValue>;
using ObjectPtr = std::shared_ptr<const Object>;

// A template function. Arguments arrive already evaluated; an argument that evaluated to Go's
// "no value" arrives as Kind::Invalid and the function decides (Go turns it into nil for
// interface{} parameters and fails for typed ones).
using Function = std::function<Expected<Value>(std::span<const Value> args, const CallContext& ctx)>;
using FunctionPtr = std::shared_ptr<const Function>;

class Value {
 public:
  enum class Kind {
    Invalid,  // Go's "no value": a missing map key reached by a field chain; prints <no value>
    Nil,      // an untyped nil (the `nil` constant, YAML null in free-form data); prints <nil>
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
    Object,   // a host-defined struct-like value with fields/methods (see Object)
    Func,     // a function value, usable with the `call` builtin
  };

  Value() = default;  // Invalid
  static Value nil() {
    Value v;
    v.kind_ = Kind::Nil;
    return v;
  }
  Value(bool b) : kind_(Kind::Bool), int_(b ? 1 : 0) {}
  Value(int i) : kind_(Kind::Int), int_(i) {}
  Value(int64_t i) : kind_(Kind::Int), int_(i) {}
  Value(double d) : kind_(Kind::Float), float_(d) {}
  Value(std::string s) : kind_(Kind::String), str_(std::move(s)) {}
  Value(std::string_view s) : kind_(Kind::String), str_(s) {}
  Value(const char* s) : kind_(Kind::String), str_(s) {}
  // A null container, object or function pointer is Go's untyped nil.
  Value(ListPtr l) : kind_(l ? Kind::List : Kind::Nil), list_(std::move(l)) {}
  Value(MapPtr m) : kind_(m ? Kind::Map : Kind::Nil), map_(std::move(m)) {}
  Value(ObjectPtr o) : kind_(o ? Kind::Object : Kind::Nil), object_(std::move(o)) {}
  Value(FunctionPtr f) : kind_(f ? Kind::Func : Kind::Nil), func_(std::move(f)) {}

  Kind kind() const { return kind_; }
  bool isValid() const { return kind_ != Kind::Invalid; }
  bool isNil() const { return kind_ == Kind::Nil; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isInt() const { return kind_ == Kind::Int; }
  bool isFloat() const { return kind_ == Kind::Float; }
  bool isString() const { return kind_ == Kind::String; }
  bool isList() const { return kind_ == Kind::List; }
  bool isMap() const { return kind_ == Kind::Map; }
  bool isObject() const { return kind_ == Kind::Object; }
  bool isFunc() const { return kind_ == Kind::Func; }

  bool asBool() const { return int_ != 0; }
  int64_t asInt() const { return int_; }
  double asFloat() const { return float_; }
  const std::string& asString() const { return str_; }
  const List& asList() const { return *list_; }
  const MapValue& asMap() const { return *map_; }
  const Object& asObject() const { return *object_; }
  const ObjectPtr& objectPtr() const { return object_; }
  const Function& asFunc() const { return *func_; }

  // Go's truth: false for Invalid, Nil, false, 0, 0.0, "", empty list/map, and objects whose
  // truth() is false (nil pointers, zero enums).
  bool truth() const;

  // fmt.Sprint of the value: what {{ . }} prints (maps as map[k:v] with sorted keys, lists
  // as [a b], floats in Go's %v form, Invalid as <no value>, Nil as <nil>).
  std::string print() const;

  // The Go type name used in error messages ("string", "float64", "map[string]interface {}").
  std::string typeName() const;

 private:
  Kind kind_ = Kind::Invalid;
  int64_t int_ = 0;
  double float_ = 0;
  std::string str_;
  ListPtr list_;
  MapPtr map_;
  ObjectPtr object_;
  FunctionPtr func_;
};

// A Go map with string keys. Keys iterate in sorted order, as Go's template range and fmt do.
// `missing` is what `index` yields for an absent key: the zero value of the element type
// ("" for map[string]string, Nil for map[string]interface{}). A field chain (.m.key) on an
// absent key yields Invalid regardless, as in Go.
class MapValue {
 public:
  using Entries = std::map<std::string, Value, std::less<>>;

  MapValue() = default;
  MapValue(Entries entries, Value missing, std::string typeName = "map[string]interface {}")
      : entries_(std::move(entries)), missing_(std::move(missing)), typeName_(std::move(typeName)) {}

  const Entries& entries() const { return entries_; }
  const Value* find(std::string_view key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  const Value& missing() const { return missing_; }
  const std::string& typeName() const { return typeName_; }
  size_t size() const { return entries_.size(); }

 private:
  Entries entries_;
  Value missing_ = Value::nil();
  std::string typeName_ = "map[string]interface {}";
};

// A host-defined struct-like value: Kubernetes objects, mesh config protos, enums, durations.
// Fields and zero-argument methods are both reached through field(), because templates
// write them the same way (.Spec.Containers, .ProxyConfig.GetTracing.GetZipkin.GetAddress,
// .ProxyConfig.InterceptionMode.String). Implementations must be immutable.
class Object {
 public:
  virtual ~Object() = default;

  // The Go type name for error messages and printf %T, e.g. "*v1.ObjectMeta".
  virtual std::string typeName() const = 0;

  // The named field or method result. Unknown names return an error whose message says so
  // (the engine adds the template position). A nil-pointer object may still answer methods
  // (protobuf getters do) while failing for plain fields, as Go does.
  virtual Expected<Value> field(std::string_view name) const = 0;

  // Go truth of the value: false for nil pointers and zero-valued enums.
  virtual bool truth() const { return true; }

  // fmt.Sprint of the value (enums print their names).
  virtual std::string print() const = 0;
};

// What a function may use besides its arguments. `render`-style functions that evaluate a
// string as a template with the same data and functions need root and funcs.
class FuncMap;
struct CallContext {
  const Value& root;     // the data the template was executed with ($)
  const FuncMap& funcs;  // the function set the executing template was parsed with
};

// Helpers to build data.
inline Value makeList(List items) { return Value(std::make_shared<const List>(std::move(items))); }
inline Value makeMap(MapValue::Entries entries, Value missing = Value::nil(),
                     std::string typeName = "map[string]interface {}") {
  return Value(std::make_shared<const MapValue>(std::move(entries), std::move(missing),
                                                std::move(typeName)));
}
// A map[string]string: absent keys index to "".
inline Value makeStringMap(MapValue::Entries entries) {
  return makeMap(std::move(entries), Value(std::string()), "map[string]string");
}

}  // namespace sidecar::tmpl
