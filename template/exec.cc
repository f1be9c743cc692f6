// Execution of parsed templates (text/template/exec.go semantics). All state lives in one
// Executor on the stack of execute(), so a Template can run on many threads at once.

#include <deque>
#include <exception>

#include "common/utf8.h"
#include "template/ast.h"
#include "template/builtins.h"
#include "template/format.h"
#include "template/parser.h"
#include "template/template.h"

namespace sidecar::tmpl {
namespace {

using ast::Arg;
using ast::ArgKind;
using ast::Builtin;
using ast::Command;
using ast::Node;
using ast::NodeKind;
using ast::Pipe;
using ast::Tree;

// Go allows 100000 nested {{template}} calls; each costs several C++ frames here, so the
// limit is lower to stay far from the end of a thread's stack.
constexpr int kMaxTemplateDepth = 1000;

const Value kInvalid;
const Value kNil = Value::nil();

const FuncMap& emptyFuncMap() {
  static const FuncMap empty;
  return empty;
}

struct ExecError {
  std::string message;
};

class Executor {
 public:
  Executor(const Template::Impl& impl, std::string& out, const Value& root,
           const ExecuteOptions& options)
      : impl_(impl),
        out_(out),
        ctx_{root, impl.funcs ? *impl.funcs : emptyFuncMap()},
        maxSteps_(options.maxSteps),
        outputLimit_(options.maxOutputBytes == 0 ? 0 : out.size() + options.maxOutputBytes) {}

  void run(const Tree& tree, const Value& dot) {
    tree_ = &tree;
    base_ = 0;
    vars_.push_back(dot);
    walkList(dot, tree.root);
  }

 private:
  enum class Flow { Normal, Break, Continue };

  [[noreturn]] void fail(uint32_t pos, const std::string& context, const std::string& message) {
    std::string ctx = context;
    if (ctx.size() > 20) {
      size_t cut = 0;
      for (int runes = 0; cut < ctx.size() && runes < 20; ++runes) {
        size_t size = 1;
        decodeRune(ctx, cut, size);
        cut += size;
      }
      if (cut < ctx.size()) {
        ctx = ctx.substr(0, cut) + "...";
      }
    }
    throw ExecError{"template: " + impl_.location(pos) + ": executing \"" + tree_->name +
                    "\" at <" + ctx + ">: " + message};
  }
  [[noreturn]] void fail(const Arg& arg, const std::string& message) {
    fail(arg.pos, ast::toString(arg), message);
  }

  Value& var(const Arg& arg) {
    if (arg.slot == ast::kUndefinedSlot) {
      fail(arg, "undefined variable: " + std::string(arg.text));
    }
    return var(arg.slot);
  }

  Value& var(int slot) {
    size_t i = base_ + static_cast<size_t>(slot);
    if (slot < 0 || i >= vars_.size()) {
      throw ExecError{"template: " + impl_.name + ": internal error: bad variable slot"};
    }
    return vars_[i];
  }
  void popVars(size_t mark) {
    while (vars_.size() > mark) {
      vars_.pop_back();
    }
  }

  Flow walkList(const Value& dot, const std::vector<Node>& list) {
    for (const Node& node : list) {
      Flow f = walk(dot, node);
      if (f != Flow::Normal) {
        return f;
      }
    }
    return Flow::Normal;
  }

  void step(const Node& node) {
    if (maxSteps_ != 0 && ++steps_ > maxSteps_) {
      fail(node.pos, ast::toString(node),
           "execution exceeded " + std::to_string(maxSteps_) + " steps");
    }
  }
  void checkOutput(const Node& node) {
    if (outputLimit_ != 0 && out_.size() > outputLimit_) {
      fail(node.pos, ast::toString(node), "output exceeds the execution's byte limit");
    }
  }

