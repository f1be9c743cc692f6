// Sprig functions, table-driven from sprig's documentation (masterminds.github.io/sprig) and
// its v3.3.0 sources: expected outputs are what Go prints for the same template.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "template/sprig.h"
#include "template/template.h"

namespace sidecar::tmpl {
namespace {

// A JSON encoding of plain values, enough for the hooks' plumbing; the injector supplies
// encoding/json's real one.
std::string testJson(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::String:
      return "\"" + v.asString() + "\"";
    case Value::Kind::Int:
    case Value::Kind::Float:
    case Value::Kind::Bool:
      return v.print();
    case Value::Kind::List: {
      std::string out = "[";
      for (const auto& item : v.asList()) {
        out += (out.size() > 1 ? "," : "") + testJson(item);
      }
      return out + "]";
    }
    case Value::Kind::Map: {
      std::string out = "{";
      for (const auto& [k, item] : v.asMap().entries()) {
        out += (out.size() > 1 ? ",\"" : "\"") + k + "\":" + testJson(item);
      }
      return out + "}";
    }
    default:
      return "null";
  }
}

std::shared_ptr<const FuncMap> functions() {
  static const auto funcs = [] {
    auto m = std::make_shared<FuncMap>();
    SprigHooks hooks;
    hooks.marshalJson = [](const Value& v, JsonStyle style) -> Expected<std::string> {
      if (v.isFunc()) {
        return fail("json: unsupported type: func()");
      }
      return (style == JsonStyle::Pretty ? "pretty:" : "") + testJson(v);
    };
    hooks.unmarshalJson = [](std::string_view text) -> Expected<Value> {
      if (text == "[1,2]") {
        return makeList({Value(1.0), Value(2.0)});
      }
      return fail("invalid character");
    };
    addSprigFunctions(*m, hooks);
    return std::shared_ptr<const FuncMap>(std::move(m));
  }();
  return funcs;
}

Value data() {
  return makeMap({
      {"Str", Value("hello")},
      {"Float", Value(1.5)},
      {"Port", Value(15020.0)},
      {"Nil", Value::nil()},
      {"List", makeList({Value(1), Value(2), Value(3)})},
      {"Strs", makeList({Value("b"), Value("a"), Value("b")})},
      {"EmptyList", makeList({})},
      {"Map", makeMap({{"b", Value(2)}, {"a", Value(1)}})},
      {"Nested", makeMap({{"x", makeMap({{"y", Value("deep")}})}})},
  });
}

std::string run(std::string_view text) {
  ParseOptions options;
  options.goVersion = GoVersion::Go122;
  auto t = Template::parse("t", text, functions(), options);
  if (!t) {
    return "PARSE:" + t.error().message;
  }
  auto out = t->execute(data());
  return out ? *out : "ERR:" + out.error().message;
}

struct Case {
  const char* name;
  const char* text;
  const char* expected;  // "ERR:<substring>" for an execution error
};

class Sprig : public ::testing::TestWithParam<Case> {};

TEST_P(Sprig, MatchesSprig) {
  const Case& c = GetParam();
  const std::string got = run(c.text);
  const std::string want = c.expected;
  if (want.rfind("ERR:", 0) == 0) {
    EXPECT_EQ(got.rfind("ERR:", 0), 0u) << got;
    EXPECT_NE(got.find(want.substr(4)), std::string::npos) << got;
  } else {
    EXPECT_EQ(got, want);
  }
}

const Case kCases[] = {
    // Strings.
    {"Quote", R"({{quote "a" 1 .Nil "b\"c" .Missing}})", R"("a" "1" "b\"c")"},
    {"QuotePiped", R"({{.Str | quote}})", R"("hello")"},
    {"Squote", R"({{squote "a" 2 .Float}})", "'a' '2' '1.5'"},
    {"Indent", R"({{indent 3 "x\ny"}})", "   x\n   y"},
    {"Nindent", R"({{"a\nb" | nindent 2}})", "\n  a\n  b"},
    {"IndentNeedsInt", R"({{indent .Float "x"}})",
     "ERR:wrong type for value; expected int; got float64"},
    {"TruncPositive", R"({{trunc 3 "abcdef"}}|{{trunc 10 "ab"}})", "abc|ab"},
    {"TruncNegative", R"({{trunc -2 "abcdef"}}|{{trunc -9 "ab"}})", "ef|ab"},
    {"Trim", R"([{{trim "  a b \n"}}])", "[a b]"},
    {"TrimAll", R"({{trimAll "$" "$5.00$$"}})", "5.00"},
    {"TrimPrefixSuffix",
     R"({{trimPrefix "-" "-a-"}} {{trimSuffix "-" "-a-"}} {{"x" | trimSuffix "-"}})", "a- -a x"},
    {"UpperLower", R"({{upper "Hello"}} {{lower "HeLLo"}})", "HELLO hello"},
    {"Title", R"({{title "hello wide_world x-y"}})", "Hello Wide_world X-Y"},
    {"Replace", R"({{replace " " "-" "a b c"}})", "a-b-c"},
    {"ContainsPrefixSuffix",
     R"({{contains "ell" .Str}} {{hasPrefix "he" .Str}} {{hasSuffix "x" .Str}})",
     "true true false"},
    {"Repeat", R"({{repeat 3 "ab"}})", "ababab"},
    {"Substr", R"({{substr 1 3 "hello"}} {{substr -1 2 "hello"}} {{substr 2 -1 "hello"}})",
     "el he llo"},
    {"Nospace", R"({{nospace " a b  c "}})", "abc"},
    {"Cat", R"({{cat "a" .Nil 1 "b"}})", "a 1 b"},
    {"Plural", R"({{plural "one" "many" 1}} {{plural "one" "many" 2}})", "one many"},
    {"ToString", R"({{toString 1.5}} {{toString .Port}} {{toString true}} {{toString .List}})",
     "1.5 15020 true [1 2 3]"},
    {"Split", R"({{$p := split "$" "foo$bar$baz"}}{{$p._0}} {{$p._2}} {{len $p}})", "foo baz 3"},
    {"Splitn", R"({{$p := splitn "$" 2 "foo$bar$baz"}}{{$p._0}} {{$p._1}})", "foo bar$baz"},
    {"SplitList", R"({{splitList "," "a,b,,c"}})", "[a b  c]"},
    {"Join", R"({{join "," .List}} {{join "-" (list "a" .Nil 2)}} {{join "," "solo"}})",
     "1,2,3 a-2 solo"},
    {"SortAlpha", R"({{sortAlpha .Strs}})", "[a b b]"},
    {"B64", R"({{b64enc "hello"}} {{b64dec "aGVsbG8="}})", "aGVsbG8= hello"},
    {"B64DecErrorIsTheResult", R"({{b64dec "!!"}})", "illegal base64 data at input byte 0"},

    // Defaults and flow.
    {"DefaultOnMissing", R"({{.Missing | default "d"}})", "d"},
    {"DefaultOnEmptyValues",
     R"({{"" | default "d"}} {{0 | default 5}} {{.EmptyList | default "e"}} {{false | default true}})",
     "d 5 e true"},
    {"DefaultKeepsValue", R"({{.Str | default "d"}} {{.Float | default 2}})", "hello 1.5"},
    {"DefaultAloneIsTheDefault", R"({{default "d"}})", "d"},
    {"Empty",
     R"({{empty ""}} {{empty 0}} {{empty .List}} {{empty .EmptyList}} {{empty .Nil}} {{empty .Missing}} {{empty .Map}})",
     "true true false true true true false"},
    {"Coalesce", R"({{coalesce 0 "" .Missing "x" "y"}} {{coalesce 0 ""}})", "x <no value>"},
    {"AllAny", R"({{all 1 "a" true}} {{all 1 ""}} {{any 0 "" "x"}} {{any 0 ""}})",
     "true false true false"},
    {"Ternary", R"({{ternary "y" "n" true}} {{true | ternary "y" "n"}} {{ternary "y" "n" false}})",
     "y y n"},
    {"TernaryNeedsBool", R"({{ternary "y" "n" 1}})",
     "ERR:wrong type for value; expected bool; got int"},
    {"Fail", R"({{fail "stop here"}})", "ERR:stop here"},

    // Lists.
    {"ListAppend", R"({{$l := list 1 "a"}}{{$l = append $l 2}}{{$l}} {{len $l}})", "[1 a 2] 3"},
    {"AppendLeavesOriginal", R"({{$a := list 1}}{{$b := append $a 2}}{{$a}} {{$b}})", "[1] [1 2]"},
    {"AppendOnNonList", R"({{append "x" 1}})", "ERR:Cannot push on type string"},
    {"Prepend", R"({{prepend .List 0}})", "[0 1 2 3]"},
    {"FirstLast", R"({{first .List}} {{last .List}} {{first .Strs}})", "1 3 b"},
    {"FirstOfEmptyIsNil", R"({{if first .EmptyList}}x{{else}}none{{end}})", "none"},
    {"RestInitialReverse", R"({{rest .List}} {{initial .List}} {{reverse .List}})",
     "[2 3] [1 2] [3 2 1]"},
    {"UniqCompactWithout", R"({{uniq .Strs}} {{compact (list 0 1 "" "a")}} {{without .List 2}})",
     "[b a] [1 a] [1 3]"},
    {"Has", R"({{has 2 .List}} {{has 9 .List}} {{has 1 .Nil}})", "true false false"},
    {"Concat", R"({{concat .List (list "x") .EmptyList}})", "[1 2 3 x]"},
    {"Until", R"({{until 3}} {{untilStep 0 10 4}} {{until -2}})", "[0 1 2] [0 4 8] [0 -1]"},

    // Dicts.
    {"DictHasKeyGet",
     R"({{$d := dict "a" 1 "b"}}{{hasKey $d "a"}} {{hasKey $d "c"}} [{{get $d "b"}}] [{{get $d "z"}}])",
     "true false [] []"},
    {"DictKeysAreStrval",
     R"({{$d := dict 1 "one" true "yes"}}{{index $d "1"}} {{index $d "true"}})", "one yes"},
    {"SetReturnsChangedDict", R"({{$d := dict "a" 1}}{{$e := set $d "b" 2}}{{len $e}} {{$e.b}})",
     "2 2"},
    {"Unset", R"({{unset (dict "a" 1 "b" 2) "a"}})", "map[b:2]"},
    {"KeysSorted", R"({{keys .Map (dict "c" 3)}})", "[a b c]"},
    {"Pluck", R"({{pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3)}})", "[1 3]"},
    {"PickOmit", R"({{pick .Map "a" "z"}} {{omit .Map "a"}})", "map[a:1] map[b:2]"},
    {"Values", R"({{values .Map}})", "[1 2]"},
    {"Dig", R"({{dig "x" "y" "none" .Nested}} {{dig "x" "z" "none" .Nested}})", "deep none"},
    {"HasKeyNeedsMap", R"({{hasKey .List "a"}})",
     "ERR:expected map[string]interface {}; got []interface {}"},

    // Conversions and integer math.
    {"Int",
     R"({{int "0x10"}} {{int64 "12.00"}} {{int 3.9}} {{int "abc"}} {{int true}} {{int .Nil}} {{int "-0o17"}})",
     "16 12 3 0 1 0 -15"},
    {"Float64", R"({{float64 "1.5"}} {{float64 2}} {{float64 "x"}})", "1.5 2 0"},
    {"Atoi", R"({{atoi "42"}} {{atoi "-7"}} {{atoi "4x"}} {{atoi "0x10"}})", "42 -7 0 0"},
    {"Math", R"({{add 1 2 "3"}} {{sub 5 7}} {{mul 2 3 4}} {{div 7 2}} {{mod 7 3}} {{add1 .Float}})",
     "6 -2 24 3 1 2"},
    {"MaxMin", R"({{max 1 5 3}} {{min 4 2 8}} {{biggest 1 9}} {{max .Port 80}})", "5 2 9 15020"},
    {"DivideByZero", R"({{div 1 0}})", "ERR:integer divide by zero"},
    {"FloorCeil", R"({{floor 1.5}} {{ceil 1.2}})", "1 2"},
    {"KindAndType",
     R"({{kindOf .List}} {{kindOf .Map}} {{kindIs "string" .Str}} {{typeOf .Float}} {{typeOf .Nil}})",
     "slice map true float64 <nil>"},
    {"DeepEqual", R"({{deepEqual .List (list 1 2 3)}} {{deepEqual .List (list 1 2)}})",
     "true false"},

    // Regexes.
    {"RegexMatch",
     R"({{regexMatch "^[a-z]+$" "abc"}} {{regexMatch "^[a-z]+$" "ab1"}} {{regexMatch "[" "x"}})",
     "true false false"},
    {"MustRegexMatchBadPattern", R"({{mustRegexMatch "[" "x"}})", "ERR:error parsing regexp"},
    {"RegexFind",
     R"({{regexFind "[0-9]+" "ab123cd45"}} {{regexFindAll "[0-9]+" "ab123cd45" -1}} {{regexFindAll "[0-9]" "1234" 2}})",
     "123 [123 45] [1 2]"},
    {"RegexReplace",
     R"({{regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W"}} {{regexReplaceAllLiteral "a(x*)b" "-ab-" "$1"}})",
     "-W-xxW- -$1-"},
    {"RegexSplit", R"({{regexSplit "z+" "pizza" -1}} {{regexSplit "z+" "pizza" 1}})",
     "[pi a] [pizza]"},
    {"RegexSubjectIsBounded", R"({{regexMatch "a" (repeat 5000 "a")}})", "ERR:is longer than 4096"},
    {"RegexQuoteMeta", R"({{regexQuoteMeta "1.2+x"}})", "1\\.2\\+x"},

    // semverCompare (Masterminds/semver v3 constraints).
    {"SemverBasic",
     R"({{semverCompare ">=1.2.3" "1.2.4"}} {{semverCompare ">1.2.3" "1.2.3"}} {{semverCompare "<=1.2.3" "v1.2.3"}})",
     "true false true"},
    {"SemverCaretTilde",
     R"({{semverCompare "^1.2" "1.9.0"}} {{semverCompare "^1.2" "2.0.0"}} {{semverCompare "~1.2.3" "1.2.9"}} {{semverCompare "~1.2.3" "1.3.0"}})",
     "true false true false"},
    {"SemverCaretZero",
     R"({{semverCompare "^0.2.3" "0.2.9"}} {{semverCompare "^0.2.3" "0.3.0"}} {{semverCompare "^0.0.3" "0.0.4"}})",
     "true false false"},
    {"SemverWildcards",
     R"({{semverCompare "1.2.x" "1.2.9"}} {{semverCompare "1.2" "1.3.0"}} {{semverCompare "*" "4.0.0"}} {{semverCompare "!=1.2.x" "1.3.0"}})",
     "true false true true"},
    {"SemverPrerelease",
     R"({{semverCompare "<1.0.0" "1.0.0-alpha"}} {{semverCompare ">=1.0.0-0" "1.0.0-alpha"}} {{semverCompare ">=1.0.0-beta" "1.0.0-alpha"}})",
     "false true false"},
    {"SemverRangesAndOr",
     R"({{semverCompare "1.1 - 1.3" "1.3.5"}} {{semverCompare ">=1.1, <1.3" "1.3.0"}} {{semverCompare ">2 || <1" "0.5.0"}} {{semverCompare ">= 1.0 < 2" "1.5.0"}})",
     "true false true true"},
    {"SemverIstioStyle",
     R"({{semverCompare ">=1.26-0" "1.30.3"}} {{semverCompare ">=1.26-0" "1.25.1-beta.0"}})",
     "true false"},
    {"SemverBadConstraint", R"({{semverCompare "abc" "1.0.0"}})", "ERR:improper constraint"},
    {"SemverBadVersion", R"({{semverCompare ">1" "one"}})", "ERR:Invalid Semantic Version"},

    // JSON through the host's hooks.
    {"ToJson", R"({{toJson .Map}} {{toPrettyJson .List}} {{toRawJson "x"}})",
     R"({"a":1,"b":2} pretty:[1,2,3] "x")"},
    {"FromJson", R"({{index (fromJson "[1,2]") 1}} [{{fromJson "nope"}}])", "2 [<no value>]"},
    {"MustFromJson", R"({{mustFromJson "nope"}})", "ERR:invalid character"},

    // Registered but not implemented: a clear error when run, never at parse.
    {"UnsupportedFailsAtExecution", R"({{randAlpha 5}})",
     R"(ERR:function "randAlpha" is not supported)"},
    {"UnsupportedNotReached", R"({{if false}}{{uuidv4}}{{now | date "2006"}}{{end}}ok)", "ok"},
};

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Table, Sprig, ::testing::ValuesIn(kCases), caseName);

TEST(SprigNames, EveryNameParses) {
  ASSERT_EQ(sprigFunctionNames().size(), 211u);
  for (std::string_view name : sprigFunctionNames()) {
    const std::string text = "{{if false}}{{" + std::string(name) + "}}{{end}}";
    auto t = Template::parse("t", text, functions());
    EXPECT_TRUE(t) << name << ": " << t.error().message;
  }
}

TEST(SprigNames, WithoutJsonHooksJsonIsUnsupported) {
  auto m = std::make_shared<FuncMap>();
  addSprigFunctions(*m);
  auto t = Template::parse("t", "{{toJson 1}}", m);
  ASSERT_TRUE(t);
  auto out = t->execute(Value());
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("function \"toJson\" is not supported"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::tmpl
