#include "template/compare_go122.h"

#include <string>

namespace sidecar::tmpl::builtins {
namespace {

enum class Kind { Invalid, Bool, Int, Float, String };

Kind basicKind(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Bool:
      return Kind::Bool;
    case Value::Kind::Int:
      return Kind::Int;
    case Value::Kind::Float:
      return Kind::Float;
    case Value::Kind::String:
      return Kind::String;
    default:
      return Kind::Invalid;
  }
}

// reflect.Value.IsValid after indirectInterface: a nil interface (YAML null in .Values, the
// nil constant) is as invalid as a missing key.
bool goValid(const Value& v) {
  return v.isValid() && !v.isNil();
}

bool basicEqual(Kind k, const Value& a, const Value& b) {
  switch (k) {
    case Kind::Bool:
      return a.asBool() == b.asBool();
    case Kind::Int:
      return a.asInt() == b.asInt();
    case Kind::Float:
      return a.asFloat() == b.asFloat();
    case Kind::String:
      return a.asString() == b.asString();
    case Kind::Invalid:
      break;
  }
  return false;
}

// The non-basic branch of eq: nil against anything, otherwise Go's == on same-kind values.
Expected<bool> otherEqual(const Value& a, const Value& b) {
  if (!goValid(a) || !goValid(b)) {
    return !goValid(a) && !goValid(b);
  }
  if (a.kind() != b.kind()) {
    return fail("non-comparable types " + a.print() + ": " + a.typeName() + ", " + b.typeName() +
                ": " + b.print());
  }
  switch (a.kind()) {
    case Value::Kind::Object:
      return a.objectPtr() == b.objectPtr();
    default:
      return fail("non-comparable type " + b.print() + ": " + b.typeName());
  }
}

}  // namespace

Expected<bool> equalGo122(const Value& a, std::span<const Value> others) {
  if (others.empty()) {
    return fail("missing argument for comparison");
  }
  const Kind k1 = basicKind(a);
  for (const Value& b : others) {
    const Kind k2 = basicKind(b);
    bool truth = false;
    if (k1 != k2) {
      if (goValid(a) && goValid(b)) {
        return fail("incompatible types for comparison: " + a.typeName() + " and " + b.typeName());
      }
    } else if (k1 != Kind::Invalid) {
      truth = basicEqual(k1, a, b);
    } else {
      auto r = otherEqual(a, b);
      if (!r) {
        return r;
      }
      truth = *r;
    }
    if (truth) {
      return true;
    }
  }
  return false;
}

Expected<bool> lessGo122(const Value& a, const Value& b) {
  const Kind k1 = basicKind(a);
  const Kind k2 = basicKind(b);
  if (k1 == Kind::Invalid || k2 == Kind::Invalid) {
    return fail("invalid type for comparison");
  }
  if (k1 != k2) {
    return fail("incompatible types for comparison: " + a.typeName() + " and " + b.typeName());
  }
  switch (k1) {
    case Kind::Int:
      return a.asInt() < b.asInt();
    case Kind::Float:
      return a.asFloat() < b.asFloat();
    case Kind::String:
      return a.asString() < b.asString();
    default:
      return fail("invalid type for comparison");
  }
}

}  // namespace sidecar::tmpl::builtins
