#include "template/lexer.h"

#include <cstdio>

namespace sidecar::tmpl {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isAlphaNumeric(unsigned char c) {
  // Non-ASCII bytes count as letters so identifiers may carry Unicode names, as in Go.
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c >= 0x80;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

constexpr char kTrimMarker = '-';

// Go's %#U for a byte: U+0021 '!' (the quoted form only when printable).
std::string describeChar(char ch) {
  auto c = static_cast<unsigned char>(ch);
  char buf[32];
  if (c >= 0x20 && c < 0x7f) {
    std::snprintf(buf, sizeof(buf), "U+%04X '%c'", static_cast<unsigned>(c), ch);
  } else {
    std::snprintf(buf, sizeof(buf), "U+%04X", static_cast<unsigned>(c));
  }
  return buf;
}

class Lexer {
 public:
  Lexer(std::string_view input, std::string_view left, std::string_view right)
      : input_(input), left_(left), right_(right) {}

  std::vector<Item> run() {
    // Text and action alternate; each returns false after emitting Eof or Error.
    while (lexText() && lexInsideAction()) {
    }
    return std::move(items_);
  }

 private:
  bool startsWith(size_t pos, std::string_view s) const {
    return input_.substr(std::min(pos, input_.size())).starts_with(s);
  }
  bool hasLeftTrimMarker(size_t pos) const {
    return pos + 1 < input_.size() && input_[pos] == kTrimMarker && isSpace(input_[pos + 1]);
  }
  bool hasRightTrimMarker(size_t pos) const {
    return pos + 1 < input_.size() && isSpace(input_[pos]) && input_[pos + 1] == kTrimMarker;
  }
  bool atRightDelim(size_t pos, bool& trim) const {
    if (hasRightTrimMarker(pos) && startsWith(pos + 2, right_)) {
      trim = true;
      return true;
    }
    trim = false;
    return startsWith(pos, right_);
  }

  void emit(ItemType type, size_t start, size_t end) {
    items_.push_back(Item{type, static_cast<uint32_t>(start), input_.substr(start, end - start), {}});
  }
  bool error(size_t pos, std::string message) {
    items_.push_back(Item{ItemType::Error, static_cast<uint32_t>(pos), {}, std::move(message)});
    return false;
  }

  // Scans text up to the next left delimiter (or EOF), handling comments in place.
  bool lexText() {
    for (;;) {
      size_t x = input_.find(left_, pos_);
      if (x == std::string_view::npos) {
        if (pos_ < input_.size()) {
          emit(ItemType::Text, pos_, input_.size());
        }
        emit(ItemType::Eof, input_.size(), input_.size());
        return false;
      }
      size_t afterDelim = x + left_.size();
      bool trim = hasLeftTrimMarker(afterDelim);
      size_t textEnd = x;
      if (trim) {
        while (textEnd > pos_ && isSpace(input_[textEnd - 1])) {
          --textEnd;
        }
      }
      if (textEnd > pos_) {
        emit(ItemType::Text, pos_, textEnd);
      }
      size_t inner = afterDelim + (trim ? 2 : 0);
      if (startsWith(inner, "/*")) {
        size_t close = input_.find("*/", inner + 2);
        if (close == std::string_view::npos) {
          return error(x, "unclosed comment");
        }
        size_t p = close + 2;
        bool rtrim = false;
        if (!atRightDelim(p, rtrim)) {
          return error(x, "comment ends before closing delimiter");
        }
        p += (rtrim ? 2 : 0) + right_.size();
        if (rtrim) {
          while (p < input_.size() && isSpace(input_[p])) {
            ++p;
          }
        }
        pos_ = p;
        continue;
      }
      emit(ItemType::LeftDelim, x, afterDelim);
      pos_ = inner;
      parenDepth_ = 0;
      return true;
    }
  }

  bool lexInsideAction() {
    for (;;) {
      bool trim = false;
      if (atRightDelim(pos_, trim)) {
        if (parenDepth_ != 0) {
          return error(pos_, "unclosed left paren");
        }
        size_t start = pos_ + (trim ? 2 : 0);
        emit(ItemType::RightDelim, start, start + right_.size());
        pos_ = start + right_.size();
        if (trim) {
          while (pos_ < input_.size() && isSpace(input_[pos_])) {
            ++pos_;
          }
        }
        return true;
      }
      if (pos_ >= input_.size()) {
        return error(pos_, "unclosed action");
      }
      size_t start = pos_;
      char c = input_[pos_++];
      if (isSpace(c)) {
        // Stop before a " -}}" so the trim marker is seen together with its delimiter.
        pos_ = start;
        while (pos_ < input_.size() && isSpace(input_[pos_])) {
          bool t = false;
          if (atRightDelim(pos_, t) && t) {
            break;
          }
          ++pos_;
        }
        emit(ItemType::Space, start, pos_);
        continue;
      }
      switch (c) {
        case '=':
          emit(ItemType::Assign, start, pos_);
          continue;
        case ':':
          if (pos_ >= input_.size() || input_[pos_] != '=') {
            return error(start, "expected :=");
          }
          ++pos_;
          emit(ItemType::Declare, start, pos_);
          continue;
        case '|':
          emit(ItemType::Pipe, start, pos_);
          continue;
        case '"':
          if (!lexQuote(start)) {
            return false;
          }
          continue;
        case '`': {
          size_t close = input_.find('`', pos_);
          if (close == std::string_view::npos) {
            return error(start, "unterminated raw quoted string");
          }
          pos_ = close + 1;
          emit(ItemType::RawString, start, pos_);
          continue;
        }
        case '$':
          if (!lexFieldOrVariable(start, ItemType::Variable)) {
            return false;
          }
          continue;
        case '\'':
          if (!lexChar(start)) {
            return false;
          }
          continue;
        case '.':
          if (pos_ < input_.size() && isDigit(input_[pos_])) {
            if (!lexNumber(start)) {
              return false;
            }
            continue;
          }
          if (!lexFieldOrVariable(start, ItemType::Field)) {
            return false;
          }
          continue;
        case '(':
          ++parenDepth_;
          emit(ItemType::LeftParen, start, pos_);
          continue;
        case ')':
          --parenDepth_;
          if (parenDepth_ < 0) {
            return error(start, "unexpected right paren U+0029 ')'");
          }
          emit(ItemType::RightParen, start, pos_);
          continue;
        default:
          break;
      }
      if (c == '+' || c == '-' || isDigit(c)) {
        if (!lexNumber(start)) {
          return false;
        }
        continue;
      }
      if (isAlphaNumeric(static_cast<unsigned char>(c))) {
        if (!lexIdentifier(start)) {
          return false;
        }
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x7f && c >= 0x20) {
        emit(ItemType::Char, start, pos_);
        continue;
      }
      return error(start, "unrecognized character in action: " + describeChar(c));
    }
  }

