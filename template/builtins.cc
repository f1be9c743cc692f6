#include "template/builtins.h"

#include <string>

#include "template/compare_go122.h"
#include "common/utf8.h"
#include "template/format.h"

namespace sidecar::tmpl::builtins {
namespace {

using ast::Builtin;

enum class BasicKind { Bool, Int, Float, String };

Expected<BasicKind> basicKind(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Bool:
      return BasicKind::Bool;
    case Value::Kind::Int:
      return BasicKind::Int;
    case Value::Kind::Float:
      return BasicKind::Float;
    case Value::Kind::String:
      return BasicKind::String;
    default:
      return fail("invalid type for comparison");
  }
}

// Go 1.13's eq: basic kinds only, both sides of the same kind.
Expected<bool> equal(const Value& a, std::span<const Value> others) {
  auto k1 = basicKind(a);
  if (!k1) {
    return Unexpected<Error>(k1.error());
  }
  if (others.empty()) {
    return fail("missing argument for comparison");
  }
  for (const Value& b : others) {
    auto k2 = basicKind(b);
    if (!k2) {
      return Unexpected<Error>(k2.error());
    }
    if (*k1 != *k2) {
      return fail("incompatible types for comparison");
    }
    bool truth = false;
    switch (*k1) {
      case BasicKind::Bool:
        truth = a.asBool() == b.asBool();
        break;
      case BasicKind::Int:
        truth = a.asInt() == b.asInt();
        break;
      case BasicKind::Float:
        truth = a.asFloat() == b.asFloat();
        break;
      case BasicKind::String:
        truth = a.asString() == b.asString();
        break;
    }
    if (truth) {
      return true;
    }
  }
  return false;
}

Expected<bool> less(const Value& a, const Value& b) {
  auto k1 = basicKind(a);
  if (!k1) {
    return Unexpected<Error>(k1.error());
  }
  auto k2 = basicKind(b);
  if (!k2) {
    return Unexpected<Error>(k2.error());
  }
  if (*k1 != *k2) {
    return fail("incompatible types for comparison");
  }
  switch (*k1) {
    case BasicKind::Bool:
      return fail("invalid type for comparison");
    case BasicKind::Int:
      return a.asInt() < b.asInt();
    case BasicKind::Float:
      return a.asFloat() < b.asFloat();
    case BasicKind::String:
      return a.asString() < b.asString();
  }
  return false;
}

Expected<int64_t> indexArg(const Value& index, size_t cap) {
  if (!index.isValid() || index.isNil()) {
    return fail("cannot index slice/array with nil");
  }
  if (!index.isInt()) {
    return fail("cannot index slice/array with type " + index.typeName());
  }
  int64_t x = index.asInt();
  if (x < 0 || static_cast<uint64_t>(x) > cap) {
    return fail("index out of range: " + std::to_string(x));
  }
  return x;
}

Expected<Value> index(std::span<const Value> args) {
  const Value* item = &args[0];
  if (!item->isValid() || item->isNil()) {
    return fail("index of untyped nil");
  }
  Value holder;
  for (const Value& idx : args.subspan(1)) {
    switch (item->kind()) {
      case Value::Kind::Nil:
      case Value::Kind::Invalid:
        return fail("index of nil pointer");
      case Value::Kind::List: {
        const List& list = item->asList();
        auto x = indexArg(idx, list.size());
        if (!x) {
          return Unexpected<Error>(x.error());
        }
        if (static_cast<size_t>(*x) >= list.size()) {
          return fail("index out of range: " + std::to_string(*x));
        }
        item = &list[static_cast<size_t>(*x)];
        break;
      }
      case Value::Kind::String: {
        const std::string& s = item->asString();
        auto x = indexArg(idx, s.size());
        if (!x) {
          return Unexpected<Error>(x.error());
        }
        if (static_cast<size_t>(*x) >= s.size()) {
          return fail("index out of range: " + std::to_string(*x));
        }
        Value byte(static_cast<int64_t>(static_cast<unsigned char>(s[static_cast<size_t>(*x)])));
        holder = std::move(byte);
        item = &holder;
        break;
      }
      case Value::Kind::Map: {
        const MapValue& m = item->asMap();
        if (!idx.isValid() || idx.isNil()) {
          return fail("value is nil; should be of type string");
        }
        if (!idx.isString()) {
          return fail("value has type " + idx.typeName() + "; should be string");
        }
        const Value* found = m.find(idx.asString());
        item = found ? found : &m.missing();
        break;
      }
      default:
        return fail("can't index item of type " + item->typeName());
    }
  }
  return *item;
}

Expected<Value> slice(std::span<const Value> args) {
  const Value& item = args[0];
  if (!item.isValid() || item.isNil()) {
    return fail("slice of untyped nil");
  }
  auto indexes = args.subspan(1);
  if (indexes.size() > 3) {
    return fail("too many slice indexes: " + std::to_string(indexes.size()));
  }
  size_t len = 0;
  if (item.isString()) {
    if (indexes.size() == 3) {
      return fail("cannot 3-index slice a string");
    }
    len = item.asString().size();
  } else if (item.isList()) {
    len = item.asList().size();
  } else {
    return fail("can't slice item of type " + item.typeName());
  }
  size_t idx[3] = {0, len, len};
  for (size_t i = 0; i < indexes.size(); ++i) {
    auto x = indexArg(indexes[i], len);
    if (!x) {
      return Unexpected<Error>(x.error());
    }
    idx[i] = static_cast<size_t>(*x);
  }
  if (idx[0] > idx[1]) {
    return fail("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
  }
  if (indexes.size() == 3 && idx[1] > idx[2]) {
    return fail("invalid slice index: " + std::to_string(idx[1]) + " > " + std::to_string(idx[2]));
  }
  if (item.isString()) {
    return Value(item.asString().substr(idx[0], idx[1] - idx[0]));
  }
  const List& list = item.asList();
  return makeList(List(list.begin() + static_cast<std::ptrdiff_t>(idx[0]),
                       list.begin() + static_cast<std::ptrdiff_t>(idx[1])));
}

// Go's evalArgs for html/js/urlquery: a lone string as is, else Sprint with "no value"
// standing in for nil arguments.
std::string evalArgs(std::span<const Value> args) {
  if (args.size() == 1 && args[0].isString()) {
    return args[0].asString();
  }
  List copy(args.begin(), args.end());
  for (Value& v : copy) {
    if (!v.isValid() || v.isNil()) {
      v = Value("<no value>");
    }
  }
  std::string out;
  fmt::appendSprint(out, copy);
  return out;
}

std::string htmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string jsEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t size = 1;
      char32_t r = decodeRune(s, i, size);
      bool printable = !(r == 0xfffd && size == 1) && fmt::isPrint(r);
      if (printable) {
        out.append(s.substr(i, size));
      } else {
        char buf[16];
        std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned>(r));
        out += buf;
      }
      i += size;
      continue;
    }
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (c < ' ') {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  return out;
}