  Flow walk(const Value& dot, const Node& node) {
    step(node);
    switch (node.kind) {
      case NodeKind::Text:
        out_.append(node.text);
        checkOutput(node);
        return Flow::Normal;
      case NodeKind::Action: {
        Value tmp;
        const Value& v = evalPipeline(dot, *node.pipe, tmp, true);
        if (node.pipe->decls.empty()) {
          print(v, node);
          checkOutput(node);
        }
        return Flow::Normal;
      }
      case NodeKind::If:
      case NodeKind::With: {
        size_t mark = vars_.size();
        Value tmp;
        const Value& v = evalPipeline(dot, *node.pipe, tmp, true);
        Flow f = Flow::Normal;
        if (v.truth()) {
          if (node.kind == NodeKind::With) {
            // The body may reassign the variable the value came from; dot keeps its own copy.
            Value newDot = v;
            f = walkList(newDot, node.list);
          } else {
            f = walkList(dot, node.list);
          }
        } else if (node.hasElse) {
          f = walkList(dot, node.elseList);
        }
        popVars(mark);
        return f;
      }
      case NodeKind::Range:
        return walkRange(dot, node);
      case NodeKind::Template:
        walkTemplate(dot, node);
        return Flow::Normal;
      case NodeKind::Break:
        return Flow::Break;
      case NodeKind::Continue:
        return Flow::Continue;
    }
    return Flow::Normal;
  }

  void print(const Value& v, const Node& node) {
    if (v.isFunc()) {
      std::string s = ast::toString(node);
      fail(node.pos, s, "can't print " + s + " of type " + v.typeName());
    }
    fmt::appendValue(out_, v);
  }

  Flow walkRange(const Value& dot, const Node& node) {
    size_t mark = vars_.size();
    Value tmp;
    // Held by value: the body may reassign the variable the collection came from.
    const Value v = evalPipeline(dot, *node.pipe, tmp, false);
    const auto& decls = node.pipe->decls;
    for (const auto& decl : decls) {
      if (decl.slot == ast::kUndefinedSlot) {
        fail(node.pipe->pos, ast::toString(*node.pipe), "undefined variable: " + decl.name);
      }
    }
    if (!node.pipe->isAssign) {
      for (size_t i = 0; i < decls.size(); ++i) {
        vars_.push_back(v);
      }
    }
    size_t iterMark = vars_.size();
    int elemSlot = decls.empty() ? -1 : decls.back().slot;
    int keySlot = decls.size() > 1 ? decls[0].slot : -1;
    auto iterate = [&](const Value& elem, auto&& makeKey) {
      if (elemSlot >= 0) {
        Value copy = elem;
        var(elemSlot) = std::move(copy);
      }
      if (keySlot >= 0) {
        var(keySlot) = makeKey();
      }
      Flow f = walkList(elem, node.list);
      popVars(iterMark);
      return f;
    };
    bool ran = false;
    switch (v.kind()) {
      case Value::Kind::List: {
        const List& list = v.asList();
        ran = !list.empty();
        for (size_t i = 0; i < list.size(); ++i) {
          Flow f = iterate(list[i], [i] { return Value(static_cast<int64_t>(i)); });
          if (f == Flow::Break) {
            break;
          }
        }
        break;
      }
      case Value::Kind::Map: {
        const MapValue& m = v.asMap();
        ran = m.size() != 0;
        for (const auto& entry : m.entries()) {
          Flow f = iterate(entry.second, [&entry] { return Value(entry.first); });
          if (f == Flow::Break) {
            break;
          }
        }
        break;
      }
      case Value::Kind::Invalid:
      case Value::Kind::Nil:
        break;
      case Value::Kind::Int:
        if (impl_.goVersion == GoVersion::Go122) {
          // Go 1.22: {{range 3}} runs with 0, 1, 2; an index variable has nothing to hold.
          if (keySlot >= 0) {
            fail(node.pos, ast::toString(node),
                 "can't use " + v.print() + " to iterate over more than one variable");
          }
          ran = v.asInt() > 0;
          for (int64_t i = 0; i < v.asInt(); ++i) {
            if (iterate(Value(i), [] { return Value(); }) == Flow::Break) {
              break;
            }
          }
          break;
        }
        [[fallthrough]];
      default: {
        std::string s = ast::toString(node);
        fail(node.pos, s, "range can't iterate over " + v.print());
      }
    }
    if (!ran && node.hasElse) {
      walkList(dot, node.elseList);
    }
    popVars(mark);
    return Flow::Normal;
  }

