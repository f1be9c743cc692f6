#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "kube/yaml.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

json scalarOf(const std::string& text) {
  auto r = parseYaml("v: " + text + "\n");
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
  return r ? (*r)["v"] : json();
}

struct TypingCase {
  std::string text;
  json expected;
};

void PrintTo(const TypingCase& c, std::ostream* os) { *os << c.text << " -> " << c.expected.dump(); }

class PlainScalarTyping : public ::testing::TestWithParam<TypingCase> {};

TEST_P(PlainScalarTyping, ResolvesLikeYamlV2) {
  const auto& c = GetParam();
  const json got = scalarOf(c.text);
  EXPECT_EQ(got.type(), c.expected.type()) << c.text << " -> " << got.dump();
  EXPECT_EQ(got, c.expected) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Yaml11, PlainScalarTyping,
    ::testing::Values(
        TypingCase{"y", true}, TypingCase{"Y", true}, TypingCase{"yes", true}, TypingCase{"Yes", true},
        TypingCase{"YES", true}, TypingCase{"on", true}, TypingCase{"On", true}, TypingCase{"ON", true},
        TypingCase{"true", true}, TypingCase{"True", true}, TypingCase{"TRUE", true}, TypingCase{"n", false},
        TypingCase{"N", false}, TypingCase{"no", false}, TypingCase{"No", false}, TypingCase{"NO", false},
        TypingCase{"off", false}, TypingCase{"Off", false}, TypingCase{"OFF", false}, TypingCase{"false", false},
        TypingCase{"False", false}, TypingCase{"FALSE", false}, TypingCase{"yEs", "yEs"},
        TypingCase{"tRUE", "tRUE"}, TypingCase{"~", nullptr}, TypingCase{"null", nullptr},
        TypingCase{"Null", nullptr}, TypingCase{"NULL", nullptr}, TypingCase{"nULL", "nULL"},
        TypingCase{"", nullptr}, TypingCase{"1337", 1337}, TypingCase{"-42", -42}, TypingCase{"+7", 7},
        TypingCase{"0", 0}, TypingCase{"0x1F", 31}, TypingCase{"0X1f", 31}, TypingCase{"017", 15},
        TypingCase{"0o17", 15}, TypingCase{"0b101", 5}, TypingCase{"-0b101", -5}, TypingCase{"1_000", 1000},
        TypingCase{"08", 8.0}, TypingCase{"1.5", 1.5}, TypingCase{"1e3", 1000.0}, TypingCase{".5", 0.5},
        TypingCase{"-.5", -0.5}, TypingCase{"1.", 1.0}, TypingCase{"1e400", "1e400"},
        TypingCase{"9223372036854775807", std::numeric_limits<int64_t>::max()},
        TypingCase{"-9223372036854775808", std::numeric_limits<int64_t>::min()},
        TypingCase{"18446744073709551615", std::numeric_limits<uint64_t>::max()},
        TypingCase{"18446744073709551616", 18446744073709551616.0}, TypingCase{"0x", "0x"},
        TypingCase{"1:20", "1:20"}, TypingCase{"2001-12-14", "2001-12-14"}, TypingCase{"1.2.3", "1.2.3"},
        TypingCase{"+", "+"}, TypingCase{".", "."}, TypingCase{"abc", "abc"},
        TypingCase{"'1337'", "1337"}, TypingCase{"\"true\"", "true"}, TypingCase{"'~'", "~"},
        TypingCase{"\"\"", ""}, TypingCase{"!!str 12", "12"}, TypingCase{"!!int \"12\"", 12},
        TypingCase{"!!float 3", 3.0}, TypingCase{"100m", "100m"}, TypingCase{"1Gi", "1Gi"}));

