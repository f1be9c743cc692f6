#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "kube/go_format.h"
#include "kube/yaml.h"
#include "kube/yaml_fast.h"

namespace sidecar::kube {
namespace {

using nlohmann::json;

std::string emitValue(const json& v) { return toYaml(json{{"k", v}}); }

struct QuoteCase {
  std::string value;
  std::string expectedLine;  // the emitted "k: ..." text
};

void PrintTo(const QuoteCase& c, std::ostream* os) {
  *os << json(c.value).dump(-1, ' ', true, json::error_handler_t::replace);
}

class EmitterQuoting : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(EmitterQuoting, QuotesOnlyWhenNeeded) {
  const auto& c = GetParam();
  EXPECT_EQ(emitValue(c.value), "k: " + c.expectedLine + "\n") << "value: " << json(c.value).dump();
}

INSTANTIATE_TEST_SUITE_P(
    YamlV2, EmitterQuoting,
    ::testing::Values(
        QuoteCase{"hello", "hello"}, QuoteCase{"1337", "\"1337\""}, QuoteCase{"15020", "\"15020\""},
        QuoteCase{"true", "\"true\""}, QuoteCase{"yes", "\"yes\""}, QuoteCase{"on", "\"on\""},
        QuoteCase{"Off", "\"Off\""}, QuoteCase{"y", "\"y\""}, QuoteCase{"null", "\"null\""},
        QuoteCase{"~", "\"~\""}, QuoteCase{"", "\"\""}, QuoteCase{"*", "'*'"}, QuoteCase{"1.5", "\"1.5\""},
        QuoteCase{"1e3", "\"1e3\""}, QuoteCase{".inf", "\".inf\""}, QuoteCase{"0x1F", "\"0x1F\""},
        QuoteCase{"1:20", "\"1:20\""}, QuoteCase{"2001-12-14", "\"2001-12-14\""},
        QuoteCase{"2001-12-14T21:59:43.10-05:00", "\"2001-12-14T21:59:43.10-05:00\""},
        QuoteCase{"2001-2-30", "2001-2-30"}, QuoteCase{"2001-12-14 1:2:3", "\"2001-12-14 1:2:3\""},
        QuoteCase{" lead", "' lead'"}, QuoteCase{"trail ", "'trail '"}, QuoteCase{"a: b", "'a: b'"},
        QuoteCase{"a #b", "'a #b'"}, QuoteCase{"a#b", "a#b"}, QuoteCase{"a:b", "a:b"},
        QuoteCase{"key:", "'key:'"}, QuoteCase{"- item", "'- item'"}, QuoteCase{"-item", "-item"},
        QuoteCase{"-", "'-'"}, QuoteCase{"--concurrency", "--concurrency"}, QuoteCase{"---", "'---'"},
        QuoteCase{"&a", "'&a'"}, QuoteCase{"!x", "'!x'"}, QuoteCase{"%x", "'%x'"}, QuoteCase{"@x", "'@x'"},
        QuoteCase{"`x", "'`x'"}, QuoteCase{"{a}", "'{a}'"}, QuoteCase{"[a]", "'[a]'"}, QuoteCase{"a,b", "a,b"},
        QuoteCase{"it's", "it's"}, QuoteCase{"'q'", "'''q'''"}, QuoteCase{"\"q\"", "'\"q\"'"},
        QuoteCase{"tab\there", "\"tab\\there\""}, QuoteCase{"bell\a", "\"bell\\a\""},
        QuoteCase{std::string("nul\0x", 5), "\"nul\\0x\""}, QuoteCase{"caf\xC3\xA9", "caf\xC3\xA9"},
        QuoteCase{"smile\xF0\x9F\x98\x80", "\"smile\\U0001F600\""}, QuoteCase{"<<", "\"<<\""},
        QuoteCase{"$(POD_NAMESPACE).svc.cluster.local", "$(POD_NAMESPACE).svc.cluster.local"},
        QuoteCase{"fake.docker.io/google-samples/hello-go-gke:1.0", "fake.docker.io/google-samples/hello-go-gke:1.0"},
        QuoteCase{"{\"version\":\"\",\"containers\":null}", "'{\"version\":\"\",\"containers\":null}'"},
        QuoteCase{"a\nb", "|-\n  a\n  b"}, QuoteCase{"a\nb\n", "|\n  a\n  b"},
        QuoteCase{"a\n\n", "|+\n  a\n"}, QuoteCase{" a\nb", "|2-\n   a\n  b"},
        QuoteCase{"a \nb", "\"a \\nb\""}, QuoteCase{"a\n b", "|-\n  a\n   b"},
        QuoteCase{"a\tb\nc", "\"a\\tb\\nc\""}));

TEST(Emitter, Scalars) {
  EXPECT_EQ(emitValue(nullptr), "k: null\n");
  EXPECT_EQ(emitValue(true), "k: true\n");
  EXPECT_EQ(emitValue(false), "k: false\n");
  EXPECT_EQ(emitValue(42), "k: 42\n");
  EXPECT_EQ(emitValue(-7), "k: -7\n");
  EXPECT_EQ(emitValue(std::numeric_limits<uint64_t>::max()), "k: 18446744073709551615\n");
  EXPECT_EQ(emitValue(0.5), "k: 0.5\n");
  EXPECT_EQ(emitValue(2.0), "k: 2\n");
  EXPECT_EQ(emitValue(1e21), "k: 1e+21\n");
  EXPECT_EQ(emitValue(1.5e-7), "k: 1.5e-07\n");
  EXPECT_EQ(emitValue(std::numeric_limits<double>::infinity()), "k: .inf\n");
  EXPECT_EQ(emitValue(json::object()), "k: {}\n");
  EXPECT_EQ(emitValue(json::array()), "k: []\n");
}

TEST(Emitter, TopLevelValues) {
  EXPECT_EQ(toYaml(json::object()), "{}\n");
  EXPECT_EQ(toYaml(json::array()), "[]\n");
  EXPECT_EQ(toYaml(nullptr), "null\n");
  EXPECT_EQ(toYaml("x"), "x\n");
  EXPECT_EQ(toYaml("a\nb"), "|-\n  a\n  b\n");
  EXPECT_EQ(toYaml(json::array({1, "a"})), "- 1\n- a\n");
}

TEST(Emitter, BlockLayoutLikeKubectl) {
  const json doc = json::parse(R"({
    "spec": {"containers": [{"name": "a", "args": ["x", "1"], "ports": [{"containerPort": 80}]}],
             "empty": {}, "nested": [[1, 2], [], {"a": 1}]},
    "kind": "Pod"})");
  EXPECT_EQ(toYaml(doc),
            "kind: Pod\n"
            "spec:\n"
            "  containers:\n"
            "  - args:\n"
            "    - x\n"
            "    - \"1\"\n"
            "    name: a\n"
            "    ports:\n"
            "    - containerPort: 80\n"
            "  empty: {}\n"
            "  nested:\n"
            "  - - 1\n"
            "    - 2\n"
            "  - []\n"
            "  - a: 1\n");
}

TEST(Emitter, LiteralInsideSequenceItemIndentsUnderTheItem) {
  const json doc = json::parse(R"({"env": [{"name": "X", "value": "[\n    {}\n]"}]})");
  EXPECT_EQ(toYaml(doc), "env:\n- name: X\n  value: |-\n    [\n        {}\n    ]\n");
}

// Found by kube_yaml_fuzz: a key written longer than YAML's 1024-character limit for implicit
// keys did not read back. Such keys take the explicit `? key` form, whatever their value.
TEST(Emitter, KeysBeyondTheImplicitKeyLimitReadBack) {
  const std::string plain(1500, 'k');
  const std::string quoted = std::string(1100, 'q') + ": #";
  const std::string escaped(600, '\x01');  // 600 bytes, 3600 as written (\x01 each)
  const json doc = {{plain, "v"},
                    {quoted, {{"nested", 1}, {plain, {1, 2}}}},
                    {escaped, json::array({"a", {{"b", true}}})},
                    {"short", "stays simple"}};
  const std::string text = toYaml(doc);
  EXPECT_NE(text.find("? " + plain), std::string::npos);
  EXPECT_NE(text.find("short: stays simple"), std::string::npos);
  auto back = parseYaml(text);
  ASSERT_TRUE(back) << back.error().message << "\n" << text.substr(0, 300);
  EXPECT_EQ(*back, doc);
}

TEST(Emitter, KeysAreQuotedLikeValues) {
  const json doc = json::parse(R"({"1337": 1, "": 2, "a b": 3, "yes": 4, "x\ny": 5, "traffic.sidecar.istio.io/x": 6})");
  EXPECT_EQ(toYaml(doc),
            "\"\": 2\n\"1337\": 1\na b: 3\ntraffic.sidecar.istio.io/x: 6\n\"x\\ny\": 5\n\"yes\": 4\n");
}

TEST(Emitter, LongPlainTextFoldsAtColumn80) {
  std::string words;
  for (int i = 0; i < 30; ++i) {
    words += (i ? " word" : "word") + std::to_string(i);
  }
  const std::string out = emitValue(words);
  EXPECT_NE(out.find("\n  "), std::string::npos) << out;
  auto back = parseYaml(out);
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)["k"], words);
}

