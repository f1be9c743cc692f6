// Real kubectl against the test API server: discovery, get, create, apply (twice: create
// then strategic-merge patch), label, and all three patch types.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test/apiserver/test_apiserver.h"

namespace sidecar::testapi {
namespace {

struct CommandResult {
  int exitCode = -1;
  std::string output;
};

// The kubectl CMake found (tests run with $KUBECTL set); a plain `kubectl` from PATH otherwise.
std::string kubectlBinary() {
  const char* configured = std::getenv("KUBECTL");
  return configured != nullptr && *configured != '\0' ? configured : "kubectl";
}

CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return r;
  }
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
    r.output += buf.data();
  }
  const int status = pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = TestApiServer::start();
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    dir_ = server_->certDir();
    kubeconfig_ = dir_ + "/kubeconfig";
    std::ofstream(kubeconfig_) << server_->kubeconfig("test-token");
  }
  void TearDown() override {
    server_->stop();
    std::filesystem::remove_all(dir_);
  }

  CommandResult kubectl(const std::string& args) {
    return run(kubectlBinary() + " --kubeconfig " + kubeconfig_ + " --cache-dir " + dir_ +
               "/cache " + args);
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  nlohmann::json get(const std::string& path) {
    auto r = server_->store().request("GET", path);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body);
  }

  std::unique_ptr<TestApiServer> server_;
  std::string dir_;
  std::string kubeconfig_;
};

TEST_F(KubectlTest, GetNamespacesAndVersion) {
  auto r = kubectl("get namespaces");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("default"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("kube-system"), std::string::npos) << r.output;
  auto v = kubectl("version -o json");
  ASSERT_EQ(v.exitCode, 0) << v.output;
  EXPECT_NE(v.output.find("v1.32.0-sidecar-test"), std::string::npos) << v.output;
}

