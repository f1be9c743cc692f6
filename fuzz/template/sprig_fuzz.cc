// libFuzzer target: template text run with sprig's functions under Go 1.22 semantics, twice
// over fixed data. Errors are fine (they must read like Go's); crashes, sanitizer reports and
// differing outputs between the two runs are not. Regex functions are left out: std::regex
// backtracking on adversarial patterns is slow by design, not a bug the fuzzer should chase.

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz/template/run_twice.h"
#include "template/sprig.h"
#include "template/template.h"

namespace {

using namespace sidecar::tmpl;

std::shared_ptr<const FuncMap> fuzzFunctions() {
  auto funcs = std::make_shared<FuncMap>();
  SprigHooks hooks;
  hooks.marshalJson = [](const Value& v, JsonStyle) -> sidecar::Expected<std::string> {
    return v.print();
  };
  hooks.unmarshalJson = [](std::string_view text) -> sidecar::Expected<Value> {
    if (text.empty()) {
      return sidecar::fail("unexpected end of JSON input");
    }
    return Value(std::string(text));
  };
  addSprigFunctions(*funcs, hooks);
  for (const char* name :
       {"regexMatch", "mustRegexMatch", "regexFind", "mustRegexFind", "regexFindAll",
        "mustRegexFindAll", "regexReplaceAll", "mustRegexReplaceAll", "regexReplaceAllLiteral",
        "mustRegexReplaceAllLiteral", "regexSplit", "mustRegexSplit"}) {
    funcs->add(name, [](std::span<const Value>, const CallContext&) -> sidecar::Expected<Value> {
      return sidecar::fail("left out of the fuzzer");
    });
  }
  return funcs;
}

Value fuzzData() {
  return makeMap({
      {"S", Value("a,b,,c")},
      {"I", Value(42)},
      {"F", Value(15020.0)},
      {"B", Value(true)},
      {"Nil", Value::nil()},
      {"L", makeList({Value("a"), Value(1), Value::nil(), Value(2.5), makeList({Value("x")})})},
      {"M", makeMap({{"k", Value("v")}, {"n", Value::nil()}, {"m", makeMap({{"d", Value(1)}})}})},
      {"SM", makeStringMap({{"a", Value("A")}})},
      {"V", Value("1.30.3")},
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto funcs = fuzzFunctions();
  static const Value root = fuzzData();
  ParseOptions options;
  options.goVersion = GoVersion::Go122;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sidecar::tmpl::fuzzing::parseAndRunTwice(text, funcs, options, root);
  return 0;
}