  void walkTemplate(const Value& dot, const Node& node) {
    if (!node.target) {
      fail(node.pos, ast::toString(node), "template \"" + node.ownedName + "\" not defined");
    }
    if (templateDepth_ >= kMaxTemplateDepth) {
      fail(node.pos, ast::toString(node),
           "exceeded maximum template depth (" + std::to_string(kMaxTemplateDepth) + ")");
    }
    Value tmp;
    const Value* newDot = &kInvalid;
    if (node.pipe) {
      newDot = &evalPipeline(dot, *node.pipe, tmp, true);
    }
    const Tree* savedTree = tree_;
    size_t savedBase = base_;
    tree_ = node.target;
    base_ = vars_.size();
    vars_.push_back(*newDot);
    ++templateDepth_;
    walkList(*newDot, tree_->root);
    --templateDepth_;
    popVars(base_);
    tree_ = savedTree;
    base_ = savedBase;
  }

  // Evaluates a pipeline; the result refers to long-lived data or to `tmp`. With `declare`,
  // its variables are declared or assigned (range declares its own).
  const Value& evalPipeline(const Value& dot, const Pipe& pipe, Value& tmp, bool declare) {
    const Value* result = nullptr;
    if (pipe.cmds.size() == 1) {
      result = &evalCommand(dot, pipe.cmds[0], nullptr, tmp);
    } else {
      Value cur;
      for (size_t i = 0; i < pipe.cmds.size(); ++i) {
        Value next;
        const Value& r = evalCommand(dot, pipe.cmds[i], i == 0 ? nullptr : &cur, next);
        Value copy = &r == &next ? std::move(next) : r;
        cur = copy.isNil() ? Value() : std::move(copy);
      }
      tmp = std::move(cur);
      result = &tmp;
    }
    // Go unwraps interface{} results: a nil interface becomes "no value".
    if (result->isNil()) {
      result = &kInvalid;
    }
    if (declare) {
      for (const auto& decl : pipe.decls) {
        if (pipe.isAssign) {
          if (decl.slot == ast::kUndefinedSlot) {
            fail(pipe.pos, ast::toString(pipe), "undefined variable: " + decl.name);
          }
          // Copy first: the value may live inside the variable being overwritten, which
          // also leaves the variable as the only safe place to read the result from.
          Value copy = *result;
          Value& target = var(decl.slot);
          target = std::move(copy);
          result = &target;
        } else {
          vars_.push_back(*result);
        }
      }
    }
    return *result;
  }

  void notAFunction(const Command& cmd, const Value* final) {
    if (cmd.args.size() > 1 || final) {
      const Arg& first = cmd.args[0];
      fail(first, "can't give argument to non-function " + ast::toString(first));
    }
  }

  const Value& evalCommand(const Value& dot, const Command& cmd, const Value* final, Value& tmp) {
    const Arg& first = cmd.args[0];
    bool hasArgs = cmd.args.size() > 1 || final;
    switch (first.kind) {
      case ArgKind::Field:
        return evalFieldChain(dot, first, first.fields, hasArgs, tmp);
      case ArgKind::Chain: {
        if (first.base->kind == ArgKind::Nil) {
          fail(first, "indirection through explicit nil in " + ast::toString(first));
        }
        const Value& base = evalArg(dot, *first.base, tmp);
        return evalFieldChain(base, first, first.fields, hasArgs, tmp);
      }
      case ArgKind::Variable: {
        const Value& v = var(first);
        if (first.fields.empty()) {
          notAFunction(cmd, final);
          return v;
        }
        return evalFieldChain(v, first, first.fields, hasArgs, tmp);
      }
      case ArgKind::Identifier:
        return callFunction(dot, first, std::span<const Arg>(cmd.args).subspan(1), final, &cmd,
                            tmp);
      case ArgKind::Pipe:
        notAFunction(cmd, final);
        return evalPipeline(dot, *first.pipe, tmp, true);
      case ArgKind::Dot:
        notAFunction(cmd, final);
        return dot;
      case ArgKind::Nil:
        fail(first, "nil is not a command");
      case ArgKind::Const:
        notAFunction(cmd, final);
        return first.constant;
    }
    return kInvalid;
  }

