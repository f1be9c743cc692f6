// Table-driven cases for the template engine. Every expectation is Go text/template's
// behaviour (Go 1.13 semantics plus break/continue, short-circuit and/or, else-with), taken
// from the package documentation and its exec/parse tests.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "template/template.h"
#include "test/template/test_objects.h"

namespace sidecar::tmpl::testing {
namespace {

Value testData() {
  auto sum = std::make_shared<const Function>(
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        if (args.empty()) {
          return fail("need args");
        }
        int64_t total = 0;
        for (const Value& v : args) {
          total += v.asInt();
        }
        return Value(total);
      });
  Value obj = makeStruct("T",
                         {{"Name", Value("obj")},
                          {"Count", Value(2)},
                          {"Inner", makeStruct("U", {{"Val", Value("in")}})}},
                         {{"Method", [] { return Value("called"); }}});
  auto enumValue = [](int v) {
    return Value(std::make_shared<const EnumObject>(
        "mesh.Mode", v, std::vector<std::string>{"REDIRECT", "TPROXY", "NONE"}));
  };
  return makeMap({
      {"Str", Value("hello")},
      {"Empty", Value("")},
      {"Int", Value(3)},
      {"Zero", Value(0)},
      {"Neg", Value(-7)},
      {"Float", Value(1.5)},
      {"FloatInt", Value(15020.0)},
      {"Big", Value(1e6)},
      {"Small", Value(3.5e-05)},
      {"True", Value(true)},
      {"False", Value(false)},
      {"List", makeList({Value(1), Value(2), Value(3)})},
      {"Strs", makeList({Value("a"), Value("b"), Value("c")})},
      {"EmptyList", makeList({})},
      {"Map", makeMap({{"a", Value(1)}, {"b", Value(2)}})},
      {"SMap", makeStringMap({{"x", Value("X")}})},
      {"EmptyMap", makeMap({})},
      {"Nested", makeMap({{"inner", makeMap({{"deep", Value("down")}})}})},
      {"Nil", Value::nil()},
      {"Obj", obj},
      {"NilPtr", Value(std::make_shared<const NilPointer>(
                     "*T", std::map<std::string, Value, std::less<>>{{"GetX", Value("")}}))},
      {"Enum0", enumValue(0)},
      {"Enum1", enumValue(1)},
      {"Fn", Value(sum)},
      {"Mixed", makeList({Value("x"), Value(1), Value::nil(), Value(2.5), Value(true)})},
      {"HTML", Value("<b>&'\"</b>")},
      {"Unicode", Value("h\xc3\xa9llo")},
      {"ListOfMaps", makeList({makeMap({{"n", Value(1)}}), makeMap({{"n", Value(2)}})})},
  });
}

std::shared_ptr<const FuncMap> testFuncs() {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "upper",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        std::string s = args[0].print();
        for (char& c : s) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        return Value(s);
      },
      1, 1);
  funcs->add(
      "boom", [](std::span<const Value>, const CallContext&) -> Expected<Value> {
        return fail("boom");
      });
  funcs->add(
      "kind",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        static const char* names[] = {"invalid", "nil",  "bool", "int",    "float",
                                      "string",  "list", "map",  "object", "func"};
        return Value(names[static_cast<int>(args[0].kind())]);
      },
      1, 1);
  funcs->add(
      "root",
      [](std::span<const Value>, const CallContext& ctx) -> Expected<Value> { return ctx.root; },
      0, 0);
  funcs->add(
      "fresh",
      [](std::span<const Value>, const CallContext&) -> Expected<Value> {
        // A map nothing else owns, so a variable holding it is its only owner.
        return makeMap({{"inner", makeMap({{"deep", Value("fresh")}})}});
      },
      0, 0);
  funcs->add(
      "two", [](std::span<const Value>, const CallContext&) -> Expected<Value> {
        return Value(2);
      },
      0, 0);
  return funcs;
}

struct Case {
  std::string_view name;
  std::string_view text;
  std::string_view want;  // output, or for error tables a substring of the error
};

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  std::string s = "c" + std::to_string(info.index) + "_";
  for (char c : info.param.name) {
    s.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  }
  return s;
}

Expected<std::string> run(std::string_view text) {
  static const Value data = testData();
  auto t = Template::parse("t", text, testFuncs());
  if (!t) {
    return Unexpected<Error>(t.error());
  }
  return t->execute(data);
}

// ---------------------------------------------------------------------------------------
// Successful executions.

