// libFuzzer target: the first byte picks the delimiters, the rest is template text, which
// is parsed and then executed twice over fixed rich data. Errors are fine; crashes,
// sanitizer reports, error messages without Go's "template: " prefix and differing
// outputs between the two runs are not.

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz/template/run_twice.h"
#include "template/template.h"
#include "test/template/test_objects.h"

namespace {

using namespace sidecar::tmpl;
using sidecar::tmpl::testing::EnumObject;
using sidecar::tmpl::testing::makeStruct;
using sidecar::tmpl::testing::NilPointer;

std::shared_ptr<const FuncMap> fuzzFunctions() {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "upper",
      [](std::span<const Value> args, const CallContext&) -> sidecar::Expected<Value> {
        std::string s = args[0].print();
        for (char& c : s) {
          if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
          }
        }
        return Value(s);
      },
      1, 1);
  funcs->add(
      "fresh",
      [](std::span<const Value>, const CallContext&) -> sidecar::Expected<Value> {
        // Values owned by nothing but the template's variables, so lifetime mistakes in
        // the executor surface as use-after-free under ASan.
        return makeMap({{"m", makeMap({{"d", Value("deep")}, {"l", makeList({Value(1)})}})},
                        {"l", makeList({makeMap({{"k", Value("v")}})})},
                        {"s", Value(std::string(40, 's'))}});
      },
      0, 0);
  funcs->add("fails", [](std::span<const Value>, const CallContext&) -> sidecar::Expected<Value> {
    return sidecar::fail("always fails");
  });
  funcs->add(
      "render",
      [](std::span<const Value> args, const CallContext& ctx) -> sidecar::Expected<Value> {
        std::shared_ptr<const FuncMap> view(std::shared_ptr<const FuncMap>{}, &ctx.funcs);
        auto t = Template::parse("render", args[0].print(), view);
        if (!t) {
          return Value("");
        }
        std::string out;
        ExecuteOptions options{2000, 1 << 16};
        auto r = t->executeInto(out, ctx.root, options);
        return Value(r ? out : std::string());
      },
      1, 1);
  return funcs;
}

Value fuzzData() {
  auto sum = std::make_shared<const Function>(
      [](std::span<const Value> args, const CallContext&) -> sidecar::Expected<Value> {
        int64_t total = 0;
        for (const Value& v : args) {
          if (!v.isInt()) {
            return sidecar::fail("sum wants ints");
          }
          total += v.asInt() % 1000;
        }
        return Value(total);
      });
  return makeMap({
      {"S", Value("hello {{.S}}")},
      {"E", Value("")},
      {"I", Value(42)},
      {"N", Value(-3)},
      {"F", Value(1.5e6)},
      {"B", Value(true)},
      {"L", makeList({Value("a"), Value(1), Value::nil(), Value(2.5), makeList({Value("x")})})},
      {"M", makeMap({{"k", Value("v")}, {"n", Value::nil()}, {"m", makeMap({{"d", Value(1)}})}})},
      {"SM", makeStringMap({{"a", Value("A")}})},
      {"Nil", Value::nil()},
      {"O", makeStruct("T", {{"Name", Value("o")}, {"Inner", makeStruct("U", {{"V", Value(7)}})}},
                       {{"Get", [] { return Value("got"); }}})},
      {"P", Value(std::make_shared<const NilPointer>("*T"))},
      {"En", Value(std::make_shared<const EnumObject>("E", 1, std::vector<std::string>{"A", "B"}))},
      {"Fn", Value(sum)},
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto funcs = fuzzFunctions();
  static const Value root = fuzzData();
  if (size == 0) {
    return 0;
  }
  ParseOptions options;
  switch (data[0] % 4) {
    case 1:
      options.delimiters = {"[[", "]]"};
      break;
    case 2:
      options.delimiters = {"<%", "%>"};
      break;
    case 3:
      options.delimiters = {"(", ")"};
      break;
    default:
      break;
  }
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  sidecar::tmpl::fuzzing::parseAndRunTwice(text, funcs, options, root);
  return 0;
}
