#pragma once

// Tokenizer for Go text/template source (text/template/parse/lex.go semantics): text runs,
// actions between configurable delimiters, trim markers, comments and action tokens.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sidecar::tmpl {

enum class ItemType : uint8_t {
  Error,         // message in Item::message
  Bool,          // true, false
  Char,          // printable ASCII punctuation such as ','
  CharConstant,  // 'a'
  Assign,        // =
  Declare,       // :=
  Eof,
  Field,       // .Name
  Identifier,  // function name
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,  // $ or $name
  // Keywords, after this marker.
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
};

struct Item {
  ItemType type;
  uint32_t pos;          // byte offset in the source
  std::string_view val;  // the token's source text (text items already trimmed)
  std::string message;   // for Error items
};

// Splits `input` into items; the last item is Eof or Error.
std::vector<Item> lex(std::string_view input, std::string_view leftDelim,
                      std::string_view rightDelim);

// Go's item.String(), used in "unexpected X in Y" messages.
std::string describeItem(const Item& item);

}  // namespace sidecar::tmpl