TEST(ParseYaml, SpecialFloats) {
  EXPECT_TRUE(std::isnan(scalarOf(".nan").get<double>()));
  EXPECT_TRUE(std::isnan(scalarOf(".NaN").get<double>()));
  EXPECT_EQ(scalarOf(".inf").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(scalarOf("+.Inf").get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(scalarOf("-.INF").get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(scalarOf(".InF").is_string());
}

TEST(ParseYaml, IntegerAndFloatStayDistinct) {
  auto r = parseYaml("a: 2\nb: 2.0\n");
  ASSERT_TRUE(r);
  EXPECT_TRUE((*r)["a"].is_number_integer());
  EXPECT_TRUE((*r)["b"].is_number_float());
}

TEST(ParseYaml, BlockScalars) {
  auto r = parseYaml("lit: |\n  a\n  b\nstrip: |-\n  a\n  b\nkeep: |+\n  a\n\nfold: >\n  a\n  b\n\n  c\nend: 1\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["lit"], "a\nb\n");
  EXPECT_EQ((*r)["strip"], "a\nb");
  EXPECT_EQ((*r)["keep"], "a\n\n");
  EXPECT_EQ((*r)["fold"], "a b\nc\n");
  EXPECT_EQ((*r)["end"], 1);
}

TEST(ParseYaml, BlockScalarOfDigitsIsAString) {
  auto r = parseYaml("a: |-\n  1337\n");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["a"], "1337");
}

TEST(ParseYaml, AnchorsAliasesAndMerge) {
  auto r = parseYaml(
      "base: &b\n  a: 1\n  b: 2\nother: &o\n  b: 20\n  c: 30\n"
      "copy: *b\nmerged:\n  <<: *b\n  b: 3\nmulti:\n  <<: [*b, *o]\n  w: 0\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["copy"], json({{"a", 1}, {"b", 2}}));
  EXPECT_EQ((*r)["merged"], json({{"a", 1}, {"b", 3}}));
  // Earlier maps in a merge list take precedence.
  EXPECT_EQ((*r)["multi"], json({{"a", 1}, {"b", 2}, {"c", 30}, {"w", 0}}));
}

TEST(ParseYaml, QuotedMergeKeyIsAnOrdinaryKey) {
  auto r = parseYaml("'<<': 1\n");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["<<"], 1);
}

TEST(ParseYaml, MergeOfScalarIsAnError) {
  auto r = parseYaml("a:\n  <<: 3\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("map merge requires map"), std::string::npos) << r.error().message;
}

TEST(ParseYaml, Yaml11BooleanKeysBecomeTrueFalse) {
  // ghodss turns the YAML 1.1 boolean `y` key into "true" (a classic Kubernetes surprise).
  auto r = parseYaml("x: 1\ny: 2\nn: 3\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json({{"x", 1}, {"true", 2}, {"false", 3}}));
}

TEST(ParseYaml, NonStringKeysBecomeStringsLikeGhodss) {
  auto r = parseYaml("1: a\n0x10: b\n1.5: c\nyes: d\noff: e\n0.1: f\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, json({{"1", "a"}, {"16", "b"}, {"1.5", "c"}, {"true", "d"}, {"false", "e"}, {"0.1", "f"}}));
}

// The keys that crashed every replica (issue 16): what sigs.k8s.io/yaml makes of numeric keys
// at and beyond the edges of Go's number types. yaml.v2 tries int64, then uint64, then a
// float64; ghodss then formats a float64 key with FormatFloat(k, 'g', -1, 32).
TEST(ParseYaml, NumericKeysAtTheEdgesLikeGo) {
  struct Case {
    std::string key;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"111111111111111111111111111111111111111111111111111111111111111110000", ".inf"},  // > float32
      {"-111111111111111111111111111111111111111111111111111111111111111110000", "-.inf"},
      {"18446744073709551616", "1.8446744e+19"},  // uint64 max + 1: a float64
      {"9223372036854775807", "9223372036854775807"},  // int64 max stays an integer
      {"-9223372036854775808", "-9223372036854775808"},
      {"-9223372036854775809", "-9.223372e+18"},  // below int64, negative: a float64
      {"1e39", ".inf"},
      {"3.4028235e38", "3.4028235e+38"},
      {".inf", ".inf"},
      {"-.Inf", "-.inf"},
      {".NaN", ".nan"},
      {"-0.0", "-0"},
      {"-0", "0"},  // an integer zero has no sign
      {"1e-40", "1e-40"},
      {"1e-50", "0"},
      {"-1e-50", "-0"},
      {"1e400", "1e400"},  // beyond float64: ParseFloat fails, the key stays text
  };
  for (const auto& c : cases) {
    auto r = parseYaml(c.key + ": x\n");
    ASSERT_TRUE(r) << c.key << ": " << r.error().message;
    EXPECT_EQ(*r, json({{c.expected, "x"}})) << c.key;
  }
}

TEST(ParseYaml, Uint64KeyIsAnErrorLikeGhodss) {
  // Between int64 and uint64 yaml.v2 yields a uint64, a key type sigs.k8s.io/yaml rejects.
  auto r = parseYaml("a: 1\n18446744073709551615: x\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("uint64"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
}

TEST(ParseYaml, NullKeyIsAnError) {
  auto r = parseYaml("~: a\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 1"), std::string::npos) << r.error().message;
}

TEST(ParseYaml, CollectionKeyIsAnError) {
  auto r = parseYaml("? [a, b]\n: c\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("map key"), std::string::npos) << r.error().message;
}

TEST(ParseYaml, SyntaxErrorNamesTheLine) {
  auto r = parseYaml("a: 1\nb: 2\nc: [1, 2\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("yaml: line ", 0), 0u) << r.error().message;
}

TEST(ParseYaml, BadIndentationErrorNamesLine3) {
  auto r = parseYaml("a:\n  b: 1\n c: 2\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
}

TEST(ParseYaml, EmptyAndCommentOnlyDocumentsAreNull) {
  auto a = parseYaml("");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_null());
  auto b = parseYaml("# just a comment\n\n");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->is_null());
}

TEST(ParseYaml, OnlyTheFirstDocumentIsRead) {
  auto r = parseYaml("a: 1\n---\nb: 2\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json({{"a", 1}}));
}

TEST(ParseYaml, FlowCollectionsAndNesting) {
  auto r = parseYaml("a: {b: [1, two, {c: null}], d: []}\ne: {}\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, json::parse(R"({"a":{"b":[1,"two",{"c":null}],"d":[]},"e":{}})"));
}

TEST(ParseYaml, LaterDuplicateKeyWins) {
  auto r = parseYaml("a: 1\na: 2\n");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["a"], 2);
}

TEST(ParseYaml, ExcessiveAliasingIsRejected) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) {
      text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    }
    text += "]\n";
  }
  auto r = parseYaml(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("excessive aliasing"), std::string::npos);
}

TEST(ParseYaml, UnknownAliasIsAnError) {
  auto r = parseYaml("a: *nothing\n");
  EXPECT_FALSE(r);
}

TEST(ParseYaml, KubernetesPodSnippet) {
  auto r = parseYaml(R"(apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    version: 1
spec:
  containers:
    - name: hello
      image: "fake.docker.io/google-samples/hello-go-gke:1.0"
      args: [-u, 1337, on]
      ports:
        - containerPort: 80
)");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["metadata"]["labels"]["version"], 1);
  EXPECT_EQ((*r)["spec"]["containers"][0]["args"], json::parse(R"(["-u", 1337, true])"));
  EXPECT_EQ((*r)["spec"]["containers"][0]["ports"][0]["containerPort"], 80);
}

}  // namespace
}  // namespace sidecar::kube

// The fast block-style reader must agree with the full reader wherever it answers.
#include "kube/yaml_fast.h"

namespace sidecar::kube {
namespace {

void expectReadersAgree(const std::string& text, bool fastMustAnswer) {
  auto fast = detail::parseYamlFast(text);
  auto full = detail::parseYamlFull(text);
  if (fastMustAnswer) {
    EXPECT_TRUE(fast.has_value()) << "fast reader declined:\n" << text;
  }
  if (fast) {
    ASSERT_TRUE(full) << full.error().message << "\n" << text;
    EXPECT_EQ(*fast, *full) << text;
  }
}

TEST(FastReader, AnswersForKubernetesStyleDocuments) {
  expectReadersAgree(R"(apiVersion: apps/v1
kind: Deployment   # trailing comment
metadata:
  name: hello
  labels:
    app: hello
    version: "1"
    enabled: 'yes'
spec:
  replicas: 7
  template:
    spec:
      containers:
        - name: hello
          image: "fake.docker.io/google-samples/hello-go-gke:1.0"
          args:
          - --concurrency
          - 2
          - '*'
          - ""
          ports:
            - containerPort: 80
          env:
          - name: JSON
            value: |
              {"a":"b"}
          - name: PORTS
            value: |-
              [
                  {"name":"http"}
              ]
          - name: KEEP
            value: |+
              x

          resources: {}
          volumeMounts: []
# a comment at column 0
      dnsPolicy: ClusterFirst
      nodeSelector:
status: {}
)",
                     true);
}

TEST(FastReader, DeclinesWhatItDoesNotHandle) {
  for (const std::string text :
       {"a: &x 1\nb: *x\n", "a: [1, 2]\n", "a: {b: 1}\n", "a: >\n  folded\n", "a: b\n  continued\n",
        "'multi\n  line': 1\n", "a:\tb\n", "---\na: 1\n", "just a scalar\n", "a: |2\n   x\n", "? a\n: b\n",
        "yes: 1\n", "<<: {a: 1}\n", "a: !!str 1\n", "a: b: c\n", "a: \"esc \\x41\"\n", "a: |\n  x"}) {
    EXPECT_FALSE(detail::parseYamlFast(text).has_value()) << text;
    expectReadersAgree(text, false);
  }
}

TEST(FastReader, EdgeCasesAgree) {
  for (const std::string text :
       {"", "\n", "# only\n", "a:\n", "a:\n- 1\n- 2\nb: 3\n", "- a\n- b: 1\n  c: 2\n- - x\n", "-\n  a: 1\n",
        "a: 'it''s'\n", "a: \"q\\\"\\\\\\n\"\n", "a: b#c\n", "a: b #c\n", "key : v\n", "a:\n  b:\n    c: 1\n  d: 2\n",
        "a: |\n  x\n\n  y\n\n\nb: 1\n", "a: |-\n\n  x\n", "a: |\n  # not a comment\n", "l:\n-\n- x\n",
        "a: 0x10\nb: 1_000\nc: .5\nd: ~\ne: Null\n", "a: caf\xC3\xA9\n", "\"q\": 1\n'r': 2\n",
        "a:\n  - b: 1\n    c:\n    - 2\n", "a: |\n   three\n  two\n"}) {
    expectReadersAgree(text, false);
  }
}

}  // namespace
}  // namespace sidecar::kube

#include "kube/yaml_scalar.h"

namespace sidecar::kube {
namespace {

TEST(PlainScalarIsString, AgreesWithTheResolver) {
  for (const std::string s : {"", "a", "yes", "Yes", "no", "nope", "true", "~", "null", "1", "0x1F", "1e3", ".5", ".inf",
                              ".x", "-", "-1", "+", "2001-12-14", "hello", "on", "Off", "t", "N", "o"}) {
    EXPECT_EQ(detail::plainScalarIsString(s), detail::resolvePlainScalar(s).is_string()) << s;
  }
}

}  // namespace
}  // namespace sidecar::kube
