// Runs the built `sidecar-injector drift` on the fixture files in testdata/.

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct CliRun {
  int status = -1;
  std::string out;
};

CliRun drift(const std::string& extra) {
  const std::string d = DRIFT_TESTDATA;
  std::string cmd = std::string(SIDECAR_BINARY) + " drift --pods " + d + "/pods.json --namespaces " + d +
                    "/namespaces.json --replicasets " + d + "/replicasets.json --workloads " + d +
                    "/workloads.json --webhookConfigFile " + d + "/mwc.yaml --injectConfigFile " + d +
                    "/inject-config.yaml --meshConfigFile " + d + "/mesh.yaml --valuesFile " + d + "/values.yaml " +
                    extra + " 2>&1";
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    return r;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    r.out.append(buf.data(), n);
  }
  r.status = pclose(pipe);
  return r;
}

TEST(DriftCli, TableListsWorkloadsByImpact) {
  CliRun r = drift("");
  ASSERT_EQ(r.status, 0) << r.out;
  auto db = r.out.find("StatefulSet/db");
  auto api = r.out.find("Deployment/api");
  auto debug = r.out.find("Pod/debug");
  ASSERT_NE(db, std::string::npos) << r.out;
  ASSERT_NE(api, std::string::npos);
  ASSERT_NE(debug, std::string::npos);
  EXPECT_LT(db, api);
  EXPECT_LT(api, debug);
  EXPECT_NE(r.out.find("kubectl -n shop delete pod db-2 --wait && kubectl -n shop delete pod db-1"), std::string::npos);
  EXPECT_NE(r.out.find("kubectl -n legacy rollout restart deployment/web"), std::string::npos);
  EXPECT_NE(r.out.find("CronJob/report"), std::string::npos);
  EXPECT_NE(r.out.find("9/11 pods drifted in 6 workloads"), std::string::npos);
  EXPECT_EQ(r.out.find("Deployment/ok"), std::string::npos);
}

TEST(DriftCli, JsonReports) {
  CliRun r = drift("-o json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  ASSERT_EQ(doc["items"].size(), 4u);
  const auto& cluster = doc["items"][3];
  EXPECT_EQ(cluster["metadata"]["name"], "cluster");
  EXPECT_EQ(cluster["status"]["driftedPods"], 9);
  EXPECT_EQ(cluster["status"]["totalPods"], 11);
  const auto& shop = doc["items"][2]["status"];
  EXPECT_EQ(shop["workloads"][0]["pdb"]["name"], "db");
  EXPECT_EQ(shop["workloads"][0]["restartStrategy"], "DeletePodsOneByOne");
}

TEST(DriftCli, ProposedValuesPreview) {
  CliRun r = drift("--proposedValuesFile " + std::string(DRIFT_TESTDATA) + "/values-upgraded.yaml");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Deployment/ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0->1/1"), std::string::npos);
  // Already StaleProxyImage today: the upgrade adds nothing for cart.
  EXPECT_EQ(r.out.find("Deployment/cart"), std::string::npos);
}

TEST(DriftCli, BadInputNamesTheItem) {
  CliRun r = drift("--output nope");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--output"), std::string::npos);
  CliRun missing = drift("--namespaces /nonexistent/ns.json");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("/nonexistent/ns.json"), std::string::npos) << missing.out;
}

}  // namespace
