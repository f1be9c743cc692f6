#pragma once

// Host objects for tests, shaped like the Go values Istio's templates see: a struct with
// fields and zero-argument methods, a nil pointer to such a struct, and an int enum with
// a String method (zero value false, as Go's truth rules make it).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "template/value.h"

namespace sidecar::tmpl::testing {

class StructObject final : public Object {
 public:
  using Method = std::function<Value()>;

  StructObject(std::string typeName, std::map<std::string, Value, std::less<>> fields,
               std::map<std::string, Method, std::less<>> methods = {})
      : typeName_(std::move(typeName)), fields_(std::move(fields)), methods_(std::move(methods)) {}

  std::string typeName() const override { return typeName_; }

  Expected<Value> field(std::string_view name) const override {
    if (auto it = methods_.find(name); it != methods_.end()) {
      return it->second();
    }
    if (auto it = fields_.find(name); it != fields_.end()) {
      return it->second;
    }
    return fail("can't evaluate field " + std::string(name) + " in type " + typeName_);
  }

  // Go prints structs as {v1 v2 ...} in field order; ours are in name order.
  std::string print() const override {
    std::string s = "{";
    bool first = true;
    for (const auto& [name, v] : fields_) {
      if (!first) {
        s += " ";
      }
      first = false;
      s += v.print();
    }
    return s + "}";
  }

 private:
  std::string typeName_;
  std::map<std::string, Value, std::less<>> fields_;
  std::map<std::string, Method, std::less<>> methods_;
};

// A nil *T: fields fail, methods listed in `getters` answer zero values (protobuf style).
class NilPointer final : public Object {
 public:
  NilPointer(std::string typeName, std::map<std::string, Value, std::less<>> getters = {})
      : typeName_(std::move(typeName)), getters_(std::move(getters)) {}
  std::string typeName() const override { return typeName_; }
  Expected<Value> field(std::string_view name) const override {
    if (auto it = getters_.find(name); it != getters_.end()) {
      return it->second;
    }
    return fail("nil pointer evaluating " + typeName_ + "." + std::string(name));
  }
  bool truth() const override { return false; }
  std::string print() const override { return "<nil>"; }

 private:
  std::string typeName_;
  std::map<std::string, Value, std::less<>> getters_;
};

class EnumObject final : public Object {
 public:
  EnumObject(std::string typeName, int value, std::vector<std::string> names)
      : typeName_(std::move(typeName)), value_(value), names_(std::move(names)) {}
  std::string typeName() const override { return typeName_; }
  Expected<Value> field(std::string_view name) const override {
    if (name == "String") {
      return Value(print());
    }
    return fail("can't evaluate field " + std::string(name) + " in type " + typeName_);
  }
  bool truth() const override { return value_ != 0; }
  std::string print() const override {
    if (value_ >= 0 && static_cast<size_t>(value_) < names_.size()) {
      return names_[static_cast<size_t>(value_)];
    }
    return std::to_string(value_);
  }

 private:
  std::string typeName_;
  int value_;
  std::vector<std::string> names_;
};

inline Value makeStruct(std::string typeName, std::map<std::string, Value, std::less<>> fields,
                        std::map<std::string, StructObject::Method, std::less<>> methods = {}) {
  return Value(std::make_shared<const StructObject>(std::move(typeName), std::move(fields),
                                                    std::move(methods)));
}

}  // namespace sidecar::tmpl::testing