  const Value& evalArg(const Value& dot, const Arg& arg, Value& tmp) {
    switch (arg.kind) {
      case ArgKind::Dot:
        return dot;
      case ArgKind::Nil:
        return kNil;
      case ArgKind::Const:
        return arg.constant;
      case ArgKind::Field:
        return evalFieldChain(dot, arg, arg.fields, false, tmp);
      case ArgKind::Variable: {
        const Value& v = var(arg);
        if (arg.fields.empty()) {
          return v;
        }
        return evalFieldChain(v, arg, arg.fields, false, tmp);
      }
      case ArgKind::Chain: {
        if (arg.base->kind == ArgKind::Nil) {
          fail(arg, "indirection through explicit nil in " + ast::toString(arg));
        }
        const Value& base = evalArg(dot, *arg.base, tmp);
        return evalFieldChain(base, arg, arg.fields, false, tmp);
      }
      case ArgKind::Identifier:
        return callFunction(dot, arg, {}, nullptr, nullptr, tmp);
      case ArgKind::Pipe:
        return evalPipeline(dot, *arg.pipe, tmp, true);
    }
    return kInvalid;
  }

  // Walks .A.B.C from `receiver`. The result points into the data, into `tmp`, or into
  // what `tmp` holds; `tmp` must outlive its use.
  const Value& evalFieldChain(const Value& receiver, const Arg& node,
                              const std::vector<std::string>& fields, bool hasArgs, Value& tmp) {
    const Value* cur = &receiver;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& name = fields[i];
      bool last = i + 1 == fields.size();
      switch (cur->kind()) {
        case Value::Kind::Invalid:
          return kInvalid;
        case Value::Kind::Map: {
          if (last && hasArgs) {
            fail(node, name + " is not a method but has arguments");
          }
          const Value* found = cur->asMap().find(name);
          if (!found) {
            return kInvalid;
          }
          cur = found;
          break;
        }
        case Value::Kind::Object: {
          if (last && hasArgs) {
            fail(node, name + " has arguments but cannot be invoked as function");
          }
          auto r = cur->asObject().field(name);
          if (!r) {
            fail(node, r.error().message);
          }
          Value next = std::move(*r);
          tmp = std::move(next);
          cur = &tmp;
          break;
        }
        case Value::Kind::Nil:
          fail(node, "nil pointer evaluating interface {}." + name);
        default:
          fail(node, "can't evaluate field " + name + " in type " + cur->typeName());
      }
    }
    return *cur;
  }

