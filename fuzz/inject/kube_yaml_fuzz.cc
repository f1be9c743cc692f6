// parseYaml -> decodeTyped("Pod") -> toYaml -> parseYaml must never crash, every emitted
// document must read back as the same JSON, typed decoding must be idempotent, and the fast
// YAML reader must agree with the full one whenever it answers.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "kube/documents.h"
#include "kube/schema.h"
#include "kube/yaml.h"
#include "kube/yaml_fast.h"

namespace {

using nlohmann::json;

// json's operator== treats NaN as unequal to itself; the round trip keeps NaN as NaN.
bool sameJson(const json& a, const json& b) {
  if (a.is_number_float() && b.is_number_float() && std::isnan(a.get<double>()) && std::isnan(b.get<double>())) {
    return true;
  }
  if (a.type() != b.type() && !(a.is_number() && b.is_number())) {
    return false;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !sameJson(it.value(), jt.value())) {
        return false;
      }
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (!sameJson(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

void roundTrip(const json& doc) {
  const std::string text = sidecar::kube::toYaml(doc);
  auto back = sidecar::kube::parseYaml(text);
  if (!back) {
    std::fprintf(stderr, "emitted YAML does not parse: %s\n%s\n", back.error().message.c_str(), text.c_str());
    std::abort();
  }
  if (!sameJson(*back, doc)) {
    std::fprintf(stderr, "round trip changed the document:\n%s\n", text.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const auto& d : sidecar::kube::splitDocuments(input)) {
    // Differential: the fast block reader must agree with the full reader when it answers.
    if (auto fast = sidecar::kube::detail::parseYamlFast(d.text)) {
      auto full = sidecar::kube::detail::parseYamlFull(d.text);
      if (!full || !sameJson(*fast, *full)) {
        std::fprintf(stderr, "fast and full YAML readers disagree (%s)\n", full ? "values" : full.error().message.c_str());
        std::abort();
      }
    }
    auto doc = sidecar::kube::parseYaml(d.text);
    if (!doc) {
      continue;
    }
    roundTrip(*doc);
    if (!doc->is_object()) {
      continue;
    }
    auto typed = sidecar::kube::decodeTyped(*doc, "Pod");
    if (!typed) {
      continue;
    }
    roundTrip(*typed);
    auto again = sidecar::kube::decodeTyped(*typed, "Pod");
    if (!again || !sameJson(*again, *typed)) {
      std::fprintf(stderr, "decodeTyped is not idempotent\n");
      std::abort();
    }
  }
  return 0;
}