const Case kOutput[] = {
    // Text, comments, trim markers.
    {"plain text", "hello, world", "hello, world"},
    {"empty template", "", ""},
    {"newlines kept", "a\n\nb\n", "a\n\nb\n"},
    {"comment", "a{{/* a comment */}}b", "ab"},
    {"comment multiline", "a{{/* x\ny */}}b", "ab"},
    {"comment trimmed", "a  {{- /* c */ -}}  b", "ab"},
    {"left trim", "a \t\n {{- .Str}}", "ahello"},
    {"right trim", "{{.Str -}} \n\t b", "hellob"},
    {"both trims", "{{23 -}} < {{- 45}}", "23<45"},
    {"trim needs space", "{{-3}}", "-3"},
    {"trim marker alone", "x {{- 1 -}} y", "x1y"},
    {"no trim across text", "a {{- 1}} b {{2 -}} c", "a1 b 2c"},
    {"trim keeps inner spaces", "a\n  {{- \" x \" -}}\n  b", "a x b"},
    {"action newlines", "{{ printf\n  \"%d\"\n  5 }}", "5"},
    {"text with braces", "a } b { c", "a } b { c"},
    {"single brace action", "{ {{1}} }", "{ 1 }"},
    // Constants.
    {"int", "{{1}}", "1"},
    {"negative int", "{{-12}}", "-12"},
    {"plus int", "{{+5}}", "5"},
    {"float", "{{1.5}}", "1.5"},
    {"float integral", "{{1.0}}", "1"},
    {"float exp", "{{1e3}}", "1000"},
    {"float big", "{{1e6}}", "1e+06"},
    {"float 123456", "{{123456.0}}", "123456"},
    {"float 1234567", "{{1234567.0}}", "1.234567e+06"},
    {"float small", "{{0.0001}}", "0.0001"},
    {"float smaller", "{{0.00001}}", "1e-05"},
    {"float leading dot", "{{.5}}", "0.5"},
    {"float negative exp", "{{1e-7}}", "1e-07"},
    {"hex", "{{0x1F}}", "31"},
    {"hex upper", "{{0XfF}}", "255"},
    {"octal prefix", "{{0o17}}", "15"},
    {"octal leading zero", "{{017}}", "15"},
    {"binary", "{{0b101}}", "5"},
    {"underscores", "{{1_000_000}}", "1000000"},
    {"hex float", "{{0x1p4}}", "16"},
    {"char", "{{'a'}}", "97"},
    {"char escape", "{{'\\n'}}", "10"},
    {"char unicode", "{{'\xc3\xa9'}}", "233"},
    {"char hex escape", "{{'\\x41'}}", "65"},
    {"max int", "{{9223372036854775807}}", "9223372036854775807"},
    {"min int", "{{-9223372036854775808}}", "-9223372036854775808"},
    {"true", "{{true}}", "true"},
    {"false", "{{false}}", "false"},
    {"string", "{{\"hi\"}}", "hi"},
    {"string escapes", "{{\"a\\tb\\\\c\\\"d\"}}", "a\tb\\c\"d"},
    {"string unicode escape", "{{\"\\u00e9\\U0001F600\"}}", "\xc3\xa9\xf0\x9f\x98\x80"},
    {"string hex octal escapes", "{{\"\\x41\\101\"}}", "AA"},
    {"raw string", "{{`a\\n\"b`}}", "a\\n\"b"},
    {"raw string newline", "{{`a\nb`}}", "a\nb"},
    {"dot", "{{with 7}}{{.}}{{end}}", "7"},
    // Printing data.
    {"field string", "{{.Str}}", "hello"},
    {"field int", "{{.Int}}", "3"},
    {"field negative", "{{.Neg}}", "-7"},
    {"field float", "{{.Float}}", "1.5"},
    {"field float integral", "{{.FloatInt}}", "15020"},
    {"field float million", "{{.Big}}", "1e+06"},
    {"field float tiny", "{{.Small}}", "3.5e-05"},
    {"field bool", "{{.True}} {{.False}}", "true false"},
    {"list", "{{.List}}", "[1 2 3]"},
    {"string list", "{{.Strs}}", "[a b c]"},
    {"empty list", "{{.EmptyList}}", "[]"},
    {"map sorted", "{{.Map}}", "map[a:1 b:2]"},
    {"empty map", "{{.EmptyMap}}", "map[]"},
    {"nested map", "{{.Nested}}", "map[inner:map[deep:down]]"},
    {"mixed list", "{{.Mixed}}", "[x 1 <nil> 2.5 true]"},
    {"missing key", "{{.Missing}}", "<no value>"},
    {"nil value prints no value", "{{.Nil}}", "<no value>"},
    {"object", "{{.Obj}}", "{2 {in} obj}"},
    {"enum", "{{.Enum0}} {{.Enum1}}", "REDIRECT TPROXY"},
    {"nil pointer", "{{.NilPtr}}", "<nil>"},
    {"unicode", "{{.Unicode}}", "h\xc3\xa9llo"},
    {"html not escaped", "{{.HTML}}", "<b>&'\"</b>"},
    // Field chains.
    {"nested fields", "{{.Nested.inner.deep}}", "down"},
    {"nested missing", "{{.Nested.inner.nope}}", "<no value>"},
    {"missing chain", "{{.Missing.x.y}}", "<no value>"},
    {"object field", "{{.Obj.Name}}", "obj"},
    {"object nested", "{{.Obj.Inner.Val}}", "in"},
    {"object method", "{{.Obj.Method}}", "called"},
    {"enum String method", "{{.Enum0.String}}", "REDIRECT"},
    {"nil pointer getter", "[{{.NilPtr.GetX}}]", "[]"},
    {"root variable", "{{with .Obj}}{{$.Str}}-{{.Name}}{{end}}", "hello-obj"},
    {"paren field", "{{(index .Nested \"inner\").deep}}", "down"},
    {"paren object field", "{{(.Obj).Inner.Val}}", "in"},
    {"function result field", "{{root.Str}}", "hello"},
    {"list of maps", "{{range .ListOfMaps}}{{.n}}{{end}}", "12"},
    {"map key with digits", "{{with index .Map \"a\"}}{{.}}{{end}}", "1"},
    // Variables.
    {"declare", "{{$x := 1}}{{$x}}", "1"},
    {"declare prints nothing", "[{{$x := 1}}]", "[]"},
    {"assign", "{{$x := 1}}{{$x = 2}}{{$x}}", "2"},
    {"assign in if", "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"},
    {"shadow in with", "{{$x := 1}}{{with $x := 2}}{{$x}}{{end}}{{$x}}", "21"},
    {"redeclare", "{{$x := 1}}{{$x := \"s\"}}{{$x}}", "s"},
    {"variable field", "{{$o := .Obj}}{{$o.Inner.Val}}", "in"},
    {"variable map", "{{$m := .Nested}}{{$m.inner.deep}}", "down"},
    {"dollar", "{{with .Int}}{{$.Str}}{{end}}", "hello"},
    {"dollar field chain", "{{$.Nested.inner.deep}}", "down"},
    {"variable in range", "{{$s := \"-\"}}{{range .Strs}}{{.}}{{$s}}{{end}}", "a-b-c-"},
    {"variable outer read", "{{$x := .Str}}{{range .List}}{{$x}}{{end}}", "hellohellohello"},
    {"variable from pipeline", "{{$x := .Str | printf \"%s!\"}}{{$x}}", "hello!"},
    {"variable of function", "{{$f := .Fn}}{{call $f 2 3}}", "5"},
    {"if declares", "{{if $x := .Str}}{{$x}}{{end}}", "hello"},
    {"body variable not run in else", "{{if .True}}{{$z := 1}}{{else}}{{$z}}{{end}}", ""},
    {"self reference reads outer", "{{$x := 1}}{{$x := print $x 2}}{{$x}}", "1 2"},
    {"assign undeclared not run", "{{if false}}{{$x = 1}}{{end}}ok", "ok"},
    {"if declare visible in else", "{{if $x := .Empty}}yes{{else}}[{{$x}}]{{end}}", "[]"},
    {"paren declaration", "{{print ($x := 4) $x}}", "4 4"},
    {"assign from own field", "{{$x := .Nested}}{{$x = $x.inner}}{{$x.deep}}", "down"},
    {"if assigns from own field", "{{$x := fresh}}{{if $x = $x.inner}}{{$x.deep}}{{end}}", "fresh"},
    {"with assigns from own field", "{{$x := fresh}}{{with $x = $x.inner}}{{.deep}}{{end}}", "fresh"},
    {"range reassigns source", "{{$l := .Strs}}{{range $l}}{{$l = 1}}{{.}}{{end}}", "abc"},
    // Pipelines.
    {"pipe last arg", "{{\"a\" | printf \"%s-%s\" \"b\"}}", "b-a"},
    {"pipe to print", "{{1 | print}}", "1"},
    {"pipe chain", "{{.Strs | len | printf \"%d items\"}}", "3 items"},
    {"pipe into user func", "{{.Str | upper}}", "HELLO"},
    {"paren pipeline", "{{(printf \"%d\" 5)}}", "5"},
    {"paren args", "{{print (len .Strs) (len .Map)}}", "3 2"},
    {"nested parens", "{{((((1))))}}", "1"},
    {"paren pipe inside", "{{print (\"a\" | printf \"%s!\")}}", "a!"},
    {"missing piped", "{{.Missing | printf \"%v\"}}", "<nil>"},
    {"identifier argument", "{{print two two}}", "2 2"},
    {"identifier alone", "{{two}}", "2"},
    {"user func gets invalid", "{{kind .Missing}}", "invalid"},
    {"user func gets nil", "{{kind .Nil}}", "nil"},
    {"nil constant argument", "{{kind nil}}", "nil"},
    {"user func gets object", "{{kind .Obj}}", "object"},
    {"piped nil becomes no value", "{{.Nil | kind}}", "invalid"},
    // if / else.
    {"if true", "{{if true}}a{{end}}", "a"},
    {"if false else", "{{if false}}a{{else}}b{{end}}", "b"},
    {"if missing", "{{if .Missing}}a{{else}}b{{end}}", "b"},
    {"if nil", "{{if .Nil}}a{{else}}b{{end}}", "b"},
    {"if empty list", "{{if .EmptyList}}a{{else}}b{{end}}", "b"},
    {"if list", "{{if .List}}a{{else}}b{{end}}", "a"},
    {"if empty map", "{{if .EmptyMap}}a{{else}}b{{end}}", "b"},
    {"if map", "{{if .Map}}a{{else}}b{{end}}", "a"},
    {"if zero", "{{if .Zero}}a{{else}}b{{end}}", "b"},
    {"if negative", "{{if .Neg}}a{{else}}b{{end}}", "a"},
    {"if zero float", "{{if 0.0}}a{{else}}b{{end}}", "b"},
    {"if empty string", "{{if .Empty}}a{{else}}b{{end}}", "b"},
    {"if string zero", "{{if \"0\"}}a{{else}}b{{end}}", "a"},
    {"if zero enum", "{{if .Enum0}}a{{else}}b{{end}}", "b"},
    {"if nonzero enum", "{{if .Enum1}}a{{else}}b{{end}}", "a"},
    {"if nil pointer", "{{if .NilPtr}}a{{else}}b{{end}}", "b"},
    {"if object", "{{if .Obj}}a{{else}}b{{end}}", "a"},
    {"if func", "{{if .Fn}}a{{else}}b{{end}}", "a"},
    {"else if", "{{if eq .Int 1}}one{{else if eq .Int 3}}three{{else}}other{{end}}", "three"},
    {"else if falls through", "{{if false}}a{{else if false}}b{{else}}c{{end}}", "c"},
    {"else if chain first", "{{if true}}a{{else if true}}b{{end}}", "a"},
    {"else if no else", "[{{if false}}a{{else if false}}b{{end}}]", "[]"},
    {"nested if", "{{if true}}{{if false}}x{{else}}y{{end}}{{end}}", "y"},
    {"if dot unchanged", "{{with .Obj}}{{if .Name}}{{.Name}}{{end}}{{end}}", "obj"},
    // with.
    {"with value", "{{with .Str}}{{.}}{{end}}", "hello"},
    {"with missing else", "{{with .Missing}}x{{else}}y{{end}}", "y"},
    {"with else keeps dot", "{{with .Empty}}x{{else}}{{.Int}}{{end}}", "3"},
    {"with declare", "{{with $x := .Int}}{{$x}}{{.}}{{end}}", "33"},
    {"else with", "{{with .Missing}}a{{else with .Str}}{{.}}{{end}}", "hello"},
    {"else with else", "{{with .Missing}}a{{else with .Empty}}b{{else}}c{{end}}", "c"},
    {"with object", "{{with .Obj.Inner}}{{.Val}}{{end}}", "in"},
    // range.
    {"range list", "{{range .Strs}}{{.}}{{end}}", "abc"},
    {"range ints", "{{range .List}}<{{.}}>{{end}}", "<1><2><3>"},
    {"range index value", "{{range $i, $v := .Strs}}{{$i}}{{$v}}{{end}}", "0a1b2c"},
    {"range value only", "{{range $v := .Strs}}{{$v}}{{end}}", "abc"},
    {"range empty else", "{{range .EmptyList}}x{{else}}empty{{end}}", "empty"},
    {"range missing else", "{{range .Missing}}x{{else}}none{{end}}", "none"},
    {"range nil", "[{{range .Nil}}x{{end}}]", "[]"},
    {"range map values", "{{range .Map}}{{.}}{{end}}", "12"},
    {"range map keys sorted", "{{range $k, $v := .Map}}{{$k}}={{$v}};{{end}}", "a=1;b=2;"},
    {"range empty map else", "{{range .EmptyMap}}x{{else}}e{{end}}", "e"},
    {"range string map", "{{range $k, $v := .SMap}}{{$k}}{{$v}}{{end}}", "xX"},
    {"range dollar", "{{range .Strs}}{{$.Int}}{{end}}", "333"},
    {"range break", "{{range $i, $e := .Strs}}{{if eq $i 1}}{{break}}{{end}}{{$e}}{{end}}", "a"},
    {"range continue", "{{range .Strs}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", "ac"},
    {"break in with", "[{{range .Strs}}{{with .}}{{break}}{{end}}{{.}}{{end}}]", "[]"},
    {"nested range break", "{{range .List}}{{range $.Strs}}{{break}}{{end}}{{.}}{{end}}", "123"},
    {"nested range", "{{range .List}}{{range $.Strs}}{{.}}{{end}}{{end}}", "abcabcabc"},
    {"range with else ran", "{{range .Strs}}{{.}}{{else}}none{{end}}", "abc"},
    {"range mixed", "{{range .Mixed}}[{{.}}]{{end}}", "[x][1][<no value>][2.5][true]"},
    {"range objects fields", "{{range .ListOfMaps}}{{.n}},{{end}}", "1,2,"},
    {"range variable scope reset", "{{range $i, $v := .Strs}}{{$x := $v}}{{$x}}{{end}}", "abc"},
    {"range over function result", "{{range (slice .Strs 1)}}{{.}}{{end}}", "bc"},
    {"range index is int", "{{range $i, $e := .Strs}}{{if gt $i 0}},{{end}}{{$e}}{{end}}", "a,b,c"},
    // define / template / block.
    {"define and call", "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" \"x\"}}", "<x>"},
    {"template without data", "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\"}}", "<<no value>>"},
    {"template dot data", "{{define \"T\"}}{{.Str}}{{end}}{{template \"T\" .}}", "hello"},
    {"template raw name", "{{define `T`}}t{{end}}{{template `T`}}", "t"},
    {"define later in text", "{{template \"T\" 1}}{{define \"T\"}}[{{.}}]{{end}}", "[1]"},
    {"template dollar is arg", "{{define \"T\"}}{{$}}{{end}}{{template \"T\" 5}}", "5"},
    {"define text ignored", "a{{define \"T\"}}x{{end}}b", "ab"},
    {"block", "{{block \"B\" .Str}}[{{.}}]{{end}}", "[hello]"},
    {"block callable again", "{{block \"B\" 1}}<{{.}}>{{end}}{{template \"B\" 2}}", "<1><2>"},
    {"recursive template",
     "{{define \"R\"}}{{if .}}{{index . 0}}{{template \"R\" (slice . 1)}}{{end}}{{end}}"
     "{{template \"R\" .Strs}}",
     "abc"},
    {"template pipeline", "{{define \"T\"}}{{.}}{{end}}{{template \"T\" .Str | printf \"%s!\"}}",
     "hello!"},
    {"template variable persists", "{{define \"T\"}}{{.}}{{end}}{{template \"T\" $x := 3}}{{$x}}",
     "33"},
    // and / or / not.
    {"and true", "{{and 1 2}}", "2"},
    {"and false first", "{{and 0 2}}", "0"},
    {"and empty string", "[{{and 1 \"\"}}]", "[]"},
    {"and values", "{{and .True .Str}}", "hello"},
    {"and short circuit", "{{and false (index .Strs 10)}}", "false"},
    {"and single", "{{and 5}}", "5"},
    {"and piped", "{{1 | and true}}", "1"},
    {"or first true", "{{or 0 1}}", "1"},
    {"or all false", "[{{or 0 \"\"}}]", "[]"},
    {"or default", "{{or .Missing \"d\"}}", "d"},
    {"or short circuit", "{{or true (index .Strs 10)}}", "true"},
    {"or list", "{{or .EmptyList .Strs}}", "[a b c]"},
    {"or enum String", "{{or .Empty .Enum0.String}}", "REDIRECT"},
    {"not zero", "{{not 0}}", "true"},
    {"not string", "{{not .Str}}", "false"},
    {"not missing", "{{not .Missing}}", "true"},
    {"not nil pointer", "{{not .NilPtr}}", "true"},
    {"and or nested", "{{if or (not .True) .Int}}y{{end}}", "y"},
    // len / index / slice.
    {"len string", "{{len .Str}}", "5"},
    {"len bytes", "{{len .Unicode}}", "6"},
    {"len list", "{{len .List}}", "3"},
    {"len map", "{{len .Map}}", "2"},
    {"len empty map", "{{len .EmptyMap}}", "0"},
    {"index list", "{{index .Strs 1}}", "b"},
    {"index map", "{{index .Map \"a\"}}", "1"},
    {"index map missing", "{{index .Map \"zz\"}}", "<no value>"},
    {"index string map missing", "[{{index .SMap \"zz\"}}]", "[]"},
    {"index string map", "{{index .SMap \"x\"}}", "X"},
    {"index nested", "{{index .Nested \"inner\" \"deep\"}}", "down"},
    {"index list then map", "{{index .ListOfMaps 1 \"n\"}}", "2"},
    {"index string byte", "{{index .Str 1}}", "101"},
    {"index no keys", "{{index .Strs}}", "[a b c]"},
    {"index missing key is zero", "{{if index .Map \"zz\"}}y{{else}}n{{end}}", "n"},
    {"slice from", "{{slice .Strs 1}}", "[b c]"},
    {"slice range", "{{slice .Strs 1 2}}", "[b]"},
    {"slice all", "{{slice .Strs}}", "[a b c]"},
    {"slice empty", "{{slice .Strs 3}}", "[]"},
    {"slice string", "{{slice .Str 1 3}}", "el"},
    {"slice three index", "{{slice .Strs 0 1 2}}", "[a]"},
    // Comparisons.
    {"eq ints", "{{eq 1 1}}", "true"},
    {"eq ints false", "{{eq 1 2}}", "false"},
    {"eq strings", "{{eq \"a\" \"a\"}}", "true"},
    {"eq field", "{{eq .Str \"hello\"}}", "true"},
    {"eq multi", "{{eq 1 2 3 1}}", "true"},
    {"eq multi false", "{{eq 1 2 3 4}}", "false"},
    {"eq floats", "{{eq 1.5 .Float}}", "true"},
    {"eq bools", "{{eq .True true}}", "true"},
    {"eq enum string", "{{eq .Enum1.String \"TPROXY\"}}", "true"},
    {"ne", "{{ne 1 2}}", "true"},
    {"ne equal", "{{ne \"a\" \"a\"}}", "false"},
    {"ne empty string", "{{ne .Empty \"\"}}", "false"},
    {"lt", "{{lt 1 2}}", "true"},
    {"lt false", "{{lt 2 1}}", "false"},
    {"le equal", "{{le 2 2}}", "true"},
    {"le less", "{{le 1 2}}", "true"},
    {"gt", "{{gt 3 2}}", "true"},
    {"gt equal", "{{gt 2 2}}", "false"},
    {"ge", "{{ge 2 3}}", "false"},
    {"ge equal", "{{ge 3 3}}", "true"},
    {"lt strings", "{{lt \"a\" \"b\"}}", "true"},
    {"lt floats", "{{lt 1.5 2.5}}", "true"},
    {"gt float field", "{{gt .FloatInt 0.0}}", "true"},
    {"gt int field", "{{if gt .Int 0}}pos{{end}}", "pos"},
    // html / js / urlquery / call.
    {"html", "{{html \"<a href='x'>&\\\"</a>\"}}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"},
    {"html missing", "{{html .Missing}}", "&lt;no value&gt;"},
    {"html multiple", "{{html 1 2}}", "1 2"},
    {"html piped", "{{.HTML | html}}", "&lt;b&gt;&amp;&#39;&#34;&lt;/b&gt;"},
    {"js", "{{js \"a'b\\\"c<>&=\"}}", "a\\'b\\\"c\\u003C\\u003E\\u0026\\u003D"},
    {"js control", "{{js \"a\\nb\\\\\"}}", "a\\u000Ab\\\\"},
    {"js unicode kept", "{{js .Unicode}}", "h\xc3\xa9llo"},
    {"urlquery", "{{urlquery \"a b/c?d=e&f\"}}", "a+b%2Fc%3Fd%3De%26f"},
    {"urlquery unreserved", "{{urlquery \"A-z_0.9~\"}}", "A-z_0.9~"},
    {"call", "{{call .Fn 1 2}}", "3"},
    {"call piped", "{{4 | call .Fn 1}}", "5"},
    // print / println.
    {"print numbers spaced", "{{print 1 2}}", "1 2"},
    {"print strings joined", "{{print \"a\" \"b\"}}", "ab"},
    {"print mixed", "{{print \"a\" 1 \"b\"}}", "a1b"},
    {"print number string number", "{{print 1 \"a\" 2}}", "1a2"},
    {"print missing", "{{print .Missing}}", "<nil>"},
    {"print nil", "{{print nil}}", "<nil>"},
    {"print list", "{{print .List}}", "[1 2 3]"},
    {"print float bool", "{{print 1.5 true}}", "1.5 true"},
    {"print nothing", "[{{print}}]", "[]"},
    {"print object", "{{print .Obj.Inner}}", "{in}"},
    {"print enum", "{{print .Enum1}}", "TPROXY"},
    {"println", "{{println 1 \"a\"}}", "1 a\n"},
    {"println empty", "{{println}}", "\n"},
    // printf: integers.
    {"printf d", "{{printf \"%d\" 42}}", "42"},
    {"printf width", "{{printf \"%5d\" 42}}", "   42"},
    {"printf minus", "{{printf \"%-5d|\" 42}}", "42   |"},
    {"printf zero pad", "{{printf \"%05d\" 42}}", "00042"},
    {"printf zero pad negative", "{{printf \"%05d\" -42}}", "-0042"},
    {"printf plus", "{{printf \"%+d\" 42}}", "+42"},
    {"printf space", "{{printf \"% d\" 42}}", " 42"},
    {"printf precision int", "{{printf \"%.3d\" 7}}", "007"},
    {"printf hex", "{{printf \"%x %X\" 255 255}}", "ff FF"},
    {"printf hex sharp", "{{printf \"%#x\" 255}}", "0xff"},
    {"printf hex negative", "{{printf \"%x\" -255}}", "-ff"},
    {"printf octal", "{{printf \"%o %O\" 8 8}}", "10 0o10"},
    {"printf binary", "{{printf \"%b\" 5}}", "101"},
    {"printf char", "{{printf \"%c%c\" 65 233}}", "A\xc3\xa9"},
    {"printf quoted char", "{{printf \"%q\" 65}}", "'A'"},
    {"printf unicode", "{{printf \"%U\" 65}}", "U+0041"},
    {"printf v int", "{{printf \"%v\" .Int}}", "3"},
    // printf: strings.
    {"printf s", "{{printf \"%s\" \"hi\"}}", "hi"},
    {"printf s width", "{{printf \"%5s|\" \"hi\"}}", "   hi|"},
    {"printf s left", "{{printf \"%-4s|\" \"hi\"}}", "hi  |"},
    {"printf s precision", "{{printf \"%.1s\" \"hi\"}}", "h"},
    {"printf s precision runes", "{{printf \"%.2s\" .Unicode}}", "h\xc3\xa9"},
    {"printf q", "{{printf \"%q\" \"hi\"}}", "\"hi\""},
    {"printf q escapes", "{{printf \"%q\" \"a\\nb\\\"\"}}", "\"a\\nb\\\"\""},
    {"printf q plus", "{{printf \"%+q\" .Unicode}}", "\"h\\u00e9llo\""},
    {"printf q sharp", "{{printf \"%#q\" \"ab\"}}", "`ab`"},
    {"printf x string", "{{printf \"%x\" \"hi\"}}", "6869"},
    {"printf X string", "{{printf \"%X\" \"hi\"}}", "6869"},
    {"printf x string spaced", "{{printf \"% x\" \"hi\"}}", "68 69"},
    {"printf v string", "{{printf \"%v\" .Str}}", "hello"},
    {"printf width unicode", "{{printf \"%6s|\" .Unicode}}", " h\xc3\xa9llo|"},
    // printf: floats.
    {"printf f", "{{printf \"%f\" 3.14159}}", "3.141590"},
    {"printf f precision", "{{printf \"%.2f\" 3.14159}}", "3.14"},
    {"printf f width", "{{printf \"%8.3f\" 3.14159}}", "   3.142"},
    {"printf f zero pad", "{{printf \"%06.2f\" 3.14159}}", "003.14"},
    {"printf f zero pad negative", "{{printf \"%08.3f\" -3.14159}}", "-003.142"},
    {"printf f left", "{{printf \"%-8.2f|\" 3.14159}}", "3.14    |"},
    {"printf f plus", "{{printf \"%+.1f\" 2.0}}", "+2.0"},
    {"printf f round half even", "{{printf \"%.0f %.0f\" 2.5 3.5}}", "2 4"},
    {"printf f big", "{{printf \"%f\" 1e6}}", "1000000.000000"},
    {"printf f negative", "{{printf \"%5.1f\" -2.345}}", " -2.3"},
    {"printf e", "{{printf \"%e\" 1234.5678}}", "1.234568e+03"},
    {"printf E", "{{printf \"%E\" 1234.5678}}", "1.234568E+03"},
    {"printf e precision", "{{printf \"%.2e\" 0.000123}}", "1.23e-04"},
    {"printf g", "{{printf \"%g\" 1234.5678}}", "1234.5678"},
    {"printf g huge", "{{printf \"%g\" 1e21}}", "1e+21"},
    {"printf g precision", "{{printf \"%.3g\" 1234.5678}}", "1.23e+03"},
    {"printf g precision fixed", "{{printf \"%.3g\" 3.14159}}", "3.14"},
    {"printf g tiny", "{{printf \"%g\" 0.00001234}}", "1.234e-05"},
    {"printf G", "{{printf \"%G\" 1e-10}}", "1E-10"},
    {"printf v float", "{{printf \"%v %v %v\" 1e6 2.0 0.1}}", "1e+06 2 0.1"},
    {"printf v float precision", "{{printf \"%.2v\" 3.14159}}", "3.1"},
    {"printf float field", "{{printf \"%.1f\" .FloatInt}}", "15020.0"},
    // printf: other kinds and errors.
    {"printf t", "{{printf \"%t\" true}}", "true"},
    {"printf v bool", "{{printf \"%v\" false}}", "false"},
    {"printf list", "{{printf \"%v\" .List}}", "[1 2 3]"},
    {"printf list d", "{{printf \"%d\" .List}}", "[1 2 3]"},
    {"printf list x", "{{printf \"%x\" .List}}", "[1 2 3]"},
    {"printf list q", "{{printf \"%q\" .Strs}}", "[\"a\" \"b\" \"c\"]"},
    {"printf map", "{{printf \"%v\" .Map}}", "map[a:1 b:2]"},
    {"printf mixed s", "{{printf \"%s\" .Mixed}}",
     "[x %!s(int=1) <nil> %!s(float64=2.5) %!s(bool=true)]"},
    {"printf nil v", "{{printf \"%v\" nil}}", "<nil>"},
    {"printf nil d", "{{printf \"%d\" nil}}", "%!d(<nil>)"},
    {"printf missing arg value", "{{printf \"%v\" .Missing}}", "<nil>"},
    {"printf bad verb string", "{{printf \"%d\" \"hi\"}}", "%!d(string=hi)"},
    {"printf bad verb int", "{{printf \"%s\" 42}}", "%!s(int=42)"},
    {"printf bad verb float", "{{printf \"%d\" 1.5}}", "%!d(float64=1.5)"},
    {"printf bad verb bool", "{{printf \"%d\" true}}", "%!d(bool=true)"},
    {"printf unknown verb", "{{printf \"%z\" 1}}", "%!z(int=1)"},
    {"printf missing", "{{printf \"%d %d\" 1}}", "1 %!d(MISSING)"},
    {"printf extra", "{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)"},
    {"printf extra several", "{{printf \"x\" 1 \"a\"}}", "x%!(EXTRA int=1, string=a)"},
    {"printf extra nil", "{{printf \"x\" nil}}", "x%!(EXTRA <nil>)"},
    {"printf percent", "{{printf \"100%%\"}}", "100%"},
    {"printf no verb", "{{printf \"%\"}}", "%!(NOVERB)"},
    {"printf type", "{{printf \"%T %T %T %T\" 1 \"a\" 1.5 true}}", "int string float64 bool"},
    {"printf type containers", "{{printf \"%T|%T\" .List .Map}}",
     "[]interface {}|map[string]interface {}"},
    {"printf type string map", "{{printf \"%T\" .SMap}}", "map[string]string"},
    {"printf type object", "{{printf \"%T\" .Obj}}", "T"},
    {"printf object v", "{{printf \"%v\" .Obj.Inner}}", "{in}"},
    {"printf enum s", "{{printf \"%s\" .Enum1}}", "TPROXY"},
    {"printf enum q", "{{printf \"%q\" .Enum0}}", "\"REDIRECT\""},
    {"printf arg index", "{{printf \"%[2]d %[1]d\" 1 2}}", "2 1"},
    {"printf star width", "{{printf \"%*d\" 5 42}}", "   42"},
    {"printf star precision", "{{printf \"%.*f\" 2 3.14159}}", "3.14"},
    {"printf bad index", "{{printf \"%[3]d\" 1}}", "%!d(BADINDEX)"},
    {"printf istio style", "{{printf \"istio.%s\" \"sa\"}}", "istio.sa"},
    {"printf type precision", "{{printf \"%.3T|%5.2T\" \"s\" 1.5}}", "str|   fl"},
    {"printf float binary", "{{printf \"%b\" 2.5}}", "5629499534213120p-51"},
    {"printf float hex", "{{printf \"%x|%X|%.2x\" 2.5 100000.0 1.0}}", "0x1.4p+01|0X1.86AP+16|0x1.00p+00"},
    {"printf sharp g", "{{printf \"%#g|%#.3g|%#e\" 1.0 2.0 3.0}}", "1.00000|2.00|3.000000e+00"},
    {"printf sharp precision zero", "{{printf \"%#.0f|%#.0e\" 2.0 2.0}}", "2.|2.e+00"},
    {"printf unicode precision", "{{printf \"%.6U|%08U\" 65 65}}", "U+000041|  U+0041"},
    {"printf unicode sharp", "{{printf \"%#U\" 233}}", "U+00E9 '\xc3\xa9'"},
    {"printf q line separator", "{{printf \"%q\" \"\\u2028\"}}", "\"\\u2028\""},
    {"printf sharp q tab", "{{printf \"%#q\" \"a\\tb\"}}", "`a\tb`"},
    {"printf sharp q newline", "{{printf \"%#q\" \"a\\nb\"}}", "\"a\\nb\""},
    {"js line separator", "{{js \"\\u2028\"}}", "\\u2028"},
    {"printf piped format arg", "{{\"%d-%d\" | printf \"%s\"}}", "%d-%d"},
};

