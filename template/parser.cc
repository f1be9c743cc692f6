#include "template/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "common/utf8.h"
#include "template/format.h"
#include "template/lexer.h"

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

struct ParseError {
  std::string message;
};

constexpr std::pair<std::string_view, Builtin> kBuiltins[] = {
    {"and", Builtin::And},         {"or", Builtin::Or},           {"not", Builtin::Not},
    {"len", Builtin::Len},         {"index", Builtin::Index},     {"slice", Builtin::Slice},
    {"print", Builtin::Print},     {"printf", Builtin::Printf},   {"println", Builtin::Println},
    {"eq", Builtin::Eq},           {"ne", Builtin::Ne},           {"lt", Builtin::Lt},
    {"le", Builtin::Le},           {"gt", Builtin::Gt},           {"ge", Builtin::Ge},
    {"html", Builtin::Html},       {"js", Builtin::Js},           {"urlquery", Builtin::Urlquery},
    {"call", Builtin::Call},
};

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes one escape sequence after a backslash at s[i] (s[i] is the escape letter).
bool unescape(std::string_view s, size_t& i, char quote, std::string& out) {
  if (i >= s.size()) {
    return false;
  }
  char c = s[i++];
  switch (c) {
    case 'a':
      out.push_back('\a');
      return true;
    case 'b':
      out.push_back('\b');
      return true;
    case 'f':
      out.push_back('\f');
      return true;
    case 'n':
      out.push_back('\n');
      return true;
    case 'r':
      out.push_back('\r');
      return true;
    case 't':
      out.push_back('\t');
      return true;
    case 'v':
      out.push_back('\v');
      return true;
    case '\\':
      out.push_back('\\');
      return true;
    case '\'':
    case '"':
      if (c != quote) {
        return false;
      }
      out.push_back(c);
      return true;
    case 'x': {
      if (i + 2 > s.size() || hexValue(s[i]) < 0 || hexValue(s[i + 1]) < 0) {
        return false;
      }
      out.push_back(static_cast<char>(hexValue(s[i]) * 16 + hexValue(s[i + 1])));
      i += 2;
      return true;
    }
    case 'u':
    case 'U': {
      size_t n = c == 'u' ? 4 : 8;
      if (i + n > s.size()) {
        return false;
      }
      uint32_t r = 0;
      for (size_t k = 0; k < n; ++k) {
        int h = hexValue(s[i + k]);
        if (h < 0) {
          return false;
        }
        r = r * 16 + static_cast<uint32_t>(h);
      }
      if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) {
        return false;
      }
      i += n;
      appendRune(out, r);
      return true;
    }
    default:
      if (c >= '0' && c <= '7') {
        if (i + 2 > s.size()) {
          return false;
        }
        int v = c - '0';
        for (int k = 0; k < 2; ++k) {
          char d = s[i + static_cast<size_t>(k)];
          if (d < '0' || d > '7') {
            return false;
          }
          v = v * 8 + (d - '0');
        }
        if (v > 255) {
          return false;
        }
        i += 2;
        out.push_back(static_cast<char>(v));
        return true;
      }
      return false;
  }
}

