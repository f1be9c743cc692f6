// GoVersion::Go122 (Istio 1.30) against the default GoVersion::Go113 (Istio 1.4): the same
// template, both expectations. Go 1.2x behaviour from text/template's funcs.go/exec.go.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "template/template.h"
#include "test/template/test_objects.h"

namespace sidecar::tmpl::testing {
namespace {

struct Case {
  const char* name;
  const char* text;
  const char* go113;  // output, or "ERR:<substring>"
  const char* go122;
};

Value data() {
  static const Value obj = makeStruct("T", {{"Name", Value("obj")}}, {});
  return makeMap({
      {"Str", Value("hello")},
      {"Int", Value(3)},
      {"Float", Value(1.5)},
      {"Nil", Value::nil()},
      {"List", makeList({Value(1), Value(2)})},
      {"Map", makeMap({{"a", Value(1)}})},
      {"Obj", obj},
      {"Obj2", obj},
      {"Other", makeStruct("T", {{"Name", Value("other")}}, {})},
  });
}

std::string run(const char* text, GoVersion version) {
  ParseOptions options;
  options.goVersion = version;
  auto t = Template::parse("t", text, std::make_shared<const FuncMap>(), options);
  if (!t) {
    return "ERR:" + t.error().message;
  }
  auto out = t->execute(data());
  return out ? *out : "ERR:" + out.error().message;
}

void expect(const std::string& got, const std::string& want) {
  if (want.rfind("ERR:", 0) == 0) {
    EXPECT_EQ(got.rfind("ERR:", 0), 0u) << got;
    EXPECT_NE(got.find(want.substr(4)), std::string::npos) << got;
  } else {
    EXPECT_EQ(got, want);
  }
}

class Go122 : public ::testing::TestWithParam<Case> {};

TEST_P(Go122, BothEras) {
  const Case& c = GetParam();
  expect(run(c.text, GoVersion::Go113), c.go113);
  expect(run(c.text, GoVersion::Go122), c.go122);
}

const Case kCases[] = {
    {"EqMissingKey", "{{eq .Missing \"x\"}}", "ERR:invalid type for comparison", "false"},
    {"EqNilValue", "{{eq .Nil \"x\"}}", "ERR:invalid type for comparison", "false"},
    {"EqNilNil", "{{eq .Nil .Missing}}", "ERR:invalid type for comparison", "true"},
    {"EqNilConstant", "{{eq .Missing nil}}", "ERR:invalid type for comparison", "true"},
    {"NeMissingKey", "{{ne .Missing \"x\"}}", "ERR:invalid type for comparison", "true"},
    {"EqMixedKinds", "{{eq .Int \"3\"}}", "ERR:incompatible types for comparison",
     "ERR:incompatible types for comparison: int and string"},
    {"EqIntFloat", "{{eq .Int .Float}}", "ERR:incompatible types for comparison",
     "ERR:incompatible types for comparison: int and float64"},
    {"EqSameKinds", "{{eq .Str \"hello\"}} {{eq .Int 3}} {{eq .Float 1.5}} {{eq true true}}",
     "true true true true", "true true true true"},
    {"EqMultipleArgs", "{{eq .Str \"a\" \"hello\"}}", "true", "true"},
    {"EqAnyArgMatches", "{{eq .Int 1 2 3}}", "true", "true"},
    {"EqMissingAmongOthers", "{{eq \"x\" .Missing \"x\"}}", "ERR:invalid type for comparison",
     "true"},
    {"EqObjectsByIdentity", "{{eq .Obj .Obj2}} {{eq .Obj .Other}}",
     "ERR:invalid type for comparison", "true false"},
    {"EqObjectAndNil", "{{eq .Obj nil}}", "ERR:invalid type for comparison", "false"},
    {"EqListsNotComparable", "{{eq .List .List}}", "ERR:invalid type for comparison",
     "ERR:non-comparable type"},
    {"EqMapAndList", "{{eq .Map .List}}", "ERR:invalid type for comparison",
     "ERR:non-comparable types"},
    {"EqNeedsTwoArgs", "{{eq .Str}}", "ERR:missing argument for comparison",
     "ERR:missing argument for comparison"},
    {"LtMixedKinds", "{{lt .Int \"4\"}}", "ERR:incompatible types for comparison",
     "ERR:incompatible types for comparison: int and string"},
    {"LtMissing", "{{lt .Missing 1}}", "ERR:invalid type for comparison",
     "ERR:invalid type for comparison"},
    {"LtBool", "{{lt true false}}", "ERR:invalid type for comparison",
     "ERR:invalid type for comparison"},
    {"LeUsesNewEq", "{{le .Int 3}} {{ge .Str \"a\"}} {{gt .Float 1.0}}", "true true true",
     "true true true"},
    {"IfEqOnOptionalValue", "{{if eq .Missing \"on\"}}on{{else}}off{{end}}",
     "ERR:invalid type for comparison", "off"},
    {"RangeOverInt", "{{range 3}}[{{.}}]{{end}}", "ERR:range can't iterate over 3", "[0][1][2]"},
    {"RangeOverIntVariable", "{{range $i := .Int}}{{$i}}{{end}}", "ERR:range can't iterate over 3",
     "012"},
    {"RangeOverZero", "{{range 0}}x{{else}}none{{end}}", "ERR:range can't iterate over 0", "none"},
    {"RangeOverIntTwoVariables", "{{range $i, $e := 2}}{{end}}", "ERR:range can't iterate over 2",
     "ERR:can't use 2 to iterate over more than one variable"},
    {"RangeOverIntBreak", "{{range 10}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}",
     "ERR:range can't iterate", "01"},
    // Already Go 1.18+ in both eras (the 1.4 goldens do not depend on the difference).
    {"AndShortCircuits", "{{and false (index .List 9)}}", "false", "false"},
    {"OrShortCircuits", "{{or .Str (index .List 9)}}", "hello", "hello"},
    {"Continue", "{{range .List}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}", "2", "2"},
    {"DefineTemplateBlock",
     "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" .Str}}{{block \"B\" 1}}[{{.}}]{{end}}",
     "<hello>[1]", "<hello>[1]"},
    {"ElseWith", "{{with .Missing}}a{{else with .Str}}{{.}}{{end}}", "hello", "hello"},
};

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Table, Go122, ::testing::ValuesIn(kCases), caseName);

}  // namespace
}  // namespace sidecar::tmpl::testing
