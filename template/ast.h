#pragma once

// The parse tree of a template (text/template/parse's node types, trimmed to what execution
// needs). Everything the executor can decide at parse time already is: functions are
// resolved to entries, variables to stack slots, constants to Values.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "template/template.h"
#include "template/value.h"

namespace sidecar::tmpl::ast {

enum class Builtin : uint8_t {
  None,
  And,
  Or,
  Not,
  Len,
  Index,
  Slice,
  Print,
  Printf,
  Println,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Html,
  Js,
  Urlquery,
  Call,
};

// A function named in the template: a user entry (which shadows builtins) or a builtin.
struct FuncRef {
  std::string name;
  const FuncMap::Entry* user = nullptr;
  Builtin builtin = Builtin::None;
};

struct Pipe;

enum class ArgKind : uint8_t {
  Dot,         // .
  Nil,         // nil
  Const,       // bool, number, string, char constant
  Field,       // .A.B on dot
  Variable,    // $x or $x.A.B
  Chain,       // (pipeline).A.B or fn.A
  Identifier,  // a function name
  Pipe,        // (pipeline)
};

// The slot of a variable Go's parser accepts but execution never declares.
inline constexpr int kUndefinedSlot = -2;

struct Arg {
  ArgKind kind = ArgKind::Dot;
  uint32_t pos = 0;
  std::string_view text;            // source text: constant literal, variable name
  Value constant;                   // Const
  std::vector<std::string> fields;  // Field, Variable, Chain
  int slot = -1;                    // Variable: index in the template's variable frame
  FuncRef fn;                       // Identifier
  std::unique_ptr<Pipe> pipe;       // Pipe
  std::unique_ptr<Arg> base;        // Chain
};

struct Command {
  uint32_t pos = 0;
  std::vector<Arg> args;
};

struct VarDecl {
  std::string name;
  int slot = -1;
};

struct Pipe {
  uint32_t pos = 0;
  bool isAssign = false;  // $x = ... rather than $x := ...
  std::vector<VarDecl> decls;
  std::vector<Command> cmds;
};

enum class NodeKind : uint8_t { Text, Action, If, Range, With, Template, Break, Continue };

struct Tree;

struct Node {
  NodeKind kind = NodeKind::Text;
  uint32_t pos = 0;
  std::string_view text;       // Text: the (trimmed) text, a view into Impl::text
  std::unique_ptr<Pipe> pipe;  // Action, If, Range, With, Template (may be null)
  std::vector<Node> list;      // If, Range, With bodies
  std::vector<Node> elseList;
  bool hasElse = false;
  const Tree* target = nullptr;  // Template: resolved after the whole text is parsed
  std::string ownedName;         // Template: the callee's (unquoted) name
};

struct Tree {
  std::string name;
  std::vector<Node> root;
};

// Go's Node.String() forms, used as the "<...>" context of execution errors.
std::string toString(const Arg& arg);
std::string toString(const Command& cmd);
std::string toString(const Pipe& pipe);
std::string toString(const Node& node);

}  // namespace sidecar::tmpl::ast

namespace sidecar::tmpl {

struct Template::Impl {
  std::string name;
  std::string text;  // the source; parse-tree string_views point into it
  std::shared_ptr<const FuncMap> funcs;
  std::map<std::string, std::unique_ptr<ast::Tree>, std::less<>> trees;
  const ast::Tree* main = nullptr;
  GoVersion goVersion = GoVersion::Go113;

  // "NAME:LINE:COL" for a byte offset, as Go's ErrorContext prints it.
  std::string location(uint32_t pos) const;
};

}  // namespace sidecar::tmpl
