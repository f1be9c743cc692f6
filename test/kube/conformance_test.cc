// Checks the codec against Go's own output (Istio 1.4 and 1.1 kube-inject goldens): every expected.yaml of the Istio 1.4 kube-inject
// corpus was written by Go's typed marshaller, so each document must be a fixed point of
// parse -> decodeTyped(kind) and must be re-emitted byte for byte by toYaml.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "kube/documents.h"
#include "kube/json_patch.h"
#include "kube/schema.h"
#include "kube/yaml.h"
#include "kube/yaml_fast.h"

namespace sidecar::kube {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Case directories relative to the corpus root, e.g. "istio-1.4/kube-inject/hello".
std::vector<std::string> caseDirs(const std::string& suite, const std::string& marker) {
  std::vector<std::string> names;
  const fs::path root = fs::path(KUBE_CONFORMANCE_DIR) / suite;
  if (!fs::exists(root)) {
    return names;
  }
  for (const auto& entry : fs::directory_iterator(root)) {
    if (fs::exists(entry.path() / marker)) {
      names.push_back(suite + "/" + entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Istio 1.1 decoded Deployments as extensions/v1beta1 (older struct tags), so only its text is
// compared; the typed fixed point is checked against the 1.4 (Kubernetes 1.16) goldens.
std::vector<std::string> goldenCases() {
  auto names = caseDirs("istio-1.4/kube-inject", "expected.yaml");
  for (auto& n : caseDirs("istio-1.1/kube-inject", "expected.yaml")) {
    names.push_back(n);
  }
  return names;
}

std::string testName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (auto& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      c = '_';
    }
  }
  return n;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GoldenOutput : public ::testing::TestWithParam<std::string> {
 protected:
  std::string text() const {
    return readFile(fs::path(KUBE_CONFORMANCE_DIR) / GetParam() / "expected.yaml");
  }
};

TEST_P(GoldenOutput, EmitterReproducesGoTextExactly) {
  const std::string all = text();
  int docs = 0;
  for (const auto& d : splitDocuments(all)) {
    auto parsed = parseYaml(d.text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    if (parsed->is_null()) {
      continue;
    }
    ++docs;
    // Go's output is plain block YAML: the fast reader must take it and agree.
    auto fast = detail::parseYamlFast(d.text);
    auto full = detail::parseYamlFull(d.text);
    ASSERT_TRUE(full) << full.error().message;
    if (parsed->is_object() && parsed->contains("kind") && (*parsed)["kind"].is_string() &&
        isKnownKind((*parsed)["kind"].get<std::string>())) {
      EXPECT_TRUE(fast.has_value()) << "fast reader declined the document at line " << d.firstLine;
    }
    if (fast) {
      EXPECT_EQ(*fast, *full);
    }
    const std::string again = toYaml(*parsed);
    auto back = parseYaml(again);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, *parsed);
    // Documents of other kinds are copied through verbatim by kube-inject, not re-emitted.
    if (parsed->is_object() && parsed->contains("kind") && (*parsed)["kind"].is_string() &&
        isKnownKind((*parsed)["kind"].get<std::string>())) {
      EXPECT_EQ(again, std::string(d.text)) << "document at line " << d.firstLine;
    }
  }
  EXPECT_GT(docs, 0);
}

class GoldenTyped : public GoldenOutput {};

TEST_P(GoldenTyped, GoOutputIsAFixedPointOfTypedDecode) {
  const std::string all = text();
  for (const auto& d : splitDocuments(all)) {
    auto parsed = parseYaml(d.text);
    ASSERT_TRUE(parsed) << parsed.error().message;
    if (!parsed->is_object() || !parsed->contains("kind") || !(*parsed)["kind"].is_string() || !isKnownKind((*parsed)["kind"].get<std::string>())) {
      continue;
    }
    json doc = *parsed;
    auto typed = decodeTyped(doc, doc["kind"].get<std::string>());
    ASSERT_TRUE(typed) << typed.error().message;
    if (doc["kind"] == "List") {
      // Items are RawExtensions at the List level; normalise each known item by its kind.
      for (auto& item : (*typed)["items"]) {
        if (item.is_object() && item.contains("kind") && isKnownKind(item["kind"].get<std::string>())) {
          auto t = decodeTyped(item, item["kind"].get<std::string>());
          ASSERT_TRUE(t) << t.error().message;
          item = *t;
        }
      }
    }
    EXPECT_EQ(*typed, doc) << "document at line " << d.firstLine << "\n--- typed:\n"
                           << toYaml(*typed) << "--- expected:\n"
                           << d.text;
  }
}

INSTANTIATE_TEST_SUITE_P(Istio, GoldenOutput, ::testing::ValuesIn(goldenCases()), testName);
INSTANTIATE_TEST_SUITE_P(Istio14, GoldenTyped, ::testing::ValuesIn(caseDirs("istio-1.4/kube-inject", "expected.yaml")),
                         testName);

// The webhook goldens: Go's JSON patch applied to the request's pod gives the expected pod.
class WebhookGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(WebhookGolden, GoldenPatchTurnsRequestIntoExpectedPod) {
  const fs::path dir = fs::path(KUBE_CONFORMANCE_DIR) / GetParam();
  const json review = json::parse(readFile(dir / "admission-review.json"));
  const json patch = json::parse(readFile(dir / "golden.patch"));
  const json expected = json::parse(readFile(dir / "expected-pod.json"));
  auto patched = applyPatch(review["request"]["object"], patch);
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ(*patched, expected);
}

INSTANTIATE_TEST_SUITE_P(Istio14, WebhookGolden, ::testing::ValuesIn(caseDirs("istio-1.4/webhook", "golden.patch")),
                         testName);

}  // namespace
}  // namespace sidecar::kube
