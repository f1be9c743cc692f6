#include "template/value.h"

#include "template/format.h"

namespace sidecar::tmpl {

bool Value::truth() const {
  switch (kind_) {
    case Kind::Invalid:
    case Kind::Nil:
      return false;
    case Kind::Bool:
    case Kind::Int:
      return int_ != 0;
    case Kind::Float:
      return float_ != 0;
    case Kind::String:
      return !str_.empty();
    case Kind::List:
      return list_ && !list_->empty();
    case Kind::Map:
      return map_ && map_->size() != 0;
    case Kind::Object:
      return object_ && object_->truth();
    case Kind::Func:
      return func_ != nullptr;
  }
  return false;
}

std::string Value::print() const {
  std::string out;
  fmt::appendValue(out, *this);
  return out;
}

std::string Value::typeName() const {
  switch (kind_) {
    case Kind::Invalid:
    case Kind::Nil:
      return "<nil>";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float64";
    case Kind::String:
      return "string";
    case Kind::List:
      return "[]interface {}";
    case Kind::Map:
      return map_ ? map_->typeName() : "map[string]interface {}";
    case Kind::Object:
      return object_ ? object_->typeName() : "<nil>";
    case Kind::Func:
      return "func(...interface {}) (interface {}, error)";
  }
  return "<nil>";
}

}  // namespace sidecar::tmpl
