// The engine's public API beyond single renders: named templates, output reuse, function
// maps and their context, limits, concurrency, and Value's Go-style printing.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "template/template.h"
#include "test/template/test_objects.h"

namespace sidecar::tmpl::testing {
namespace {

std::shared_ptr<const FuncMap> noFuncs() { return std::make_shared<FuncMap>(); }

TEST(TemplateApi, NameIsKept) {
  auto t = Template::parse("inject", "x", noFuncs());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name(), "inject");
}

TEST(TemplateApi, NullFunctionMapIsAllowed) {
  auto t = Template::parse("t", "{{len .}}", nullptr);
  ASSERT_TRUE(t) << t.error().message;
  auto out = t->execute(Value("abc"));
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "3");
}

TEST(TemplateApi, ExecuteNamedRunsDefinitions) {
  auto t = Template::parse("main", "{{define \"a\"}}A{{.}}{{end}}{{define \"b\"}}B{{end}}main",
                           noFuncs());
  ASSERT_TRUE(t) << t.error().message;
  auto a = t->executeNamed("a", Value(1));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, "A1");
  auto main = t->executeNamed("main", Value());
  ASSERT_TRUE(main);
  EXPECT_EQ(*main, "main");
  auto missing = t->executeNamed("zzz", Value());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "template: no template \"zzz\" associated with template \"main\"");
}

TEST(TemplateApi, ExecuteIntoAppendsAndKeepsPartialOutputOnError) {
  auto t = Template::parse("t", "a{{.x}}b{{index . \"x\" 5}}c", noFuncs());
  ASSERT_TRUE(t);
  std::string out = "prefix:";
  auto r = t->executeInto(out, makeMap({{"x", Value("1")}}));
  ASSERT_FALSE(r);
  EXPECT_EQ(out, "prefix:a1b");
  EXPECT_NE(r.error().message.find("error calling index: index out of range: 5"), std::string::npos);

  auto ok = Template::parse("t", "[{{.}}]", noFuncs());
  std::string buf;
  ASSERT_TRUE(ok->executeInto(buf, Value(1)));
  ASSERT_TRUE(ok->executeInto(buf, Value(2)));
  EXPECT_EQ(buf, "[1][2]");
}

TEST(TemplateApi, UserFunctionsShadowBuiltins) {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "len",
      [](std::span<const Value>, const CallContext&) -> Expected<Value> { return Value(42); }, 1,
      1);
  auto t = Template::parse("t", "{{len \"abc\"}}", funcs);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t->execute(Value()), "42");
}

TEST(TemplateApi, FunctionsResolveAtParseTime) {
  auto t = Template::parse("t", "{{frob 1}}", noFuncs());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "template: t:1:2: function \"frob\" not defined");
}

TEST(TemplateApi, ArityRangesAreChecked) {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "f",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        return Value(static_cast<int64_t>(args.size()));
      },
      1, 2);
  auto t = Template::parse("t", "{{f}}|{{f 1 2 3}}", funcs);
  ASSERT_TRUE(t);
  auto r = t->execute(Value());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("wrong number of args for f: want at least 1 got 0"),
            std::string::npos);
  auto t2 = Template::parse("t", "{{f 1 2 3}}", funcs);
  auto r2 = t2->execute(Value());
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("wrong number of args for f: want at most 2 got 3"),
            std::string::npos);
  auto t3 = Template::parse("t", "{{f 1}}{{2 | f 1}}", funcs);
  EXPECT_EQ(*t3->execute(Value()), "12");
}

TEST(TemplateApi, CallContextLetsFunctionsRenderWithSameDataAndFunctions) {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "shout",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        return Value(args[0].print() + "!");
      },
      1, 1);
  funcs->add(
      "render",
      [](std::span<const Value> args, const CallContext& ctx) -> Expected<Value> {
        std::shared_ptr<const FuncMap> view(std::shared_ptr<const FuncMap>{}, &ctx.funcs);
        auto t = Template::parse("render", args[0].asString(), view);
        if (!t) {
          return Unexpected<Error>(t.error());
        }
        auto out = t->execute(ctx.root);
        if (!out) {
          return Unexpected<Error>(out.error());
        }
        return Value(*out);
      },
      1, 1);
  Value data = makeMap({{"ns", Value("prod")},
                        {"searches", makeList({Value("{{ shout .ns }}.global"), Value("x")})}});
  auto t2 = Template::parse("t", "{{range .searches}}[{{render .}}]{{end}}", funcs);
  ASSERT_TRUE(t2) << t2.error().message;
  auto out = t2->execute(data);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "[prod!.global][x]");
}