TEST_F(KubectlTest, CreateApplyLabelPatch) {
  // Newer kubectl's `create <kind>` sends protobuf, which the test server refuses with a clear
  // 415 (kubectl 1.20 still sends JSON, which works); apply and the rest speak JSON.
  auto created = kubectl("create namespace e2e");
  if (created.exitCode != 0) {
    EXPECT_NE(created.output.find("UnsupportedMediaType"), std::string::npos) << created.output;
  }
  auto ns = kubectl("apply --validate=false -f " +
                    write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e\n"));
  ASSERT_EQ(ns.exitCode, 0) << ns.output;
  const std::string manifest =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: e2e\ndata:\n  a: "
      "\"1\"\n  b: \"2\"\n";
  auto applied = kubectl("apply --validate=false -f " + write("cm.yaml", manifest));
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  EXPECT_NE(applied.output.find("configmap/cfg created"), std::string::npos) << applied.output;
  auto cm = get("/api/v1/namespaces/e2e/configmaps/cfg");
  EXPECT_EQ(cm["data"]["a"], "1");
  EXPECT_TRUE(
      cm["metadata"]["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration"));

  // Second apply: b removed, a changed -> a patch computed by kubectl.
  const std::string changed =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: e2e\ndata:\n  a: "
      "\"10\"\n";
  auto reapplied = kubectl("apply --validate=false -f " + write("cm2.yaml", changed));
  ASSERT_EQ(reapplied.exitCode, 0) << reapplied.output;
  EXPECT_NE(reapplied.output.find("configmap/cfg configured"), std::string::npos)
      << reapplied.output;
  cm = get("/api/v1/namespaces/e2e/configmaps/cfg");
  EXPECT_EQ(cm["data"]["a"], "10");
  EXPECT_FALSE(cm["data"].contains("b"));

  auto labelled = kubectl("-n e2e label configmap cfg team=mesh");
  ASSERT_EQ(labelled.exitCode, 0) << labelled.output;
  EXPECT_EQ(get("/api/v1/namespaces/e2e/configmaps/cfg")["metadata"]["labels"]["team"], "mesh");

  auto merge = kubectl("-n e2e patch configmap cfg --type merge -p '{\"data\":{\"m\":\"x\"}}'");
  ASSERT_EQ(merge.exitCode, 0) << merge.output;
  auto jsonPatch = kubectl(
      "-n e2e patch configmap cfg --type json -p "
      "'[{\"op\":\"add\",\"path\":\"/data/j\",\"value\":\"y\"}]'");
  ASSERT_EQ(jsonPatch.exitCode, 0) << jsonPatch.output;
  auto strategic = kubectl("-n e2e patch configmap cfg -p '{\"data\":{\"s\":\"z\"}}'");
  ASSERT_EQ(strategic.exitCode, 0) << strategic.output;
  cm = get("/api/v1/namespaces/e2e/configmaps/cfg");
  EXPECT_EQ(cm["data"]["m"], "x");
  EXPECT_EQ(cm["data"]["j"], "y");
  EXPECT_EQ(cm["data"]["s"], "z");

  auto listed = kubectl("-n e2e get configmaps -l team=mesh");
  ASSERT_EQ(listed.exitCode, 0) << listed.output;
  EXPECT_NE(listed.output.find("cfg"), std::string::npos) << listed.output;
  auto asJson = kubectl("-n e2e get configmap cfg -o json");
  ASSERT_EQ(asJson.exitCode, 0) << asJson.output;
  EXPECT_EQ(nlohmann::json::parse(asJson.output)["data"]["a"], "10");

  auto missing = kubectl("-n e2e get configmap nope");
  EXPECT_NE(missing.exitCode, 0);
  EXPECT_NE(missing.output.find("not found"), std::string::npos) << missing.output;

  auto deleted = kubectl("-n e2e delete configmap cfg");
  ASSERT_EQ(deleted.exitCode, 0) << deleted.output;
  EXPECT_EQ(server_->store().request("GET", "/api/v1/namespaces/e2e/configmaps/cfg").status, 404);
}

TEST_F(KubectlTest, ApplyDeploymentTwiceMergesContainersByName) {
  const std::string v1 =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: "
      "default\nspec:\n  selector:\n"
      "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    "
      "spec:\n"
      "      containers:\n      - name: web\n        image: nginx:1\n        ports:\n        - "
      "containerPort: 80\n";
  auto first = kubectl("apply --validate=false -f " + write("d1.yaml", v1));
  ASSERT_EQ(first.exitCode, 0) << first.output;
  std::string v2 = v1;
  v2.replace(v2.find("nginx:1"), 7, "nginx:2");
  auto second = kubectl("apply --validate=false -f " + write("d2.yaml", v2));
  ASSERT_EQ(second.exitCode, 0) << second.output;
  auto d = get("/apis/apps/v1/namespaces/default/deployments/web");
  const auto& containers = d["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0]["image"], "nginx:2");
  EXPECT_EQ(containers[0]["ports"][0]["containerPort"], 80);
  EXPECT_EQ(d["metadata"]["generation"], 2);
}

TEST(KubectlStandaloneTest, TestApiServerBinaryServesKubectl) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("test-apiserver-bin-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(TEST_APISERVER_BINARY, "test-apiserver", "--dir", dir.c_str(), "--token", "e2e-token",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[512] = {0};
  ASSERT_NE(fgets(line, sizeof(line), f), nullptr);
  EXPECT_EQ(std::string(line).rfind("ready https://127.0.0.1:", 0), 0u) << line;
  const std::string kubeconfig = (dir / "kubeconfig").string();
  const std::string manifest = (dir / "cm.yaml").string();
  std::ofstream(manifest)
      << "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-binary\n  namespace: default\n"
         "data:\n  k: v\n";
  auto r = run(kubectlBinary() + " --kubeconfig " + kubeconfig + " --cache-dir " +
               (dir / "cache").string() + " apply --validate=false -f " + manifest);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  r = run(kubectlBinary() + " --kubeconfig " + kubeconfig + " --cache-dir " +
          (dir / "cache").string() + " get configmap from-binary -o jsonpath='{.data.k}'");
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(r.output, "v");
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  fclose(f);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sidecar::testapi
