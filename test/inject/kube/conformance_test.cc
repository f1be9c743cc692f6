// Checks the codec against Go's own output: every expected.yaml of the Istio 1.4 kube-inject
// corpus was written by Go's typed marshaller, so each document must be a fixed point of
// parse -> decodeTyped(kind) and must be re-emitted byte for byte by toYaml.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "inject/kube/documents.h"
#include "inject/kube/schema.h"
#include "inject/kube/yaml.h"

namespace sidecar::kube {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  const fs::path root = fs::path(KUBE_CONFORMANCE_DIR) / "istio-1.4" / "kube-inject";
  for (const auto& entry : fs::directory_iterator(root)) {
    if (fs::exists(entry.path() / "expected.yaml")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
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
    return readFile(fs::path(KUBE_CONFORMANCE_DIR) / "istio-1.4" / "kube-inject" / GetParam() / "expected.yaml");
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

TEST_P(GoldenOutput, GoOutputIsAFixedPointOfTypedDecode) {
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

INSTANTIATE_TEST_SUITE_P(Istio14, GoldenOutput, ::testing::ValuesIn(caseNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) {
                               c = '_';
                             }
                           }
                           return n;
                         });

}  // namespace
}  // namespace sidecar::kube