TEST(TemplateApi, NestingDepthIsCappedAtParseTime) {
  std::string deep = "{{" + std::string(500, '(') + "1" + std::string(500, ')') + "}}";
  auto t = Template::parse("t", deep, noFuncs());
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("nesting depth"), std::string::npos) << t.error().message;

  std::string ifs;
  for (int i = 0; i < 400; ++i) {
    ifs += "{{if true}}";
  }
  auto t2 = Template::parse("t", ifs, noFuncs());
  ASSERT_FALSE(t2);
  EXPECT_NE(t2.error().message.find("nesting depth"), std::string::npos);

  std::string fine = "{{" + std::string(50, '(') + "1" + std::string(50, ')') + "}}";
  auto t3 = Template::parse("t", fine, noFuncs());
  ASSERT_TRUE(t3) << t3.error().message;
  EXPECT_EQ(*t3->execute(Value()), "1");
}

TEST(TemplateApi, DeepTemplateRecursionFailsCleanly) {
  // Each level nests an if and a with before recursing, the heaviest realistic frame.
  auto t = Template::parse(
      "t",
      "{{define \"r\"}}{{if .}}{{with .}}{{template \"r\" .}}{{end}}{{end}}{{end}}{{template \"r\" 1}}",
      noFuncs());
  ASSERT_TRUE(t);
  auto out = t->execute(Value());
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("exceeded maximum template depth (1000)"), std::string::npos)
      << out.error().message;
}

TEST(TemplateApi, DeepRecursionOnWorkerThreadStack) {
  auto t = Template::parse(
      "t", "{{define \"r\"}}{{template \"r\" (print . \"x\")}}{{end}}{{template \"r\" \"\"}}",
      noFuncs());
  ASSERT_TRUE(t);
  bool failed = false;
  std::thread worker([&] { failed = !t->execute(Value()); });
  worker.join();
  EXPECT_TRUE(failed);
}

TEST(TemplateApi, BoundedRecursionSucceeds) {
  auto t = Template::parse(
      "t", "{{define \"r\"}}{{if .}}{{template \"r\" (slice . 1)}}{{end}}{{end}}{{template \"r\" .}}done",
      noFuncs());
  ASSERT_TRUE(t) << t.error().message;
  List items(900, Value(1));
  auto out = t->execute(makeList(std::move(items)));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "done");
}

TEST(TemplateApi, StepBudgetStopsExponentialTemplates) {
  auto t = Template::parse(
      "t",
      "{{define \"a\"}}{{if .}}{{template \"a\" (slice . 1)}}{{template \"a\" (slice . 1)}}"
      "{{end}}{{end}}{{template \"a\" .}}",
      noFuncs());
  ASSERT_TRUE(t);
  std::string out;
  ExecuteOptions options;
  options.maxSteps = 10000;
  auto r = t->executeInto(out, makeList(List(30, Value(1))), options);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("execution exceeded 10000 steps"), std::string::npos)
      << r.error().message;
}

TEST(TemplateApi, StepBudgetAllowsNormalWork) {
  auto t = Template::parse("t", "{{range .}}{{.}}{{end}}", noFuncs());
  std::string out;
  ExecuteOptions options;
  options.maxSteps = 100;
  ASSERT_TRUE(t->executeInto(out, makeList({Value(1), Value(2), Value(3)}), options));
  EXPECT_EQ(out, "123");
}

TEST(TemplateApi, OutputBudgetCountsOnlyThisExecution) {
  auto t = Template::parse("t", "{{range .}}0123456789{{end}}", noFuncs());
  List items(100, Value(1));
  Value data = makeList(items);
  ExecuteOptions options;
  options.maxOutputBytes = 500;
  std::string out(10000, 'x');  // existing content does not count
  auto r = t->executeInto(out, data, options);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("byte limit"), std::string::npos);
  EXPECT_LE(out.size(), 10000u + 510u);
  options.maxOutputBytes = 1000;
  std::string ok;
  EXPECT_TRUE(t->executeInto(ok, data, options));
  EXPECT_EQ(ok.size(), 1000u);
}

TEST(TemplateApi, HugeOutputIsFine) {
  List items;
  for (int i = 0; i < 20000; ++i) {
    items.push_back(Value(i));
  }
  auto t = Template::parse("t", "{{range .}}{{.}},{{printf \"%100s\" \"\"}}{{end}}", noFuncs());
  auto out = t->execute(makeList(std::move(items)));
  ASSERT_TRUE(out);
  EXPECT_GT(out->size(), 20000u * 100);
  EXPECT_EQ(out->substr(0, 3), "0, ");
}

TEST(TemplateApi, HostFunctionExceptionsBecomeErrors) {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add("throws", [](std::span<const Value>, const CallContext&) -> Expected<Value> {
    throw std::runtime_error("kaboom");
  });
  auto t = Template::parse("t", "a{{throws}}", funcs);
  ASSERT_TRUE(t);
  auto out = t->execute(Value());
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("kaboom"), std::string::npos);
}

