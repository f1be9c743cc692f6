// strategicMergePatch over arbitrary original/patch documents must never crash, must fail
// only with an Error, must return the original for an empty or null patch, and must give the
// same result for the same input (no dependence on iteration order or earlier runs).
//
// Input: two JSON documents separated by the first NUL byte (original, then patch); without
// a NUL the whole input is the patch over a small pod.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kube/strategic_merge.h"

namespace {

using nlohmann::json;

constexpr std::string_view kDefaultOriginal =
    R"({"metadata":{"name":"p","labels":{"app":"a"},"finalizers":["x","y"]},)"
    R"("spec":{"containers":[{"name":"app","image":"a","ports":[{"containerPort":80}],)"
    R"("env":[{"name":"A","value":"1"}]}],"volumes":[{"name":"v","emptyDir":{}}]}})";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "strategic merge invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view originalText =
      nul == std::string_view::npos ? kDefaultOriginal : input.substr(0, nul);
  const std::string_view patchText = nul == std::string_view::npos ? input : input.substr(nul + 1);
  const json original = json::parse(originalText, nullptr, /*allow_exceptions=*/false);
  const json patch = json::parse(patchText, nullptr, /*allow_exceptions=*/false);
  if (original.is_discarded() || patch.is_discarded()) {
    return 0;
  }
  using sidecar::kube::SchemaVersion;
  for (auto version : {SchemaVersion::Kubernetes116, SchemaVersion::Kubernetes135}) {
    if (original.is_object()) {
      auto same = sidecar::kube::strategicMergePatch(original, json::object(), "Pod", version);
      check(same && *same == original, "an empty patch changed the original");
      auto nullPatch = sidecar::kube::strategicMergePatch(original, nullptr, "Pod", version);
      check(nullPatch && *nullPatch == original, "a null patch changed the original");
    }
    auto first = sidecar::kube::strategicMergePatch(original, patch, "Pod", version);
    auto second = sidecar::kube::strategicMergePatch(original, patch, "Pod", version);
    check(static_cast<bool>(first) == static_cast<bool>(second),
          "the same input both failed and succeeded");
    if (first) {
      check(first->is_object(), "the result is not an object");
      check(*first == *second, "the same input gave two results");
    } else {
      check(!first.error().message.empty(), "an error without a message");
    }
  }
  return 0;
}
