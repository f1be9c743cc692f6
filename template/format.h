#pragma once

// Go's fmt package as far as templates reach it: Sprint, Sprintln, Sprintf and the %v form
// of every Value kind. Kept apart from the executor so value printing and the print/printf
// builtins share one definition of "how Go would print this".

#include <span>
#include <string>
#include <string_view>

#include "template/value.h"

namespace sidecar::tmpl::fmt {

// Appends what {{ . }} prints for `v`: fmt.Sprint, except Invalid prints <no value>.
void appendValue(std::string& out, const Value& v);

// fmt.Sprint / Sprintln / Sprintf over template values. Invalid arguments count as Go's
// untyped nil (templates convert "no value" to nil for interface{} parameters).
void appendSprint(std::string& out, std::span<const Value> args);
void appendSprintln(std::string& out, std::span<const Value> args);
void appendSprintf(std::string& out, std::string_view format, std::span<const Value> args);

// strconv.FormatFloat(v, 'g', -1, 64): the shortest form Go's %v prints.
void appendFloat(std::string& out, double v);

// strconv.Quote (asciiOnly: QuoteToASCII).
void appendQuoted(std::string& out, std::string_view s, bool asciiOnly = false);

// Go's unicode.IsPrint (control, format, separator, surrogate, private use: false).
bool isPrint(char32_t r);

}  // namespace sidecar::tmpl::fmt