std::string queryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

// Arguments of print-like builtins: "no value" becomes nil, as for Go's interface{}.
List printable(std::span<const Value> args) {
  List copy(args.begin(), args.end());
  for (Value& v : copy) {
    if (!v.isValid()) {
      v = Value::nil();
    }
  }
  return copy;
}

}  // namespace

Arity arity(Builtin id) {
  switch (id) {
    case Builtin::Not:
    case Builtin::Len:
      return {1, 1};
    case Builtin::Ne:
    case Builtin::Lt:
    case Builtin::Le:
    case Builtin::Gt:
    case Builtin::Ge:
      return {2, 2};
    case Builtin::And:
    case Builtin::Or:
    case Builtin::Index:
    case Builtin::Slice:
    case Builtin::Printf:
    case Builtin::Eq:
    case Builtin::Call:
      return {1, -1};
    default:
      return {0, -1};
  }
}

Expected<Value> call(Builtin id, std::span<const Value> args, const CallContext& ctx,
                     GoVersion version) {
  const bool go122 = version == GoVersion::Go122;
  const auto equal = [go122](const Value& a, std::span<const Value> others) {
    return go122 ? equalGo122(a, others) : builtins::equal(a, others);
  };
  const auto less = [go122](const Value& a, const Value& b) {
    return go122 ? lessGo122(a, b) : builtins::less(a, b);
  };
  switch (id) {
    case Builtin::Not:
      return Value(!args[0].truth());
    case Builtin::Len: {
      const Value& v = args[0];
      switch (v.kind()) {
        case Value::Kind::String:
          return Value(static_cast<int64_t>(v.asString().size()));
        case Value::Kind::List:
          return Value(static_cast<int64_t>(v.asList().size()));
        case Value::Kind::Map:
          return Value(static_cast<int64_t>(v.asMap().size()));
        case Value::Kind::Invalid:
        case Value::Kind::Nil:
          return fail("len of untyped nil");
        default:
          return fail("len of type " + v.typeName());
      }
    }
    case Builtin::Index:
      return index(args);
    case Builtin::Slice:
      return slice(args);
    case Builtin::Print: {
      std::string out;
      fmt::appendSprint(out, printable(args));
      return Value(std::move(out));
    }
    case Builtin::Println: {
      std::string out;
      fmt::appendSprintln(out, printable(args));
      return Value(std::move(out));
    }
    case Builtin::Printf: {
      std::string out;
      List rest = printable(args.subspan(1));
      fmt::appendSprintf(out, args[0].asString(), rest);
      return Value(std::move(out));
    }
    case Builtin::Eq: {
      auto r = equal(args[0], args.subspan(1));
      if (!r) {
        return Unexpected<Error>(r.error());
      }
      return Value(*r);
    }
    case Builtin::Ne: {
      auto r = equal(args[0], args.subspan(1));
      if (!r) {
        return Unexpected<Error>(r.error());
      }
      return Value(!*r);
    }
    case Builtin::Lt:
    case Builtin::Ge: {
      auto r = less(args[0], args[1]);
      if (!r) {
        return Unexpected<Error>(r.error());
      }
      return Value(id == Builtin::Lt ? *r : !*r);
    }
    case Builtin::Le:
    case Builtin::Gt: {
      auto lt = less(args[0], args[1]);
      if (!lt) {
        return Unexpected<Error>(lt.error());
      }
      bool le = *lt;
      if (!le) {
        auto eq = equal(args[0], args.subspan(1, 1));
        if (!eq) {
          return Unexpected<Error>(eq.error());
        }
        le = *eq;
      }
      return Value(id == Builtin::Le ? le : !le);
    }
    case Builtin::Html:
      return Value(htmlEscape(evalArgs(args)));
    case Builtin::Js:
      return Value(jsEscape(evalArgs(args)));
    case Builtin::Urlquery:
      return Value(queryEscape(evalArgs(args)));
    case Builtin::Call: {
      const Value& fn = args[0];
      if (!fn.isValid() || fn.isNil()) {
        return fail("call of nil");
      }
      if (!fn.isFunc()) {
        return fail("non-function of type " + fn.typeName());
      }
      return fn.asFunc()(args.subspan(1), ctx);
    }
    case Builtin::And:
    case Builtin::Or:
    case Builtin::None:
      break;
  }
  return fail("internal error: builtin handled by the executor");
}

}  // namespace sidecar::tmpl::builtins
