// Runs the injection templates shipped with the shared conformance corpus (Istio 1.4 with
// {{ }} and Istio 1.1 with [[ ]] delimiters) through the engine over Istio-shaped data.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test/template/istio_fixture.h"

#ifndef SIDECAR_CONFORMANCE_DIR
#error "SIDECAR_CONFORMANCE_DIR must point at the shared conformance corpus"
#endif

namespace sidecar::tmpl::testing {
namespace {

namespace fs = std::filesystem;

struct Case {
  fs::path dir;
  bool legacyDelims;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (auto [sub, legacy] : {std::pair{"istio-1.4/kube-inject", false},
                             std::pair{"istio-1.4/webhook", false},
                             std::pair{"istio-1.1/kube-inject", true}}) {
    fs::path root = fs::path(SIDECAR_CONFORMANCE_DIR) / sub;
    if (!fs::exists(root)) {
      continue;
    }
    for (const auto& entry : fs::directory_iterator(root)) {
      if (fs::exists(entry.path() / "inject-config.yaml")) {
        out.push_back({entry.path(), legacy});
      }
    }
  }
  return out;
}

Value loadValues(const fs::path& dir) {
  fs::path file = dir / "values.yaml";
  if (!fs::exists(file)) {
    return Value();
  }
  return yamlToValue(YAML::LoadFile(file.string()));
}

TEST(IstioConformance, CorpusIsPresent) { EXPECT_GE(cases().size(), 30u); }

TEST(IstioConformance, EveryInjectionTemplateParsesAndRenders) {
  auto funcs = istioFunctions();
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.dir.string());
    YAML::Node config = YAML::LoadFile((c.dir / "inject-config.yaml").string());
    ASSERT_TRUE(config["template"]) << "no template key";
    std::string text = config["template"].as<std::string>();
    ParseOptions options;
    if (c.legacyDelims) {
      options.delimiters = {"[[", "]]"};
    }
    auto tmpl = Template::parse("inject", text, funcs, options);
    ASSERT_TRUE(tmpl) << tmpl.error().message;
    auto out = tmpl->execute(istioData(loadValues(c.dir)));
    ASSERT_TRUE(out) << out.error().message;
    // The rendered text is the SidecarInjectionSpec YAML the injector decodes.
    YAML::Node spec;
    ASSERT_NO_THROW(spec = YAML::Load(*out)) << *out;
    ASSERT_TRUE(spec["containers"]) << *out;
    ASSERT_TRUE(spec["containers"].IsSequence()) << *out;
    EXPECT_EQ(spec["containers"][0]["name"].as<std::string>(), "istio-proxy") << *out;
    EXPECT_EQ(out->find("<no value>"), std::string::npos) << *out;
  }
}

TEST(IstioConformance, Istio14TemplateRendersExpectedFragments) {
  fs::path dir = fs::path(SIDECAR_CONFORMANCE_DIR) / "istio-1.4/kube-inject/frontend";
  if (!fs::exists(dir)) {
    GTEST_FAIL() << "missing " << dir;
  }
  YAML::Node config = YAML::LoadFile((dir / "inject-config.yaml").string());
  auto tmpl = Template::parse("inject", config["template"].as<std::string>(), istioFunctions());
  ASSERT_TRUE(tmpl) << tmpl.error().message;
  auto out = tmpl->execute(istioData(loadValues(dir)));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_NE(out->find("- --serviceCluster\n  - \"hello.$(POD_NAMESPACE)\""), std::string::npos)
      << *out;
  EXPECT_NE(out->find("- --drainDuration\n  - \"45s\""), std::string::npos) << *out;
  EXPECT_NE(out->find("- --concurrency\n  - \"2\""), std::string::npos) << *out;
  EXPECT_NE(out->find("value: \"REDIRECT\""), std::string::npos) << *out;
  EXPECT_NE(out->find("secretName: istio.default"), std::string::npos) << *out;
  EXPECT_NE(out->find("value: kubernetes://apis/apps/v1/namespaces/default/deployments/hello"),
            std::string::npos)
      << *out;
  EXPECT_NE(out->find("\"sidecar.istio.io/userVolumeMount\":\"{}\"}"), std::string::npos) << *out;
  // The ISTIO_META_POD_PORTS range keeps the template's separators between ports.
  EXPECT_NE(out->find("[\n          {\"containerPort\":80}\n          ,{\"containerPort\":9090}\n      ]"),
            std::string::npos)
      << *out;
}

}  // namespace
}  // namespace sidecar::tmpl::testing
