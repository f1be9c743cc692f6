#include "template/func_args.h"

namespace sidecar::tmpl::args {
namespace {

Unexpected<Error> mismatch(const Value& v, std::string_view expected) {
  if (!v.isValid() || v.isNil()) {
    return fail("invalid value; expected " + std::string(expected));
  }
  return fail("wrong type for value; expected " + std::string(expected) + "; got " + v.typeName());
}

}  // namespace

Expected<std::string> string(std::span<const Value> args, size_t i) {
  if (args[i].isString()) {
    return args[i].asString();
  }
  return mismatch(args[i], "string");
}

Expected<int64_t> integer(std::span<const Value> args, size_t i) {
  if (args[i].isInt()) {
    return args[i].asInt();
  }
  return mismatch(args[i], "int");
}

Expected<bool> boolean(std::span<const Value> args, size_t i) {
  if (args[i].isBool()) {
    return args[i].asBool();
  }
  return mismatch(args[i], "bool");
}

Expected<const MapValue::Entries*> map(std::span<const Value> args, size_t i,
                                       std::string_view goType, bool anyMap) {
  static const MapValue::Entries kEmpty;
  const Value& v = args[i];
  if (!v.isValid() || v.isNil()) {
    return &kEmpty;
  }
  if (v.isMap() && (anyMap || v.asMap().typeName() == goType)) {
    return &v.asMap().entries();
  }
  return fail("wrong type for value; expected " + std::string(goType) + "; got " + v.typeName());
}

}  // namespace sidecar::tmpl::args