class OutputTest : public ::testing::TestWithParam<Case> {};

TEST_P(OutputTest, Renders) {
  const Case& c = GetParam();
  auto out = run(c.text);
  ASSERT_TRUE(out) << c.text << "\n" << out.error().message;
  EXPECT_EQ(*out, c.want) << c.text;
}

INSTANTIATE_TEST_SUITE_P(Table, OutputTest, ::testing::ValuesIn(kOutput), caseName);

// ---------------------------------------------------------------------------------------
// Execution errors: the message must contain `want`.

const Case kExecErrors[] = {
    {"field of string", "{{.Str.x}}",
     "template: t:1:6: executing \"t\" at <.Str.x>: can't evaluate field x in type string"},
    {"field of int", "{{.Int.x}}", "can't evaluate field x in type int"},
    {"field of list", "{{.List.x}}", "can't evaluate field x in type []interface {}"},
    {"field of nil", "{{.Nil.x}}", "nil pointer evaluating interface {}.x"},
    {"field of nil pointer", "{{.NilPtr.X}}", "nil pointer evaluating *T.X"},
    {"unknown object field", "{{.Obj.Nope}}", "can't evaluate field Nope in type T"},
    {"error position second line", "a\n  {{.Str.x}}", "template: t:2:8: executing \"t\""},
    {"error position single field", "{{.Fn.x}}", "template: t:1:5: executing \"t\" at <.Fn.x>"},
    {"error position variable chain", "{{$s := .Str}}{{$s.x}}", "template: t:1:18:"},
    {"body variable in else", "{{if .False}}{{$z := 1}}{{else}}{{$z}}{{end}}",
     "at <$z>: undefined variable: $z"},
    {"assign undeclared", "{{$x = 1}}", "undefined variable: $x"},
    {"self reference in declaration", "{{$x := $x}}", "at <$x>: undefined variable: $x"},
    {"range assign undeclared", "{{range $x = .Strs}}{{end}}", "undefined variable: $x"},
    {"map field with args", "{{.Str 1}}", "Str is not a method but has arguments"},
    {"piped into field", "{{\"x\" | .Str}}", "Str is not a method but has arguments"},
    {"object field with args", "{{.Obj.Name 1}}", "Name has arguments but cannot be invoked"},
    {"argument to constant", "{{\"x\" 1}}", "can't give argument to non-function \"x\""},
    {"argument to variable", "{{$x := 1}}{{$x 2}}", "can't give argument to non-function $x"},
    {"argument to dot", "{{. 1}}", "can't give argument to non-function ."},
    {"nil command", "{{nil}}", "nil is not a command"},
    {"explicit nil chain", "{{(nil).X}}", "nil is not a command"},
    {"index out of range", "{{index .Strs 3}}",
     "executing \"t\" at <index .Strs 3>: error calling index: index out of range: 3"},
    {"index negative", "{{index .Strs -1}}", "index out of range: -1"},
    {"index list with string", "{{index .Strs \"a\"}}",
     "cannot index slice/array with type string"},
    {"index list with float", "{{index .Strs 1.0}}", "cannot index slice/array with type float64"},
    {"index list with nil", "{{index .Strs nil}}", "cannot index slice/array with nil"},
    {"index map with int", "{{index .Map 1}}", "value has type int; should be string"},
    {"index map with nil", "{{index .Map nil}}", "value is nil; should be of type string"},
    {"index int", "{{index .Int 1}}", "can't index item of type int"},
    {"index missing", "{{index .Missing 1}}", "index of untyped nil"},
    {"index through nil", "{{index .Mixed 2 0}}", "index of nil pointer"},
    {"index object", "{{index .Obj \"Name\"}}", "can't index item of type T"},
    {"index string out of range", "{{index .Str 9}}", "index out of range: 9"},
    {"long context truncated", "{{index .ListOfMaps 1 \"n\" \"zzzzzzz\"}}",
     "at <index .ListOfMaps 1 ...>: error calling index: can't index item of type int"},
    {"slice reversed", "{{slice .Strs 2 1}}", "invalid slice index: 2 > 1"},
    {"slice beyond", "{{slice .Strs 0 4}}", "index out of range: 4"},
    {"slice int", "{{slice .Int 1}}", "can't slice item of type int"},
    {"slice string three", "{{slice .Str 1 2 3}}", "cannot 3-index slice a string"},
    {"slice too many", "{{slice .Strs 1 2 3 4}}", "too many slice indexes: 4"},
    {"slice missing", "{{slice .Missing}}", "slice of untyped nil"},
    {"len int", "{{len .Int}}", "error calling len: len of type int"},
    {"len missing", "{{len .Missing}}", "len of untyped nil"},
    {"len object", "{{len .Obj}}", "len of type T"},
    {"eq int float", "{{eq 1 1.0}}", "error calling eq: incompatible types for comparison"},
    {"eq int string", "{{eq .Int \"3\"}}", "incompatible types for comparison"},
    {"eq list", "{{eq .List .List}}", "invalid type for comparison"},
    {"eq missing", "{{eq .Missing \"x\"}}", "invalid type for comparison"},
    {"eq object", "{{eq .Enum0 \"REDIRECT\"}}", "invalid type for comparison"},
    {"eq one arg", "{{eq 1}}", "missing argument for comparison"},
    {"ne mixed", "{{ne 1 \"a\"}}", "error calling ne: incompatible types for comparison"},
    {"lt bools", "{{lt true false}}", "invalid type for comparison"},
    {"lt int float", "{{lt 1 1.5}}", "incompatible types for comparison"},
    {"gt map", "{{gt .Map 1}}", "invalid type for comparison"},
    {"not arity", "{{not 1 2}}", "wrong number of args for not: want 1 got 2"},
    {"len arity", "{{len}}", "wrong number of args for len: want 1 got 0"},
    {"and arity", "{{and}}", "wrong number of args for and: want at least 1 got 0"},
    {"ne arity", "{{ne 1}}", "wrong number of args for ne: want 2 got 1"},
    {"index arity", "{{index}}", "wrong number of args for index: want at least 1 got 0"},
    {"printf arity", "{{printf}}", "wrong number of args for printf: want at least 1 got 0"},
    {"user arity", "{{upper 1 2}}", "wrong number of args for upper: want 1 got 2"},
    {"user arity piped", "{{\"a\" | upper \"b\"}}", "wrong number of args for upper: want 1 got 2"},
    {"user arity at most", "{{two 1}}", "wrong number of args for two: want 0 got 1"},
    {"user error", "{{boom}}", "at <boom>: error calling boom: boom"},
    {"user error with args", "{{boom 1 2}}", "at <boom 1 2>: error calling boom: boom"},
    {"printf format type", "{{printf 1}}", "wrong type for value; expected string; got int"},
    {"call non function", "{{call .Str}}", "error calling call: non-function of type string"},
    {"call nil", "{{call .Missing}}", "error calling call: call of nil"},
    {"call error", "{{call .Fn}}", "error calling call: need args"},
    {"print func", "{{.Fn}}", "can't print {{.Fn}} of type func"},
    {"range string", "{{range .Str}}{{end}}", "range can't iterate over hello"},
    {"range int", "{{range .Int}}{{end}}", "range can't iterate over 3"},
    {"range object", "{{range .Obj}}{{end}}", "range can't iterate over {2 {in} obj}"},
    {"template not defined", "{{template \"nope\"}}",
     "executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined"},
    {"error inside template names it", "{{define \"T\"}}{{.x}}{{end}}{{template \"T\" 1}}",
     "executing \"T\" at <.x>: can't evaluate field x in type int"},
    {"error inside range", "{{range .List}}{{.x}}{{end}}", "can't evaluate field x in type int"},
    {"short circuit evaluates deciding arg", "{{and true (index .Strs 10)}}",
     "index out of range: 10"},
    {"infinite recursion", "{{define \"L\"}}{{template \"L\" .}}{{end}}{{template \"L\" 1}}",
     "exceeded maximum template depth (1000)"},
};

class ExecErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExecErrorTest, Fails) {
  const Case& c = GetParam();
  static const Value data = testData();
  auto t = Template::parse("t", c.text, testFuncs());
  ASSERT_TRUE(t) << "parse failed: " << t.error().message;
  auto out = t->execute(data);
  ASSERT_FALSE(out) << c.text << " rendered " << *out;
  EXPECT_NE(out.error().message.find(c.want), std::string::npos)
      << c.text << "\n  got:  " << out.error().message << "\n  want: " << c.want;
  EXPECT_EQ(out.error().message.rfind("template: ", 0), 0u) << out.error().message;
}

INSTANTIATE_TEST_SUITE_P(Table, ExecErrorTest, ::testing::ValuesIn(kExecErrors), caseName);

// ---------------------------------------------------------------------------------------
// Parse errors: the message must contain `want`.

const Case kParseErrors[] = {
    {"unclosed action", "{{", "template: t:1:2: unclosed action"},
    {"unclosed action field", "{{.Str", "unclosed action"},
    {"unclosed action second line", "a\nb{{.Str", "template: t:2:"},
    {"unexpected eof", "{{if .True}}", "unexpected EOF"},
    {"unexpected eof range", "{{range .Strs}}x", "unexpected EOF"},
    {"unexpected end", "{{end}}", "unexpected {{end}}"},
    {"unexpected else", "{{else}}", "unexpected {{else}}"},
    {"missing if value", "{{if}}{{end}}", "missing value for if"},
    {"missing range value", "{{range}}{{end}}", "missing value for range"},
    {"missing with value", "{{with}}{{end}}", "missing value for with"},
    {"empty action", "{{}}", "missing value for command"},
    {"undefined function", "{{nope 1}}", "function \"nope\" not defined"},
    {"undefined variable", "{{$x}}", "undefined variable \"$x\""},
    {"variable out of scope", "{{if true}}{{$y := 1}}{{end}}{{$y}}", "undefined variable \"$y\""},
    {"range variable out of scope", "{{range $i, $v := .Strs}}{{end}}{{$i}}",
     "undefined variable \"$i\""},
    {"define has no outer variables", "{{$x := 1}}{{define \"T\"}}{{$x}}{{end}}",
     "undefined variable \"$x\""},
    {"undeclared after scope ends", "{{if true}}{{$x = 1}}{{end}}{{$x}}",
     "undefined variable \"$x\""},
    {"non executable stage", "{{.Str | 1}}", "non executable command in pipeline stage 2"},
    {"non executable string stage", "{{1 | \"a\"}}", "non executable command in pipeline stage 2"},
    {"unclosed paren", "{{(1}}", "unclosed left paren"},
    {"unexpected right paren", "{{1)}}", "unexpected right paren"},
    {"unterminated string", "{{\"abc}}", "unterminated quoted string"},
    {"string with newline", "{{\"a\nb\"}}", "unterminated quoted string"},
    {"unterminated raw string", "{{`abc}}", "unterminated raw quoted string"},
    {"unterminated char", "{{'a}}", "unterminated character constant"},
    {"bad escape", "{{\"\\q\"}}", "invalid syntax"},
    {"bad char constant", "{{'ab'}}", "malformed character constant"},
    {"bad number", "{{3k}}", "bad number syntax: \"3k\""},
    {"bad underscore", "{{1__0}}", "illegal number syntax"},
    {"bad hex", "{{0x}}", "illegal number syntax"},
    {"bad octal digit", "{{0o8}}", "bad number syntax"},
    {"integer overflow", "{{99999999999999999999}}", "integer overflow"},
    {"unclosed comment", "{{/* x", "unclosed comment"},
    {"comment with content", "{{/* x */ 1}}", "comment ends before closing delimiter"},
    {"break outside range", "{{break}}", "{{break}} outside {{range}}"},
    {"continue outside range", "{{if true}}{{continue}}{{end}}", "{{continue}} outside {{range}}"},
    {"break in define", "{{range .Strs}}{{define \"x\"}}{{break}}{{end}}{{end}}",
     "unexpected <define>"},
    {"double else", "{{if .True}}{{else}}{{else}}{{end}}", "expected end; found {{else}}"},
    {"multiple definition", "{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}",
     "multiple definition of template \"a\""},
    {"define without name", "{{define}}{{end}}", "unexpected \"}}\" in define clause"},
    {"define with else", "{{define \"a\"}}{{else}}{{end}}", "unexpected {{else}} in define clause"},
    {"template name not string", "{{template .Str}}", "unexpected \".Str\" in template clause"},
    {"block without name", "{{block 1}}{{end}}", "in block clause"},
    {"dot after field", "{{.Str.}}", "unexpected <.> in operand"},
    {"bad character", "{{.Str!}}", "bad character U+0021 '!'"},
    {"unrecognized character", "{{1 \x01}}", "unrecognized character in action: U+0001"},
    {"field on constant", "{{\"a\".X}}", "unexpected . after term \"\\\"a\\\"\""},
    {"field on nil", "{{nil.X}}", "unexpected . after term \"nil\""},
    {"too many declarations", "{{$a, $b := .Strs}}", "too many declarations in command"},
    {"too many range declarations", "{{range $a, $b, $c := .Strs}}{{end}}",
     "too many declarations in range"},
    {"bad declare", "{{$x := 1}}{{$x : 1}}", "expected :="},
    {"unexpected keyword", "{{1 if}}", "unexpected <if> in operand"},
    {"else if after with", "{{with .Str}}{{else if .Str}}{{end}}", "unexpected <if> in input"},
    {"complex constant", "{{1i}}", "complex"},
};