// The value of a Go number literal (number node): ints, floats, hex/octal/binary, '_'
// separators, char constants. Go's idealConstant rules decide int versus float.
Expected<Value> parseNumber(std::string_view text, bool isChar) {
  if (isChar) {
    if (text.size() < 3) {
      return fail("malformed character constant: " + std::string(text));
    }
    std::string_view body = text.substr(1, text.size() - 2);
    std::string decoded;
    size_t i = 0;
    if (body[0] == '\\') {
      i = 1;
      if (!unescape(body, i, '\'', decoded) || i != body.size()) {
        return fail("malformed character constant: " + std::string(text));
      }
      // \x and octal escapes are byte values, the rest code points.
      if (body[1] == 'x' || (body[1] >= '0' && body[1] <= '7')) {
        return Value(static_cast<int64_t>(static_cast<unsigned char>(decoded[0])));
      }
    } else {
      decoded = std::string(body);
    }
    size_t size = 1;
    char32_t r = decodeRune(decoded, 0, size);
    if (size != decoded.size()) {
      return fail("malformed character constant: " + std::string(text));
    }
    return Value(static_cast<int64_t>(r));
  }
  auto illegal = [&] { return fail("illegal number syntax: \"" + std::string(text) + "\""); };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return illegal();
  }
  if (s.back() == 'i') {
    return fail("complex constants are not supported: \"" + std::string(text) + "\"");
  }
  int base = 10;
  std::string_view digits = s;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      prefixed = true;
    } else if (p == 'o' || p == 'O') {
      base = 8;
      prefixed = true;
    } else if (p == 'b' || p == 'B') {
      base = 2;
      prefixed = true;
    }
    if (prefixed) {
      digits = s.substr(2);
    }
  }
  // Underscores must sit between digits (or right after a base prefix).
  std::string clean;
  for (size_t i = 0; i < digits.size(); ++i) {
    char c = digits[i];
    if (c == '_') {
      bool prevOk = i > 0 ? hexValue(digits[i - 1]) >= 0 : prefixed;
      bool nextOk = i + 1 < digits.size() && hexValue(digits[i + 1]) >= 0;
      if (!prevOk || !nextOk) {
        return illegal();
      }
      continue;
    }
    clean.push_back(c);
  }
  bool isFloat = false;
  if (base == 16) {
    isFloat = clean.find_first_of(".pP") != std::string::npos;
  } else if (base == 10) {
    isFloat = clean.find_first_of(".eE") != std::string::npos;
  } else if (clean.find('.') != std::string::npos) {
    return illegal();
  }
  if (clean.empty()) {
    return illegal();
  }
  if (!isFloat) {
    if (base == 10 && clean.size() > 1 && clean[0] == '0') {
      base = 8;  // a leading 0 means octal for integers, as in Go
      clean.erase(0, 1);
    }
    uint64_t u = 0;
    for (char c : clean) {
      int d = hexValue(c);
      if (d < 0 || d >= base) {
        return illegal();
      }
      if (u > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
        return fail("integer overflow: \"" + std::string(text) + "\"");
      }
      u = u * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    if (negative) {
      if (u > static_cast<uint64_t>(INT64_MAX) + 1) {
        return fail("integer overflow: \"" + std::string(text) + "\"");
      }
      return Value(static_cast<int64_t>(~u + 1));
    }
    if (u > static_cast<uint64_t>(INT64_MAX)) {
      return fail("integer overflow: \"" + std::string(text) + "\"");
    }
    return Value(static_cast<int64_t>(u));
  }
  if (base == 16 && clean.find_first_of("pP") == std::string::npos) {
    return illegal();  // hex floats need an exponent
  }
  std::string full = (base == 16 ? "0x" : "") + clean;
  if (base == 10 && (full.find_first_of("xXnN") != std::string::npos)) {
    return illegal();  // keep strtod from accepting inf/nan/hex spellings
  }
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(full.c_str(), &end);
  if (end != full.c_str() + full.size()) {
    return illegal();
  }
  if (errno == ERANGE && std::isinf(d)) {
    return illegal();
  }
  return Value(negative ? -d : d);
}

class Parser {
 public:
  Parser(Template::Impl& impl, const ParseOptions& options) : impl_(impl) {
    std::string_view left = options.delimiters.left;
    std::string_view right = options.delimiters.right;
    if (left.empty()) {
      left = "{{";
    }
    if (right.empty()) {
      right = "}}";
    }
    items_ = lex(impl.text, left, right);
  }

  void parse() {
    vars_ = {"$"};
    auto main = std::make_unique<Tree>();
    main->name = impl_.name;
    while (peek().type != ItemType::Eof) {
      if (peek().type == ItemType::LeftDelim) {
        size_t save = idx_;
        next();
        if (nextNonSpace().type == ItemType::Define) {
          parseDefinition();
          continue;
        }
        idx_ = save;
      }
      Terminator term = parseItem(main->root);
      if (term.kind != Terminator::None) {
        fail(term.pos, term.kind == Terminator::End ? "unexpected {{end}}" : "unexpected {{else}}");
      }
    }
    add(std::move(main));
    for (auto& [name, tree] : impl_.trees) {
      resolveTemplates(tree->root);
    }
    auto it = impl_.trees.find(impl_.name);
    impl_.main = it == impl_.trees.end() ? nullptr : it->second.get();
  }