TEST(TemplateApi, ConcurrentExecutionOfOneTemplate) {
  auto funcs = std::make_shared<FuncMap>();
  funcs->add(
      "twice",
      [](std::span<const Value> args, const CallContext&) -> Expected<Value> {
        return Value(args[0].print() + args[0].print());
      },
      1, 1);
  auto t = Template::parse(
      "t",
      "{{define \"item\"}}<{{.name}}:{{twice .n}}>{{end}}"
      "{{$total := 0}}{{range $i, $e := .items}}{{if $i}},{{end}}{{template \"item\" $e}}"
      "{{$total = $i}}{{end}}|{{$total}}|{{.id}}",
      funcs);
  ASSERT_TRUE(t) << t.error().message;
  constexpr int kThreads = 8;
  constexpr int kIterations = 300;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(kThreads, 0);
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      List items;
      std::string expect;
      for (int i = 0; i < 5; ++i) {
        std::string name = "t" + std::to_string(th) + "i" + std::to_string(i);
        items.push_back(makeMap({{"name", Value(name)}, {"n", Value(th * 10 + i)}}));
        expect += (i ? "," : "") + std::string("<") + name + ":" + std::to_string(th * 10 + i) +
                  std::to_string(th * 10 + i) + ">";
      }
      expect += "|4|" + std::to_string(th);
      Value data = makeMap({{"items", makeList(items)}, {"id", Value(th)}});
      for (int k = 0; k < kIterations; ++k) {
        auto out = t->execute(data);
        if (!out || *out != expect) {
          ++mismatches[th];
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (int th = 0; th < kThreads; ++th) {
    EXPECT_EQ(mismatches[th], 0) << "thread " << th;
  }
}

TEST(TemplateApi, TemplateCopiesShareTheParse) {
  auto t = Template::parse("t", "{{.}}", noFuncs());
  ASSERT_TRUE(t);
  Template copy = *t;
  EXPECT_EQ(*copy.execute(Value(5)), "5");
  EXPECT_EQ(copy.name(), "t");
}

TEST(TemplateApi, InvalidUtf8IsPassedThrough) {
  std::string text = "\xff\xfe{{.}}\xc3";
  auto t = Template::parse("t", text, noFuncs());
  ASSERT_TRUE(t);
  auto out = t->execute(Value("\x80"));
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "\xff\xfe\x80\xc3");
  auto q = Template::parse("t", "{{printf \"%q\" .}}", noFuncs());
  EXPECT_EQ(*q->execute(Value("a\xff")), "\"a\\xff\"");
}

// Value: Go's truth, printing and type names.

struct PrintCase {
  Value value;
  std::string printed;
  std::string type;
  bool truth;
};

TEST(ValueTest, PrintTypeAndTruth) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<PrintCase> cases = {
      {Value(), "<no value>", "<nil>", false},
      {Value::nil(), "<nil>", "<nil>", false},
      {Value(true), "true", "bool", true},
      {Value(false), "false", "bool", false},
      {Value(0), "0", "int", false},
      {Value(int64_t{-12}), "-12", "int", true},
      {Value(0.0), "0", "float64", false},
      {Value(15020.0), "15020", "float64", true},
      {Value(1e6), "1e+06", "float64", true},
      {Value(123456.0), "123456", "float64", true},
      {Value(0.1), "0.1", "float64", true},
      {Value(3.5e-05), "3.5e-05", "float64", true},
      {Value(1e21), "1e+21", "float64", true},
      {Value(1.0 / 3), "0.3333333333333333", "float64", true},
      {Value(-2.5), "-2.5", "float64", true},
      {Value(inf), "+Inf", "float64", true},
      {Value(-inf), "-Inf", "float64", true},
      {Value(std::nan("")), "NaN", "float64", true},
      {Value(""), "", "string", false},
      {Value("x"), "x", "string", true},
      {makeList({}), "[]", "[]interface {}", false},
      {makeList({Value("a"), Value(1), Value::nil(), makeList({Value(2)})}), "[a 1 <nil> [2]]",
       "[]interface {}", true},
      {makeMap({}), "map[]", "map[string]interface {}", false},
      {makeMap({{"b", Value(2)}, {"a", makeMap({{"c", Value("d")}})}}), "map[a:map[c:d] b:2]",
       "map[string]interface {}", true},
      {makeStringMap({{"k", Value("v")}}), "map[k:v]", "map[string]string", true},
      {Value(ListPtr{}), "<nil>", "<nil>", false},
      {Value(std::make_shared<const NilPointer>("*T")), "<nil>", "*T", false},
      {Value(std::make_shared<const EnumObject>("E", 0, std::vector<std::string>{"ZERO"})),
       "ZERO", "E", false},
      {makeStruct("S", {{"A", Value(1)}}), "{1}", "S", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.value.print(), c.printed);
    EXPECT_EQ(c.value.typeName(), c.type) << c.printed;
    EXPECT_EQ(c.value.truth(), c.truth) << c.printed;
  }
}

TEST(ValueTest, MissingKeyDefaultsFollowMapType) {
  auto t = Template::parse("t", "[{{index .s \"x\"}}][{{index .i \"x\"}}][{{.s.x}}]", noFuncs());
  ASSERT_TRUE(t);
  Value data = makeMap({{"s", makeStringMap({})}, {"i", makeMap({})}});
  EXPECT_EQ(*t->execute(data), "[][<no value>][<no value>]");
}

}  // namespace
}  // namespace sidecar::tmpl::testing
