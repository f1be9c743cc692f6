// The report objects against the CRD's openAPIV3Schema (crds/sidecardriftreports.yaml): every
// field the builder writes must be declared with the right type, and enums must hold.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "controller/drift/report.h"
#include "drift_fixtures.h"
#include "kube/yaml.h"

namespace sidecar::drift {
namespace {

using namespace testing;

// A structural-schema subset: type, properties, items, enum, required, minimum.
void validate(const json& value, const json& schema, const std::string& path, std::vector<std::string>& errors) {
  std::string type = schema.value("type", "");
  auto typeOk = [&] {
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "boolean") return value.is_boolean();
    return true;
  };
  if (!typeOk()) {
    errors.push_back(path + ": want " + type + ", got " + value.dump());
    return;
  }
  if (auto e = schema.find("enum"); e != schema.end() && std::find(e->begin(), e->end(), value) == e->end()) {
    errors.push_back(path + ": " + value.dump() + " not in enum");
  }
  if (auto m = schema.find("minimum"); m != schema.end() && value.is_number() && value.get<double>() < m->get<double>()) {
    errors.push_back(path + ": below minimum");
  }
  if (type == "object") {
    const json props = schema.value("properties", json::object());
    for (const auto& [k, v] : value.items()) {
      if (!props.contains(k)) {
        if (path != ".metadata") {
          errors.push_back(path + "." + k + ": not in the schema (would be pruned)");
        }
        continue;
      }
      validate(v, props[k], path + "." + k, errors);
    }
    for (const auto& r : schema.value("required", json::array())) {
      if (!value.contains(r.get<std::string>())) {
        errors.push_back(path + ": missing required " + r.get<std::string>());
      }
    }
  }
  if (type == "array" && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      validate(value[i], schema["items"], path + "[" + std::to_string(i) + "]", errors);
    }
  }
}

TEST(CrdSchemaTest, ReportsMatchTheCrd) {
  std::ifstream in(CRD_FILE);
  std::stringstream text;
  text << in.rdbuf();
  auto crd = kube::parseYaml(text.str());
  ASSERT_TRUE(crd.has_value()) << crd.error().message;
  const json& version = (*crd)["spec"]["versions"][0];
  ASSERT_EQ(std::string(kReportApiVersion), (*crd)["spec"]["group"].get<std::string>() + "/" + version["name"].get<std::string>());
  ASSERT_EQ((*crd)["spec"]["names"]["kind"], kReportKind);
  EXPECT_EQ((*crd)["spec"]["scope"], "Cluster");
  const json& schema = version["schema"]["openAPIV3Schema"];

  auto config = compileOrDie();
  ASSERT_NE(config, nullptr);
  DriftTracker tracker;
  tracker.setConfig(config);
  ASSERT_TRUE(tracker.upsertObject(workload("StatefulSet", "a", "db", "OnDelete")).has_value());
  ASSERT_TRUE(tracker.upsertObject(pdb("a", "db", json{{"matchLabels", {{"app", "db"}}}}, 0)).has_value());
  ASSERT_TRUE(tracker.upsertPod(PodBuilder("a", "db-0").owner("StatefulSet", "db").label("app", "db").injected("x")).has_value());
  ASSERT_TRUE(tracker.upsertPod(PodBuilder("a", "bad").annotation("sidecar.istio.io/interceptionMode", "NO")).has_value());
  ASSERT_TRUE(tracker.upsertPod(PodBuilder("b", "j").owner("Job", "j").injected(config->version, "old:1")).has_value());
  ASSERT_TRUE(tracker.upsertPod(PodBuilder("b", "o").annotation("sidecar.istio.io/inject", "false").injected(config->version)).has_value());
  ASSERT_TRUE(tracker.upsertPod(PodBuilder("c", "m")).has_value());
  // A manually injected (kube-inject) Deployment: the ManualReinject strategy.
  json manualRs = ownedBy(workload("ReplicaSet", "c", "cli-1"), "Deployment", "cli");
  manualRs["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/status"] = R"({"version":"old"})";
  ASSERT_TRUE(tracker.upsertObject(manualRs).has_value());
  ASSERT_TRUE(tracker.upsertPod(PodBuilder("c", "cli-1-a").owner("ReplicaSet", "cli-1")
                                    .annotation("sidecar.istio.io/inject", "false").injected("old")).has_value());
  auto summary = summarize(tracker);
  std::set<std::string> strategies;
  for (const auto& w : summary.workloads) {
    strategies.insert(std::string(strategyName(w.strategy)));
  }
  EXPECT_TRUE(strategies.count("ManualReinject")) << ::testing::PrintToString(strategies);
  auto reports = buildReports(summary, formatRfc3339(std::chrono::system_clock::now()));
  ASSERT_EQ(reports.size(), 4u);
  std::set<std::string> reasonsSeen;
  for (const auto& r : reports) {
    std::vector<std::string> errors;
    validate(r, schema, "", errors);
    EXPECT_TRUE(errors.empty()) << r["metadata"]["name"] << ":\n" << ::testing::PrintToString(errors);
    for (const auto& [k, v] : r["status"]["reasons"].items()) {
      reasonsSeen.insert(k);
    }
  }
  EXPECT_EQ(reasonsSeen.size(), kReasonCount);  // every reason went through the schema
}

}  // namespace
}  // namespace sidecar::drift