  const Value& callFunction(const Value& dot, const Arg& ident, std::span<const Arg> args,
                            const Value* final, const Command* cmd, Value& tmp) {
    const ast::FuncRef& fn = ident.fn;
    size_t argc = args.size() + (final ? 1 : 0);
    int minArgs = 0;
    int maxArgs = -1;
    if (fn.user) {
      minArgs = fn.user->minArgs;
      maxArgs = fn.user->maxArgs;
    } else {
      auto a = builtins::arity(fn.builtin);
      minArgs = a.min;
      maxArgs = a.max;
    }
    if (maxSteps_ != 0 && ++steps_ > maxSteps_) {
      fail(ident, "execution exceeded " + std::to_string(maxSteps_) + " steps");
    }
    auto n = static_cast<int>(argc);
    if (maxArgs >= 0 && minArgs == maxArgs && n != minArgs) {
      fail(ident, "wrong number of args for " + fn.name + ": want " + std::to_string(minArgs) +
                      " got " + std::to_string(n));
    }
    if (n < minArgs) {
      fail(ident, "wrong number of args for " + fn.name + ": want at least " +
                      std::to_string(minArgs) + " got " + std::to_string(n));
    }
    if (maxArgs >= 0 && n > maxArgs) {
      fail(ident, "wrong number of args for " + fn.name + ": want at most " +
                      std::to_string(maxArgs) + " got " + std::to_string(n));
    }
    if (!fn.user && (fn.builtin == Builtin::And || fn.builtin == Builtin::Or)) {
      // Short-circuit like Go 1.18+: the deciding operand is the result.
      bool isOr = fn.builtin == Builtin::Or;
      for (size_t i = 0; i < args.size(); ++i) {
        Value t;
        const Value& v = evalArg(dot, args[i], t);
        if (v.truth() == isOr || (i + 1 == args.size() && !final)) {
          Value copy = v;
          tmp = std::move(copy);
          return tmp;
        }
      }
      return *final;
    }
    size_t start = argStack_.size();
    for (const Arg& a : args) {
      Value t;
      const Value& v = evalArg(dot, a, t);
      if (&v == &t) {
        argStack_.push_back(std::move(t));
      } else {
        argStack_.push_back(v);
      }
    }
    if (final) {
      argStack_.push_back(*final);
    }
    std::span<const Value> argv(argStack_.data() + start, argc);
    if (!fn.user && fn.builtin == Builtin::Printf && !argv[0].isString()) {
      const Arg& at = args.empty() ? ident : args[0];
      fail(at, "wrong type for value; expected string; got " + argv[0].typeName());
    }
    Expected<Value> r =
        fn.user ? fn.user->fn(argv, ctx_) : builtins::call(fn.builtin, argv, ctx_, impl_.goVersion);
    argStack_.resize(start);
    if (!r) {
      if (cmd) {
        fail(cmd->pos, ast::toString(*cmd), "error calling " + fn.name + ": " + r.error().message);
      }
      fail(ident, "error calling " + fn.name + ": " + r.error().message);
    }
    Value result = std::move(*r);
    tmp = std::move(result);
    return tmp;
  }

  const Template::Impl& impl_;
  std::string& out_;
  CallContext ctx_;
  const Tree* tree_ = nullptr;
  // Variables of all active template frames; a deque so references survive pushes.
  std::deque<Value> vars_;
  size_t base_ = 0;
  std::vector<Value> argStack_;
  int templateDepth_ = 0;
  uint64_t maxSteps_ = 0;
  uint64_t steps_ = 0;
  size_t outputLimit_ = 0;
};

Expected<void> runTemplate(const Template::Impl& impl, const Tree& tree, std::string& out,
                           const Value& data, const ExecuteOptions& options = {}) {
  try {
    Executor exec(impl, out, data, options);
    exec.run(tree, data);
  } catch (const ExecError& e) {
    return fail(e.message);
  } catch (const std::exception& e) {
    // A host function that throws must not take the process down.
    return fail("template: " + impl.name + ": executing \"" + tree.name + "\": " + e.what());
  }
  return {};
}

}  // namespace

void FuncMap::add(std::string name, Function fn, int minArgs, int maxArgs) {
  entries_[std::move(name)] = Entry{std::move(fn), minArgs, maxArgs};
}

const FuncMap::Entry* FuncMap::find(std::string_view name) const {
  auto it = entries_.find(std::string(name));
  return it == entries_.end() ? nullptr : &it->second;
}

Expected<Template> Template::parse(std::string_view name, std::string_view text,
                                   std::shared_ptr<const FuncMap> funcs,
                                   const ParseOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->name = std::string(name);
  impl->text = std::string(text);
  impl->funcs = std::move(funcs);
  impl->goVersion = options.goVersion;
  auto parsed = parseInto(*impl, options);
  if (!parsed) {
    return Unexpected<Error>(parsed.error());
  }
  return Template(std::move(impl));
}