 private:
  struct Terminator {
    enum Kind { None, End, Else } kind = None;
    uint32_t pos = 0;
  };

  [[noreturn]] void fail(uint32_t pos, const std::string& message) {
    throw ParseError{"template: " + impl_.location(pos) + ": " + message};
  }
  [[noreturn]] void unexpected(const Item& item, std::string_view context) {
    if (item.type == ItemType::Error) {
      fail(item.pos, item.message);
    }
    fail(item.pos, "unexpected " + describeItem(item) + " in " + std::string(context));
  }

  const Item& peek() const { return items_[idx_]; }
  const Item& next() {
    const Item& item = items_[idx_];
    if (item.type == ItemType::Error) {
      fail(item.pos, item.message);
    }
    if (item.type != ItemType::Eof) {
      ++idx_;
    }
    return item;
  }
  void backup() {
    if (idx_ > 0) {
      --idx_;
    }
  }
  const Item& nextNonSpace() {
    for (;;) {
      const Item& item = next();
      if (item.type != ItemType::Space) {
        return item;
      }
    }
  }
  const Item& peekNonSpace() {
    size_t i = idx_;
    while (items_[i].type == ItemType::Space) {
      ++i;
    }
    return items_[i];
  }
  void skipSpace() {
    while (items_[idx_].type == ItemType::Space) {
      ++idx_;
    }
  }

  // Holds the nesting counter for one level of recursion.
  class DepthGuard {
   public:
    DepthGuard(Parser& p, uint32_t pos) : p_(p) {
      if (++p_.depth_ > kMaxParseDepth) {
        p_.fail(pos, "template nesting depth exceeds " + std::to_string(kMaxParseDepth));
      }
    }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& p_;
  };

