// Every template of the shared Istio 1.30 corpus (the chart's sidecar, gateway, grpc-*,
// waypoint, kube-gateway, agentgateway and the cases' custom ones) parses with Istio 1.30's
// function set and Go 1.22 semantics, as istiod's parseDryTemplate requires.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "inject/template_functions_istio130.h"
#include "kube/yaml.h"

namespace sidecar::inject {
namespace {

TEST(Istio130Templates, AllCorpusTemplatesParse) {
  const std::filesystem::path cases =
      std::filesystem::path(SIDECAR_CONFORMANCE_DIR) / "istio-1.30" / "kube-inject";
  const auto funcs = makeIstio130Functions(nullptr);
  size_t parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cases)) {
    std::ifstream in(entry.path() / "inject-config.yaml");
    if (!in) {
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto doc = kube::parseYaml(text.str());
    ASSERT_TRUE(doc) << entry.path() << ": " << doc.error().message;
    ASSERT_TRUE(doc->contains("templates")) << entry.path();
    for (const auto& [name, body] : (*doc)["templates"].items()) {
      tmpl::ParseOptions options;
      options.goVersion = tmpl::GoVersion::Go122;
      auto t = tmpl::Template::parse(name, body.get<std::string>(), funcs, options);
      EXPECT_TRUE(t) << entry.path().filename() << " " << name << ": " << t.error().message;
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 0u);
}

}  // namespace
}  // namespace sidecar::inject
