// Runs the real binary the way users and the conformance checker do, and checks its
// contract: exit codes, what goes to stdout vs stderr, and errors that name their cause.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/documents.h"
#include "kube/yaml.h"

namespace {

struct CliRun {
  int exitCode = -1;
  std::string out;
  std::string err;
};

// Runs `sidecar-injector <args>` through the shell, capturing stdout and stderr separately.
CliRun run(const std::string& args, const std::string& stdinFile = "/dev/null") {
  auto dir = std::filesystem::temp_directory_path() / ("cli_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto errPath = dir / "stderr";
  // No ambient cluster: these tests are about files (cluster reads have their own e2e tests).
  std::string cmd = "env -u KUBECONFIG -u KUBERNETES_SERVICE_HOST " + std::string(SIDECAR_BINARY) +
                    " " + args + " <" + stdinFile + " 2>" + errPath.string();
  CliRun r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    return r;
  }
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    r.out.append(buf.data(), n);
  }
  int status = ::pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(errPath);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

std::vector<nlohmann::json> documents(const std::string& text) {
  std::vector<nlohmann::json> docs;
  for (const auto& d : sidecar::kube::splitDocuments(text)) {
    auto j = sidecar::kube::parseYaml(d.text);
    if (j && !j->is_null()) {
      docs.push_back(*j);
    }
  }
  return docs;
}

const nlohmann::json* findContainer(const nlohmann::json& podSpec, const std::string& name) {
  auto containers = podSpec.find("containers");
  if (containers == podSpec.end() || !containers->is_array()) {
    return nullptr;
  }
  for (const auto& c : *containers) {
    if (c.value("name", "") == name) {
      return &c;
    }
  }
  return nullptr;
}

const std::string kSamples = SIDECAR_SAMPLES;
const std::string kData = SIDECAR_TESTDATA;

TEST(CliTest, KubeInjectWithBuiltInDefaultsInjectsTheSleepSample) {
  CliRun r = run("kube-inject -f " + kSamples + "/sleep.yaml");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("using the built-in injection config"), std::string::npos);
  auto docs = documents(r.out);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0]["kind"], "ServiceAccount");
  EXPECT_EQ(docs[1]["kind"], "Service");
  const auto& spec = docs[2]["spec"]["template"]["spec"];
  ASSERT_NE(findContainer(spec, "sleep"), nullptr);
  const auto* proxy = findContainer(spec, "istio-proxy");
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ(proxy->value("image", ""), "docker.io/istio/proxyv2:1.4.10");
  ASSERT_EQ(spec["initContainers"].size(), 1u);
  EXPECT_EQ(spec["initContainers"][0]["name"], "istio-init");
  // The service account picks the certificate secret.
  bool certs = false;
  for (const auto& v : spec["volumes"]) {
    certs |= v.value("name", "") == "istio-certs" && v["secret"]["secretName"] == "istio.sleep";
  }
  EXPECT_TRUE(certs);
  auto status = nlohmann::json::parse(
      docs[2]["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/status"]
          .template get<std::string>());
  EXPECT_EQ(status["containers"], nlohmann::json::array({"istio-proxy"}));
  EXPECT_EQ(status["version"].template get<std::string>().size(), 64u);
}

// Issue 16: both used to die with SIGSEGV in the float formatting of a map key.
TEST(CliTest, NumericMapKeysBeyondFloat32AreGoStringsNotCrashes) {
  CliRun r = run("kube-inject -f " + kData + "/float32-overflow-key.yaml");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto docs = documents(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_EQ(docs[1]["spec"]["template"]["metadata"]["labels"][".inf"], "v") << r.out;

  CliRun values = run("kube-inject --valuesFile " + kData + "/values-huge-key.yaml -f " + kSamples +
                      "/sleep.yaml");
  ASSERT_EQ(values.exitCode, 0) << values.err;
  EXPECT_NE(values.out.find("istio-proxy"), std::string::npos);
}

TEST(CliTest, KubeInjectIsIdempotent) {
  CliRun once = run("kube-inject -f " + kSamples + "/sleep.yaml");
  ASSERT_EQ(once.exitCode, 0);
  auto tmp = std::filesystem::temp_directory_path() / "cli_test_once.yaml";
  std::ofstream(tmp) << once.out;
  CliRun twice = run("kube-inject -f " + tmp.string());
  ASSERT_EQ(twice.exitCode, 0) << twice.err;
  EXPECT_EQ(documents(once.out), documents(twice.out));
}

TEST(CliTest, KubeInjectReadsStandardInputAndWritesOutputFile) {
  auto out = std::filesystem::temp_directory_path() / "cli_test_out.yaml";
  std::filesystem::remove(out);
  CliRun r = run("kube-inject -f - -o " + out.string(), kSamples + "/sleep.yaml");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(documents(ss.str()).size(), 3u);
}

TEST(CliTest, InvalidAnnotationFailsNamingDocumentAndAnnotation) {
  CliRun r = run("kube-inject -f " + kData + "/invalid-annotation.yaml");
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("traffic.sidecar.istio.io/excludeInboundPorts"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("document 2"), std::string::npos) << r.err;
  // The document before the failing one has already been written, as istioctl does.
  EXPECT_EQ(documents(r.out).size(), 1u);
}

TEST(CliTest, MalformedYamlNamesTheLine) {
  CliRun r = run("kube-inject -f " + kData + "/malformed.yaml");
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("line"), std::string::npos) << r.err;
}