  static bool isEmpty(const std::vector<Node>& list) {
    for (const Node& n : list) {
      if (n.kind != NodeKind::Text) {
        return false;
      }
      for (char c : n.text) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          return false;
        }
      }
    }
    return true;
  }

  void add(std::unique_ptr<Tree> tree, uint32_t pos = 0) {
    auto it = impl_.trees.find(tree->name);
    if (it == impl_.trees.end() || isEmpty(it->second->root)) {
      std::string name = tree->name;
      impl_.trees[name] = std::move(tree);
      return;
    }
    if (!isEmpty(tree->root)) {
      fail(pos, "template: multiple definition of template \"" + tree->name + "\"");
    }
  }

  void resolveTemplates(std::vector<Node>& list) {
    for (Node& n : list) {
      if (n.kind == NodeKind::Template) {
        auto it = impl_.trees.find(n.ownedName);
        n.target = it == impl_.trees.end() ? nullptr : it->second.get();
      }
      resolveTemplates(n.list);
      resolveTemplates(n.elseList);
    }
  }

  std::string templateName(const Item& item, std::string_view context) {
    if (item.type != ItemType::String && item.type != ItemType::RawString) {
      unexpected(item, context);
    }
    auto s = unquote(item.val);
    if (!s) {
      fail(item.pos, s.error().message);
    }
    return std::move(*s);
  }

  // {{define "name"}} ... {{end}}, after the define keyword.
  void parseDefinition() {
    const Item& nameItem = nextNonSpace();
    uint32_t pos = nameItem.pos;
    auto tree = std::make_unique<Tree>();
    tree->name = templateName(nameItem, "define clause");
    const Item& close = nextNonSpace();
    if (close.type != ItemType::RightDelim) {
      unexpected(close, "define clause");
    }
    auto savedVars = std::exchange(vars_, {"$"});
    auto savedGhosts = std::exchange(ghosts_, {});
    int savedRange = std::exchange(rangeDepth_, 0);
    auto [list, term] = itemList();
    if (term.kind != Terminator::End) {
      fail(term.pos, "unexpected {{else}} in define clause");
    }
    tree->root = std::move(list);
    vars_ = std::move(savedVars);
    ghosts_ = std::move(savedGhosts);
    rangeDepth_ = savedRange;
    add(std::move(tree), pos);
  }

  std::pair<std::vector<Node>, Terminator> itemList() {
    std::vector<Node> list;
    while (peekNonSpace().type != ItemType::Eof) {
      Terminator term = parseItem(list);
      if (term.kind != Terminator::None) {
        return {std::move(list), term};
      }
    }
    if (peekNonSpace().type == ItemType::Error) {
      next();
    }
    fail(peekNonSpace().pos, "unexpected EOF");
  }

  Terminator parseItem(std::vector<Node>& list) {
    const Item& item = nextNonSpace();
    switch (item.type) {
      case ItemType::Text: {
        Node n;
        n.kind = NodeKind::Text;
        n.pos = item.pos;
        n.text = item.val;
        list.push_back(std::move(n));
        return {};
      }
      case ItemType::LeftDelim:
        return action(list);
      default:
        unexpected(item, "input");
    }
  }

  Terminator action(std::vector<Node>& list) {
    const Item& item = nextNonSpace();
    switch (item.type) {
      case ItemType::Block:
        list.push_back(blockControl(item.pos));
        return {};
      case ItemType::Break:
      case ItemType::Continue: {
        bool isBreak = item.type == ItemType::Break;
        std::string word = isBreak ? "{{break}}" : "{{continue}}";
        if (rangeDepth_ == 0) {
          fail(item.pos, word + " outside {{range}}");
        }
        const Item& close = nextNonSpace();
        if (close.type != ItemType::RightDelim) {
          unexpected(close, word);
        }
        Node n;
        n.kind = isBreak ? NodeKind::Break : NodeKind::Continue;
        n.pos = item.pos;
        list.push_back(std::move(n));
        return {};
      }
      case ItemType::Else: {
        ItemType following = peekNonSpace().type;
        if (following != ItemType::If && following != ItemType::With) {
          const Item& close = nextNonSpace();
          if (close.type != ItemType::RightDelim) {
            unexpected(close, "else");
          }
        }
        return {Terminator::Else, item.pos};
      }
      case ItemType::End: {
        const Item& close = nextNonSpace();
        if (close.type != ItemType::RightDelim) {
          unexpected(close, "end");
        }
        return {Terminator::End, item.pos};
      }
      case ItemType::If:
        list.push_back(control(NodeKind::If, "if", item.pos));
        return {};
      case ItemType::Range:
        list.push_back(control(NodeKind::Range, "range", item.pos));
        return {};
      case ItemType::With:
        list.push_back(control(NodeKind::With, "with", item.pos));
        return {};
      case ItemType::Template:
        list.push_back(templateControl());
        return {};
      default:
        break;
    }
    backup();
    Node n;
    n.kind = NodeKind::Action;
    n.pos = peek().pos;  // like Go: the token right after the delimiter, even a space
    n.pipe = pipeline("command", ItemType::RightDelim);
    list.push_back(std::move(n));
    return {};
  }

  Node control(NodeKind kind, std::string_view context, uint32_t pos) {
    DepthGuard guard(*this, pos);
    size_t mark = vars_.size();
    size_t ghostMark = ghosts_.size();
    Node n;
    n.kind = kind;
    n.pipe = pipeline(context, ItemType::RightDelim);
    n.pos = n.pipe->pos;  // Go positions control nodes at their pipeline
    if (kind == NodeKind::Range) {
      ++rangeDepth_;
    }
    size_t bodyMark = vars_.size();
    auto [list, term] = itemList();
    if (kind == NodeKind::Range) {
      --rangeDepth_;
    }
    n.list = std::move(list);
    // Variables declared in the body are gone when the else branch runs.
    for (size_t i = bodyMark; i < vars_.size(); ++i) {
      ghosts_.push_back(vars_[i]);
    }
    vars_.resize(bodyMark);
    if (term.kind == Terminator::Else) {
      n.hasElse = true;
      ItemType following = peek().type == ItemType::Space ? peekNonSpace().type : peek().type;
      if ((kind == NodeKind::If && following == ItemType::If) ||
          (kind == NodeKind::With && following == ItemType::With)) {
        // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}} sharing one {{end}}.
        const Item& keyword = nextNonSpace();
        n.elseList.push_back(control(kind, context, keyword.pos));
      } else {
        auto [elseList, term2] = itemList();
        if (term2.kind != Terminator::End) {
          fail(term2.pos, "expected end; found {{else}}");
        }
        n.elseList = std::move(elseList);
      }
    }
    vars_.resize(mark);
    ghosts_.resize(ghostMark);
    return n;
  }

  Node templateControl() {
    Node n;
    n.kind = NodeKind::Template;
    const Item& nameItem = nextNonSpace();
    n.pos = nameItem.pos;  // Go positions {{template}} at its name
    n.ownedName = templateName(nameItem, "template clause");
    if (nextNonSpace().type != ItemType::RightDelim) {
      backup();
      n.pipe = pipeline("template clause", ItemType::RightDelim);
    }
    return n;
  }

  Node blockControl(uint32_t pos) {
    DepthGuard guard(*this, pos);
    Node n;
    n.kind = NodeKind::Template;
    n.pos = pos;
    n.ownedName = templateName(nextNonSpace(), "block clause");
    n.pipe = pipeline("block clause", ItemType::RightDelim);
    auto tree = std::make_unique<Tree>();
    tree->name = n.ownedName;
    auto savedVars = std::exchange(vars_, {"$"});
    auto savedGhosts = std::exchange(ghosts_, {});
    int savedRange = std::exchange(rangeDepth_, 0);
    auto [list, term] = itemList();
    if (term.kind != Terminator::End) {
      fail(term.pos, "unexpected {{else}} in block clause");
    }
    tree->root = std::move(list);
    vars_ = std::move(savedVars);
    ghosts_ = std::move(savedGhosts);
    rangeDepth_ = savedRange;
    add(std::move(tree), pos);
    return n;
  }

  int lookupVar(std::string_view name) const {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i] == name) {
        return static_cast<int>(i);
      }
    }
    for (const auto& ghost : ghosts_) {
      if (ghost == name) {
        return ast::kUndefinedSlot;
      }
    }
    return -1;
  }

  std::unique_ptr<Pipe> pipeline(std::string_view context, ItemType end) {
    auto pipe = std::make_unique<Pipe>();
    pipe->pos = peekNonSpace().pos;
    std::vector<const Item*> pending;
    // Declarations: $x :=, $x =, and in range $i, $v :=.
    for (;;) {
      if (peekNonSpace().type != ItemType::Variable) {
        break;
      }
      size_t save = idx_;
      const Item& v = nextNonSpace();
      const Item& after = peekNonSpace();
      if (after.type == ItemType::Assign || after.type == ItemType::Declare) {
        pipe->isAssign = after.type == ItemType::Assign;
        nextNonSpace();
        pending.push_back(&v);
        break;
      }
      if (after.type == ItemType::Char && after.val == ",") {
        nextNonSpace();
        pending.push_back(&v);
        if (context == "range" && pending.size() < 2) {
          ItemType t = peekNonSpace().type;
          if (t == ItemType::Variable || t == ItemType::RightDelim || t == ItemType::RightParen) {
            continue;
          }
          fail(peekNonSpace().pos, "range can only initialize variables");
        }
        fail(v.pos, "too many declarations in " + std::string(context));
      }
      idx_ = save;
      break;
    }
    // Go's parser declares the names before the commands, so "$x := $x" parses; execution
    // evaluates the commands first, so an inner $x without an outer one fails when run.
    size_t selfMark = ghosts_.size();
    size_t selfCount = pipe->isAssign ? 0 : pending.size();
    for (size_t i = 0; i < selfCount; ++i) {
      ghosts_.emplace_back(pending[i]->val);
    }
    for (;;) {
      const Item& item = nextNonSpace();
      if (item.type == end) {
        if (pipe->cmds.empty()) {
          fail(item.pos, "missing value for " + std::string(context));
        }
        for (size_t i = 1; i < pipe->cmds.size(); ++i) {
          const Arg& first = pipe->cmds[i].args[0];
          if (first.kind == ArgKind::Const || first.kind == ArgKind::Dot ||
              first.kind == ArgKind::Nil) {
            fail(first.pos, "non executable command in pipeline stage " + std::to_string(i + 1));
          }
        }
        break;
      }
      switch (item.type) {
        case ItemType::Bool:
        case ItemType::CharConstant:
        case ItemType::Dot:
        case ItemType::Field:
        case ItemType::Identifier:
        case ItemType::Number:
        case ItemType::Nil:
        case ItemType::RawString:
        case ItemType::String:
        case ItemType::Variable:
        case ItemType::LeftParen:
          backup();
          pipe->cmds.push_back(command());
          break;
        default:
          unexpected(item, context);
      }
    }
    ghosts_.erase(ghosts_.begin() + static_cast<std::ptrdiff_t>(selfMark),
                  ghosts_.begin() + static_cast<std::ptrdiff_t>(selfMark + selfCount));
    // Declared after the commands so "$x := $x" reads the outer $x, as execution does.
    for (const Item* v : pending) {
      ast::VarDecl decl;
      decl.name = std::string(v->val);
      if (pipe->isAssign) {
        decl.slot = lookupVar(v->val);
        if (decl.slot == -1) {
          decl.slot = ast::kUndefinedSlot;
          ghosts_.push_back(decl.name);
        }
      } else {
        decl.slot = static_cast<int>(vars_.size());
        vars_.push_back(decl.name);
      }
      pipe->decls.push_back(std::move(decl));
    }
    return pipe;
  }

  Command command() {
    Command cmd;
    cmd.pos = peekNonSpace().pos;
    for (;;) {
      skipSpace();
      if (auto operand = this->operand()) {
        cmd.args.push_back(std::move(*operand));
      }
      const Item& item = next();
      if (item.type == ItemType::Space) {
        continue;
      }
      if (item.type == ItemType::RightDelim || item.type == ItemType::RightParen) {
        backup();
      } else if (item.type != ItemType::Pipe) {
        unexpected(item, "operand");
      }
      break;
    }
    if (cmd.args.empty()) {
      fail(cmd.pos, "empty command");
    }
    return cmd;
  }

  std::optional<Arg> operand() {
    auto node = term();
    if (!node) {
      return std::nullopt;
    }
    if (peek().type != ItemType::Field) {
      return node;
    }
    std::vector<std::string> fields;
    uint32_t chainPos = peek().pos;  // Go reports chains at their first chained field
    while (peek().type == ItemType::Field) {
      fields.emplace_back(next().val.substr(1));
    }
    switch (node->kind) {
      case ArgKind::Field:
      case ArgKind::Variable:
        for (auto& f : fields) {
          node->fields.push_back(std::move(f));
        }
        node->pos = chainPos;
        return node;
      case ArgKind::Const:
      case ArgKind::Nil:
      case ArgKind::Dot:
        {
          std::string quoted;
          fmt::appendQuoted(quoted, ast::toString(*node));
          fail(node->pos, "unexpected . after term " + quoted);
        }
      default: {
        Arg chain;
        chain.kind = ArgKind::Chain;
        chain.pos = chainPos;
        chain.fields = std::move(fields);
        chain.base = std::make_unique<Arg>(std::move(*node));
        return chain;
      }
    }
  }

  std::optional<Arg> term() {
    const Item& item = nextNonSpace();
    Arg arg;
    arg.pos = item.pos;
    arg.text = item.val;
    switch (item.type) {
      case ItemType::Identifier: {
        arg.kind = ArgKind::Identifier;
        arg.fn.name = std::string(item.val);
        if (impl_.funcs) {
          arg.fn.user = impl_.funcs->find(item.val);
        }
        if (!arg.fn.user) {
          for (const auto& [name, id] : kBuiltins) {
            if (name == item.val) {
              arg.fn.builtin = id;
            }
          }
          if (arg.fn.builtin == Builtin::None) {
            fail(item.pos, "function \"" + arg.fn.name + "\" not defined");
          }
        }
        return arg;
      }
      case ItemType::Dot:
        arg.kind = ArgKind::Dot;
        return arg;
      case ItemType::Nil:
        arg.kind = ArgKind::Nil;
        return arg;
      case ItemType::Variable:
        arg.kind = ArgKind::Variable;
        arg.slot = lookupVar(item.val);
        if (arg.slot == -1) {
          fail(item.pos, "undefined variable \"" + std::string(item.val) + "\"");
        }
        return arg;
      case ItemType::Field:
        arg.kind = ArgKind::Field;
        arg.fields.emplace_back(item.val.substr(1));
        return arg;
      case ItemType::Bool:
        arg.kind = ArgKind::Const;
        arg.constant = Value(item.val == "true");
        return arg;
      case ItemType::CharConstant:
      case ItemType::Number: {
        auto v = parseNumber(item.val, item.type == ItemType::CharConstant);
        if (!v) {
          fail(item.pos, v.error().message);
        }
        arg.kind = ArgKind::Const;
        arg.constant = std::move(*v);
        return arg;
      }
      case ItemType::LeftParen: {
        DepthGuard guard(*this, item.pos);
        arg.kind = ArgKind::Pipe;
        arg.pipe = pipeline("parenthesized pipeline", ItemType::RightParen);
        return arg;
      }
      case ItemType::String:
      case ItemType::RawString: {
        auto s = unquote(item.val);
        if (!s) {
          fail(item.pos, s.error().message);
        }
        arg.kind = ArgKind::Const;
        arg.constant = Value(std::move(*s));
        return arg;
      }
      default:
        backup();
        return std::nullopt;
    }
  }

  Template::Impl& impl_;
  std::vector<Item> items_;
  size_t idx_ = 0;
  std::vector<std::string> vars_;
  // Names Go's parser accepts that execution never declares (a body's variables seen from
  // its else branch, assignments to undeclared names): they parse, and fail when run.
  std::vector<std::string> ghosts_;
  int rangeDepth_ = 0;
  int depth_ = 0;
};

}  // namespace