Expected<std::string> Template::execute(const Value& data) const {
  std::string out;
  out.reserve(impl_->text.size() + impl_->text.size() / 2);
  auto r = executeInto(out, data);
  if (!r) {
    return Unexpected<Error>(r.error());
  }
  return out;
}

Expected<void> Template::executeInto(std::string& out, const Value& data) const {
  return executeInto(out, data, ExecuteOptions{});
}

Expected<void> Template::executeInto(std::string& out, const Value& data,
                                     const ExecuteOptions& options) const {
  if (!impl_->main) {
    return fail("template: " + impl_->name + ": \"" + impl_->name +
                "\" is an incomplete or empty template");
  }
  return runTemplate(*impl_, *impl_->main, out, data, options);
}

Expected<std::string> Template::executeNamed(std::string_view name, const Value& data) const {
  auto it = impl_->trees.find(name);
  if (it == impl_->trees.end()) {
    return fail("template: no template \"" + std::string(name) + "\" associated with template \"" +
                impl_->name + "\"");
  }
  std::string out;
  auto r = runTemplate(*impl_, *it->second, out, data);
  if (!r) {
    return Unexpected<Error>(r.error());
  }
  return out;
}

const std::string& Template::name() const { return impl_->name; }

namespace ast {

std::string toString(const Arg& arg) {
  std::string s;
  switch (arg.kind) {
    case ArgKind::Dot:
      return ".";
    case ArgKind::Nil:
      return "nil";
    case ArgKind::Const:
      return std::string(arg.text);
    case ArgKind::Identifier:
      return arg.fn.name;
    case ArgKind::Pipe:
      return "(" + toString(*arg.pipe) + ")";
    case ArgKind::Variable:
      s = std::string(arg.text);
      break;
    case ArgKind::Chain:
      s = toString(*arg.base);
      break;
    case ArgKind::Field:
      break;
  }
  for (const auto& f : arg.fields) {
    s += ".";
    s += f;
  }
  return s;
}

std::string toString(const Command& cmd) {
  std::string s;
  for (size_t i = 0; i < cmd.args.size(); ++i) {
    if (i > 0) {
      s += " ";
    }
    s += toString(cmd.args[i]);
  }
  return s;
}

std::string toString(const Pipe& pipe) {
  std::string s;
  for (size_t i = 0; i < pipe.decls.size(); ++i) {
    if (i > 0) {
      s += ", ";
    }
    s += pipe.decls[i].name;
  }
  if (!pipe.decls.empty()) {
    s += pipe.isAssign ? " = " : " := ";
  }
  for (size_t i = 0; i < pipe.cmds.size(); ++i) {
    if (i > 0) {
      s += " | ";
    }
    s += toString(pipe.cmds[i]);
  }
  return s;
}

namespace {
std::string listString(const std::vector<Node>& list) {
  std::string s;
  for (const Node& n : list) {
    s += toString(n);
  }
  return s;
}
std::string controlString(std::string_view keyword, const Node& n) {
  std::string s = "{{" + std::string(keyword) + " " + toString(*n.pipe) + "}}" + listString(n.list);
  if (n.hasElse) {
    s += "{{else}}" + listString(n.elseList);
  }
  return s + "{{end}}";
}
}  // namespace

std::string toString(const Node& node) {
  switch (node.kind) {
    case NodeKind::Text:
      return std::string(node.text);
    case NodeKind::Action:
      return "{{" + toString(*node.pipe) + "}}";
    case NodeKind::If:
      return controlString("if", node);
    case NodeKind::Range:
      return controlString("range", node);
    case NodeKind::With:
      return controlString("with", node);
    case NodeKind::Template: {
      std::string s = "{{template \"" + node.ownedName + "\"";
      if (node.pipe) {
        s += " " + toString(*node.pipe);
      }
      return s + "}}";
    }
    case NodeKind::Break:
      return "{{break}}";
    case NodeKind::Continue:
      return "{{continue}}";
  }
  return {};
}

}  // namespace ast
}  // namespace sidecar::tmpl