TEST(Emitter, InvalidUtf8GoesBinary) {
  const std::string bad = "a\xFF\xFE";
  const std::string out = emitValue(bad);
  EXPECT_NE(out.find("!!binary"), std::string::npos);
  auto back = parseYaml(out);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ((*back)["k"].get<std::string>(), bad);
}

TEST(GoFormat, FloatFormatting) {
  EXPECT_EQ(formatGoFloat(1.5), "1.5");
  EXPECT_EQ(formatGoFloat(1e6), "1e+06");
  EXPECT_EQ(formatGoFloat(123456.0), "123456");
  EXPECT_EQ(formatGoFloat(0.0001), "0.0001");
  EXPECT_EQ(formatGoFloat(0.00001), "1e-05");
  EXPECT_EQ(formatGoFloat(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(formatGoFloat(0.1, 32), "0.1");
  EXPECT_EQ(formatGoFloat(3.14159265358979, 32), "3.1415927");
  EXPECT_EQ(formatGoFloat(0.0), "0");
  EXPECT_EQ(formatGoFloat(1e21), "1e+21");
}

// strconv.FormatFloat(v, 'g', -1, 32) narrows to float32 first: these are Go's outputs.
TEST(GoFormat, Float32NarrowingLikeGo) {
  EXPECT_EQ(formatGoFloat(1.1111111111111112e68, 32), "+Inf");  // finite double, no float32
  EXPECT_EQ(formatGoFloat(-1e39, 32), "-Inf");
  EXPECT_EQ(formatGoFloat(3.4028234663852886e38, 32), "3.4028235e+38");  // FLT_MAX
  // Within half an ulp of FLT_MAX rounds down to it; the halfway point rounds to infinity.
  EXPECT_EQ(formatGoFloat(0x1.fffffefffffffp+127, 32), "3.4028235e+38");
  EXPECT_EQ(formatGoFloat(0x1.ffffffp+127, 32), "+Inf");
  EXPECT_EQ(formatGoFloat(1e-40, 32), "1e-40");   // a float32 denormal
  EXPECT_EQ(formatGoFloat(1e-45, 32), "1e-45");   // the smallest float32 denormal
  EXPECT_EQ(formatGoFloat(1e-50, 32), "0");       // underflows to zero
  EXPECT_EQ(formatGoFloat(-1e-50, 32), "-0");     // and keeps its sign
  EXPECT_EQ(formatGoFloat(-0.0, 32), "-0");
  EXPECT_EQ(formatGoFloat(-0.0), "-0");
  EXPECT_EQ(formatGoFloat(5e-324), "5e-324");     // the smallest float64 denormal
  EXPECT_EQ(formatGoFloat(1.8446744073709552e19, 32), "1.8446744e+19");
  EXPECT_EQ(formatGoFloat(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(formatGoFloat(std::numeric_limits<double>::infinity(), 32), "+Inf");
  EXPECT_EQ(formatGoFloat(std::nan(""), 32), "NaN");
}

TEST(GoFormat, YamlFloatKeysLikeSigsYaml) {
  EXPECT_EQ(formatYamlFloatKey(1.1111111111111112e68), ".inf");
  EXPECT_EQ(formatYamlFloatKey(-1e300), "-.inf");
  EXPECT_EQ(formatYamlFloatKey(std::numeric_limits<double>::infinity()), ".inf");
  EXPECT_EQ(formatYamlFloatKey(-std::numeric_limits<double>::infinity()), "-.inf");
  EXPECT_EQ(formatYamlFloatKey(std::nan("")), ".nan");
  EXPECT_EQ(formatYamlFloatKey(1.5), "1.5");
  EXPECT_EQ(formatYamlFloatKey(-0.0), "-0");
}

// Round trip over generated documents full of tricky strings.
std::string randomString(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a",  "Z", "0",   "1",  "9",  " ",   "  ",   "\n",   "\t",   ":",    ": ",   "#",   " #",   "-",   "- ",
      "?",  "'", "\"",  "\\", "[",  "]",   "{",    "}",    ",",    "&",    "*",    "!",   "|",    ">",   "%",
      "@",  "`", "yes", "no", "on", "off", "true", "null", "~",    ".inf", ".nan", "0x",  "0o",   "1e3", "1_0",
      "e",  ".", "+",   "<<", "---", "...", "\xC3\xA9", "\xE2\x80\xA8", "\xF0\x9F\x98\x80", "\r", "\x01", "\x7F",
      "\xC2\x85", "\xEF\xBB\xBF", "2001-12-14", "1:20", "=", "%2F", "word"};
  std::uniform_int_distribution<size_t> len(0, 6);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::string s;
  const size_t n = len(rng);
  for (size_t i = 0; i < n; ++i) {
    s += pieces[pick(rng)];
  }
  return s;
}

json randomValue(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 5 : 8);
  switch (kind(rng)) {
    case 0:
      return nullptr;
    case 1:
      return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2:
      return std::uniform_int_distribution<int64_t>(-100000, 100000)(rng);
    case 3:
      return std::uniform_real_distribution<double>(-1e3, 1e3)(rng);
    case 4:
    case 5:
      return randomString(rng);
    case 6:
    case 7: {
      json obj = json::object();
      const int n = std::uniform_int_distribution<int>(0, 4)(rng);
      for (int i = 0; i < n; ++i) {
        obj[randomString(rng)] = randomValue(rng, depth + 1);
      }
      return obj;
    }
    default: {
      json arr = json::array();
      const int n = std::uniform_int_distribution<int>(0, 4)(rng);
      for (int i = 0; i < n; ++i) {
        arr.push_back(randomValue(rng, depth + 1));
      }
      return arr;
    }
  }
}

TEST(Emitter, RoundTripPropertyOverGeneratedDocuments) {
  std::mt19937 rng(20191114);
  int fastAnswers = 0;
  for (int i = 0; i < 20000; ++i) {
    const json doc = randomValue(rng, 0);
    const std::string text = toYaml(doc);
    // Both readers must accept and agree on everything the emitter writes.
    auto full = detail::parseYamlFull(text);
    ASSERT_TRUE(full) << "iteration " << i << ": " << full.error().message << "\n" << text;
    if (auto fast = detail::parseYamlFast(text)) {
      ++fastAnswers;
      ASSERT_TRUE(*fast == *full) << "iteration " << i << "\n" << text;
    }
    auto back = parseYaml(text);
    ASSERT_TRUE(back) << "iteration " << i << ": " << back.error().message << "\n" << text;
    if (*back != doc) {
      FAIL() << "iteration " << i << "\n" << text << "\n" << doc.dump(-1, ' ', true, json::error_handler_t::replace)
             << "\nparsed back as\n" << back->dump(-1, ' ', true, json::error_handler_t::replace);
    }
  }
  // The generator is adversarial (tabs, control characters, odd quoting), yet the fast
  // reader should still take a good share of the documents.
  EXPECT_GT(fastAnswers, 1000);
}

TEST(Emitter, RoundTripOfEveryPieceAsValueAndKey) {
  for (const std::string s : {"", " ", "\n", "\n\n", " \n", "\n ", "a\n", "a\n\n\n", "\n\na", "  a  ", "a  b",
                              "#", "a #", "a: ", "- -", "'", "''", "\"\\", "\t", "\r\n", "x\r", "\xC2\xA0",
                              "\xE2\x80\xA9", "---\nx", "...", "|", ">", "? x", "?x", ":x", "0b1", "-0", "+.5",
                              "1_0.5", ".e1", "12:30:45", "2001-12-14t21:59:43.10-05:00"}) {
    const json doc = {{s, s}, {"list", {s, json::array({s})}}};
    const std::string text = toYaml(doc);
    auto back = parseYaml(text);
    ASSERT_TRUE(back) << back.error().message << "\n" << text;
    EXPECT_TRUE(*back == doc) << text << "\n" << back->dump(-1, ' ', true, json::error_handler_t::replace);
  }
}

}  // namespace
}  // namespace sidecar::kube