Expected<std::string> unquote(std::string_view literal) {
  auto bad = [&] { return fail("invalid syntax in string literal " + std::string(literal)); };
  if (literal.size() < 2) {
    return bad();
  }
  char quote = literal.front();
  if (literal.back() != quote) {
    return bad();
  }
  std::string_view body = literal.substr(1, literal.size() - 2);
  if (quote == '`') {
    std::string out;
    out.reserve(body.size());
    for (char c : body) {
      if (c != '\r') {  // Go drops carriage returns from raw strings
        out.push_back(c);
      }
    }
    return out;
  }
  if (quote != '"') {
    return bad();
  }
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == '\\') {
      ++i;
      if (!unescape(body, i, '"', out)) {
        return bad();
      }
      continue;
    }
    if (c == '"' || c == '\n') {
      return bad();
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

Expected<void> parseInto(Template::Impl& impl, const ParseOptions& options) {
  try {
    Parser parser(impl, options);
    parser.parse();
  } catch (const ParseError& e) {
    return fail(e.message);
  }
  return {};
}

std::string Template::Impl::location(uint32_t pos) const {
  size_t p = std::min<size_t>(pos, text.size());
  std::string_view before = std::string_view(text).substr(0, p);
  size_t nl = before.rfind('\n');
  size_t line = 1;
  for (char c : before) {
    if (c == '\n') {
      ++line;
    }
  }
  size_t col = nl == std::string_view::npos ? p : p - (nl + 1);
  return name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace sidecar::tmpl