TEST(CliTest, HostNetworkWorkloadPassesUnchangedWithAMessage) {
  CliRun r = run("kube-inject -f " + kData + "/host-network.yaml");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("host networking"), std::string::npos) << r.err;
  auto docs = documents(r.out);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(findContainer(docs[0]["spec"], "istio-proxy"), nullptr);
}

TEST(CliTest, MissingFileAndUnknownFlagsAreUsageErrors) {
  EXPECT_EQ(run("kube-inject").exitCode, 2);
  EXPECT_EQ(run("kube-inject --no-such-flag -f x").exitCode, 2);
  CliRun missing = run("kube-inject -f /nonexistent/file.yaml");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find("/nonexistent/file.yaml"), std::string::npos);
  EXPECT_EQ(run("no-such-command").exitCode, 2);
}

TEST(CliTest, CheckInjectExplainsBothSides) {
  std::string base = "check-inject -f " + kSamples + "/sleep.yaml --webhookConfigFile " + kData +
                     "/webhook-config.yaml --namespaceFile ";
  CliRun labelled = run(base + kData + "/namespace-labelled.yaml");
  ASSERT_EQ(labelled.exitCode, 0) << labelled.err;
  EXPECT_NE(labelled.out.find("webhook:  called"), std::string::npos) << labelled.out;
  EXPECT_NE(labelled.out.find("[policy_enabled]"), std::string::npos) << labelled.out;
  EXPECT_NE(labelled.out.find("3. annotation sidecar.istio.io/inject: not set"), std::string::npos)
      << labelled.out;
  EXPECT_NE(labelled.out.find("result:   injected"), std::string::npos) << labelled.out;

  CliRun unlabelled = run(base + kData + "/namespace-unlabelled.yaml");
  ASSERT_EQ(unlabelled.exitCode, 0) << unlabelled.err;
  EXPECT_NE(unlabelled.out.find("NOT called"), std::string::npos) << unlabelled.out;
  EXPECT_NE(unlabelled.out.find("namespaceSelector"), std::string::npos) << unlabelled.out;
}

TEST(CliTest, CheckInjectReportsOptOutAndFailingInjection) {
  CliRun optOut = run("check-inject -f " + kData + "/opt-out.yaml");
  ASSERT_EQ(optOut.exitCode, 0) << optOut.err;
  EXPECT_NE(optOut.out.find("[annotation_disabled]"), std::string::npos) << optOut.out;
  CliRun bad = run("check-inject -f " + kData + "/invalid-annotation.yaml");
  ASSERT_EQ(bad.exitCode, 0) << bad.err;
  EXPECT_NE(bad.out.find("injection FAILS [invalid_annotation]"), std::string::npos) << bad.out;
}

TEST(CliTest, ServeRejectsABadCacheSize) {
  CliRun bad = run("serve --injectionCacheMiB 12x --self-signed --port 0");
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("--injectionCacheMiB: '12x' is not a whole number from 0 to 1048576"),
            std::string::npos)
      << bad.err;
}

// A typo in --driftInterval used to parse as 0 and turn drift off without a word.
TEST(CliTest, ServeRejectsABadDriftInterval) {
  for (const std::string bad : {"6o", "60s", "-1", "", "99999999999999999999"}) {
    CliRun r = run("serve --driftInterval '" + bad + "' --self-signed --port 0");
    EXPECT_EQ(r.exitCode, 2) << bad;
    EXPECT_NE(r.err.find("--driftInterval: '" + bad + "' is not a whole number"), std::string::npos)
        << r.err;
  }
}

TEST(CliTest, CheckInjectExplainsEveryPodOfAList) {
  // What `kubectl get pods -o yaml` prints for several pods.
  CliRun list = run("check-inject -f " + kData + "/pod-list.yaml --webhookConfigFile " + kData +
                    "/webhook-config.yaml --namespaceFile " + kData + "/namespace-labelled.yaml");
  ASSERT_EQ(list.exitCode, 0) << list.err;
  EXPECT_NE(list.out.find("Pod/web-1 "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Pod/web-2 "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("[annotation_disabled]"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("result:   injected"), std::string::npos) << list.out;
}

TEST(CliTest, CheckInjectRejectsAWrongOrEmptyNamespaceFile) {
  std::string base = "check-inject -f " + kSamples + "/sleep.yaml --webhookConfigFile " + kData +
                     "/webhook-config.yaml --namespaceFile ";
  CliRun empty = run(base + "/dev/null");
  EXPECT_EQ(empty.exitCode, 1);
  EXPECT_NE(empty.err.find("expected a Namespace, found nothing (empty file)"), std::string::npos)
      << empty.err;
  CliRun wrong = run(base + kData + "/webhook-config.yaml");
  EXPECT_EQ(wrong.exitCode, 1);
  EXPECT_NE(wrong.err.find("expected a Namespace, found kind MutatingWebhookConfiguration"),
            std::string::npos)
      << wrong.err;
}

}  // namespace