class ParseErrorTest : public ::testing::TestWithParam<Case> {};

TEST_P(ParseErrorTest, Fails) {
  const Case& c = GetParam();
  auto t = Template::parse("t", c.text, testFuncs());
  ASSERT_FALSE(t) << c.text << " parsed";
  EXPECT_NE(t.error().message.find(c.want), std::string::npos)
      << c.text << "\n  got:  " << t.error().message << "\n  want: " << c.want;
  EXPECT_EQ(t.error().message.rfind("template: t:", 0), 0u) << t.error().message;
}

INSTANTIATE_TEST_SUITE_P(Table, ParseErrorTest, ::testing::ValuesIn(kParseErrors), caseName);

// ---------------------------------------------------------------------------------------
// Custom delimiters (Istio 1.1 parsed its templates with [[ ]]).

struct DelimCase {
  std::string_view name;
  std::string_view left;
  std::string_view right;
  std::string_view text;
  std::string_view want;
};

const DelimCase kDelims[] = {
    {"square", "[[", "]]", "[[.Str]] {{.Str}}", "hello {{.Str}}"},
    {"square trim", "[[", "]]", "a [[- .Int -]] b", "a3b"},
    {"square comment", "[[", "]]", "a[[/* c */]]b", "ab"},
    {"square if", "[[", "]]", "[[if .True]]y[[else]]n[[end]]", "y"},
    {"angle", "<<", ">>", "<<.Str>> <<len .Strs>>", "hello 3"},
    {"single chars", "(", ")", "(.Int)", "3"},
    {"long delims", "<%=", "%>", "<%= .Str %>!", "hello!"},
    {"empty means default", "", "", "{{.Int}}", "3"},
    {"square variables", "[[", "]]", "[[- $x := .Str -]][[ $x ]]", "hello"},
    {"square define", "[[", "]]", "[[define \"T\"]]<[[.]]>[[end]][[template \"T\" 1]]", "<1>"},
};

class DelimTest : public ::testing::TestWithParam<DelimCase> {};

TEST_P(DelimTest, Renders) {
  const DelimCase& c = GetParam();
  ParseOptions options;
  options.delimiters = {std::string(c.left), std::string(c.right)};
  auto t = Template::parse("t", c.text, testFuncs(), options);
  ASSERT_TRUE(t) << t.error().message;
  auto out = t->execute(testData());
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, c.want);
}

INSTANTIATE_TEST_SUITE_P(Table, DelimTest, ::testing::ValuesIn(kDelims),
                         [](const ::testing::TestParamInfo<DelimCase>& info) {
                           std::string s = "d" + std::to_string(info.index) + "_";
                           for (char c : info.param.name) {
                             s.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
                           }
                           return s;
                         });

}  // namespace
}  // namespace sidecar::tmpl::testing