  bool atTerminator() const {
    if (pos_ >= input_.size()) {
      return true;
    }
    char c = input_[pos_];
    if (isSpace(c)) {
      return true;
    }
    switch (c) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        break;
    }
    return startsWith(pos_, right_);
  }

  bool badCharacter() {
    return error(pos_, "bad character " + describeChar(input_[pos_]));
  }

  bool lexFieldOrVariable(size_t start, ItemType type) {
    if (atTerminator()) {
      emit(type == ItemType::Variable ? ItemType::Variable : ItemType::Dot, start, pos_);
      return true;
    }
    while (pos_ < input_.size() && isAlphaNumeric(static_cast<unsigned char>(input_[pos_]))) {
      ++pos_;
    }
    if (!atTerminator()) {
      return badCharacter();
    }
    emit(type, start, pos_);
    return true;
  }

  bool lexIdentifier(size_t start) {
    while (pos_ < input_.size() && isAlphaNumeric(static_cast<unsigned char>(input_[pos_]))) {
      ++pos_;
    }
    if (!atTerminator()) {
      return badCharacter();
    }
    std::string_view word = input_.substr(start, pos_ - start);
    static constexpr std::pair<std::string_view, ItemType> kKeywords[] = {
        {"block", ItemType::Block}, {"break", ItemType::Break},
        {"continue", ItemType::Continue}, {"define", ItemType::Define},
        {"else", ItemType::Else},   {"end", ItemType::End},
        {"if", ItemType::If},       {"nil", ItemType::Nil},
        {"range", ItemType::Range}, {"template", ItemType::Template},
        {"with", ItemType::With},
    };
    for (const auto& [name, type] : kKeywords) {
      if (word == name) {
        emit(type, start, pos_);
        return true;
      }
    }
    if (word == "true" || word == "false") {
      emit(ItemType::Bool, start, pos_);
      return true;
    }
    emit(ItemType::Identifier, start, pos_);
    return true;
  }

  bool lexQuote(size_t start) {
    for (;;) {
      if (pos_ >= input_.size()) {
        return error(start, "unterminated quoted string");
      }
      char c = input_[pos_++];
      if (c == '\\') {
        if (pos_ >= input_.size() || input_[pos_] == '\n') {
          return error(start, "unterminated quoted string");
        }
        ++pos_;
      } else if (c == '\n') {
        return error(start, "unterminated quoted string");
      } else if (c == '"') {
        break;
      }
    }
    emit(ItemType::String, start, pos_);
    return true;
  }

  bool lexChar(size_t start) {
    for (;;) {
      if (pos_ >= input_.size()) {
        return error(start, "unterminated character constant");
      }
      char c = input_[pos_++];
      if (c == '\\') {
        if (pos_ >= input_.size() || input_[pos_] == '\n') {
          return error(start, "unterminated character constant");
        }
        ++pos_;
      } else if (c == '\n') {
        return error(start, "unterminated character constant");
      } else if (c == '\'') {
        break;
      }
    }
    emit(ItemType::CharConstant, start, pos_);
    return true;
  }

  void acceptRun(std::string_view valid) {
    while (pos_ < input_.size() && valid.find(input_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
  }
  bool accept(std::string_view valid) {
    if (pos_ < input_.size() && valid.find(input_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool lexNumber(size_t start) {
    pos_ = start;
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (pos_ < input_.size() && isAlphaNumeric(static_cast<unsigned char>(input_[pos_]))) {
      ++pos_;
      return error(start, "bad number syntax: \"" + std::string(input_.substr(start, pos_ - start)) + "\"");
    }
    emit(ItemType::Number, start, pos_);
    return true;
  }

  std::string_view input_;
  std::string_view left_;
  std::string_view right_;
  size_t pos_ = 0;
  int parenDepth_ = 0;
  std::vector<Item> items_;
};

}  // namespace

std::vector<Item> lex(std::string_view input, std::string_view leftDelim,
                      std::string_view rightDelim) {
  return Lexer(input, leftDelim, rightDelim).run();
}

std::string describeItem(const Item& item) {
  switch (item.type) {
    case ItemType::Eof:
      return "EOF";
    case ItemType::Error:
      return item.message;
    case ItemType::LeftDelim:
    case ItemType::RightDelim:
      return "\"" + std::string(item.val) + "\"";
    default:
      break;
  }
  if (item.type > ItemType::Keyword) {
    return "<" + std::string(item.val) + ">";
  }
  std::string v(item.val);
  if (v.size() > 10) {
    v = v.substr(0, 10);
    std::string out = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
      }
      out.push_back(c == '\n' ? ' ' : c);
    }
    return out + "\"...";
  }
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace sidecar::tmpl
