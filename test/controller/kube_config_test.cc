#include "controller/kube_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/base64.h"
#include "test/controller/server_fixture.h"

namespace sidecar::controller {
namespace {

class KubeConfigTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("kubeconfig-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    ServerTest::TearDown();
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  // A kubeconfig with one context "main" (plus "other" when given) and the given
  // cluster and user bodies (indented YAML).
  std::string kubeconfig(const std::string& clusterBody, const std::string& userBody,
                         const std::string& current = "main") {
    return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
           "\nclusters:\n- name: c\n  cluster:\n    server: " + server_->url() + "\n" + clusterBody +
           "contexts:\n- name: main\n  context:\n    cluster: c\n    user: u\n    namespace: team-a\n"
           "- name: other\n  context:\n    cluster: c\n    user: bad\n"
           "users:\n- name: u\n  user:\n" +
           userBody + "- name: bad\n  user:\n    token: not-a-valid-token\n";
  }

  // Connects with the resolved settings and proves the credentials work.
  void expectWorks(const Expected<ClusterConnection>& conn) {
    ASSERT_TRUE(conn) << conn.error().message;
    auto c = RestClient::create(*conn);
    ASSERT_TRUE(c) << c.error().message;
    auto r = (*c)->get(resources::kNamespaces, "", "default");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)["metadata"]["name"], "default");
  }

  std::filesystem::path dir_;
};

TEST_F(KubeConfigTest, TokenWithCertificateAuthorityFile) {
  const auto path = write("config", server_->kubeconfig("test-token"));
  expectWorks(loadKubeConfigFile(path, ""));
}

TEST_F(KubeConfigTest, TokenWithCertificateAuthorityData) {
  auto conn = parseKubeConfig(
      kubeconfig("    certificate-authority-data: " + base64Encode(server_->caPem()) + "\n",
                 "    token: test-token\n"),
      dir_.string(), "");
  expectWorks(conn);
  EXPECT_EQ(conn->defaultNamespace, "team-a");
}

TEST_F(KubeConfigTest, RelativeCertificateAuthorityAndTokenFile) {
  write("ca.pem", server_->caPem());
  write("token", "test-token\n");
  const auto path = write("config", kubeconfig("    certificate-authority: ca.pem\n", "    tokenFile: token\n"));
  auto conn = loadKubeConfigFile(path, "");
  expectWorks(conn);
  EXPECT_EQ(conn->tokenFile, (dir_ / "token").string());
}

TEST_F(KubeConfigTest, ClientCertificateData) {
  auto cert = server_->issueClientCertificate("system:admin");
  ASSERT_TRUE(cert);
  auto conn = parseKubeConfig(
      kubeconfig("    certificate-authority-data: " + base64Encode(server_->caPem()) + "\n",
                 "    client-certificate-data: " + base64Encode(cert->certPem) +
                     "\n    client-key-data: " + base64Encode(cert->keyPem) + "\n"),
      dir_.string(), "");
  expectWorks(conn);
  EXPECT_TRUE(conn->bearerToken.empty());
}

TEST_F(KubeConfigTest, ClientCertificateFiles) {
  auto cert = server_->issueClientCertificate("system:admin");
  ASSERT_TRUE(cert);
  write("ca.pem", server_->caPem());
  const auto certPath = write("client.crt", cert->certPem);
  const auto keyPath = write("client.key", cert->keyPem);
  const auto path = write("config", kubeconfig("    certificate-authority: ca.pem\n",
                                               "    client-certificate: " + certPath + "\n    client-key: " +
                                                   keyPath + "\n"));
  expectWorks(loadKubeConfigFile(path, ""));
}

TEST_F(KubeConfigTest, ClientCertificateFromAnotherCaIsRejected) {
  auto otherCa = testapi::CertificateAuthority::create("other");
  ASSERT_TRUE(otherCa);
  auto cert = otherCa->issue("intruder", {}, {}, true);
  ASSERT_TRUE(cert);
  auto conn = parseKubeConfig(
      kubeconfig("    certificate-authority-data: " + base64Encode(server_->caPem()) + "\n",
                 "    client-certificate-data: " + base64Encode(cert->certPem) +
                     "\n    client-key-data: " + base64Encode(cert->keyPem) + "\n"),
      dir_.string(), "");
  ASSERT_TRUE(conn);
  auto c = RestClient::create(*conn, RestOptions{.maxRetries = 0});
  ASSERT_TRUE(c);
  EXPECT_FALSE((*c)->get(resources::kNamespaces, "", "default"));
}

TEST_F(KubeConfigTest, InsecureSkipTlsVerify) {
  expectWorks(parseKubeConfig(kubeconfig("    insecure-skip-tls-verify: true\n", "    token: test-token\n"),
                              dir_.string(), ""));
  // Without the flag and without the CA, verification against system roots fails.
  auto conn = parseKubeConfig(kubeconfig("", "    token: test-token\n"), dir_.string(), "");
  ASSERT_TRUE(conn);
  auto c = RestClient::create(*conn, RestOptions{.maxRetries = 0});
  ASSERT_TRUE(c);
  auto r = (*c)->get(resources::kNamespaces, "", "default");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("TLS handshake"), std::string::npos) << r.error().message;
}

TEST_F(KubeConfigTest, ContextSelection) {
  const std::string text =
      kubeconfig("    certificate-authority-data: " + base64Encode(server_->caPem()) + "\n",
                 "    token: test-token\n", "other");
  // current-context "other" uses a bad token.
  auto current = parseKubeConfig(text, dir_.string(), "");
  ASSERT_TRUE(current);
  EXPECT_EQ(current->bearerToken, "not-a-valid-token");
  EXPECT_EQ(current->defaultNamespace, "default");
  auto c = RestClient::create(*current);
  ASSERT_TRUE(c);
  auto r = (*c)->get(resources::kNamespaces, "", "default");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 401);
  // --context main picks the working user.
  expectWorks(parseKubeConfig(text, dir_.string(), "main"));
  auto missing = parseKubeConfig(text, dir_.string(), "nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("context \"nope\""), std::string::npos) << missing.error().message;
}

TEST_F(KubeConfigTest, InClusterFromEnvironmentAndServiceAccountFiles) {
  InClusterPaths paths;
  paths.tokenPath = write("sa-token", "test-token");
  paths.caPath = write("sa-ca.crt", server_->caPem());
  paths.namespacePath = write("sa-namespace", "istio-system\n");
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "127.0.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", std::to_string(server_->port())}};
  EnvLookup lookup = [&](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto conn = resolveConnection({}, lookup, paths);
  expectWorks(conn);
  EXPECT_EQ(conn->defaultNamespace, "istio-system");
  EXPECT_EQ(conn->tokenFile, paths.tokenPath);

  env.erase("KUBERNETES_SERVICE_PORT");
  auto broken = loadInClusterConfig(paths, lookup);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("KUBERNETES_SERVICE_PORT"), std::string::npos);
}

TEST_F(KubeConfigTest, PrecedenceFlagThenFirstKubeconfigPath) {
  const auto good = write("good", server_->kubeconfig("test-token"));
  const auto bad = write("bad", server_->kubeconfig("wrong"));
  std::map<std::string, std::string> env = {{"KUBECONFIG", good + ":" + bad},
                                            {"KUBERNETES_SERVICE_HOST", "10.0.0.1"}};
  EnvLookup lookup = [&](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto fromEnv = resolveConnection({}, lookup);
  ASSERT_TRUE(fromEnv);
  EXPECT_EQ(fromEnv->bearerToken, "test-token");
  auto fromFlag = resolveConnection({bad, ""}, lookup);
  ASSERT_TRUE(fromFlag);
  EXPECT_EQ(fromFlag->bearerToken, "wrong");
}

TEST(KubeConfigParseTest, ErrorsNameTheField) {
  auto badYaml = parseKubeConfig("clusters: [\n  - {", ".", "");
  ASSERT_FALSE(badYaml);
  EXPECT_NE(badYaml.error().message.find("line"), std::string::npos) << badYaml.error().message;

  auto noServer = parseKubeConfig(
      "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  "
      "cluster: {}\nusers:\n- name: u\n  user: {}\n",
      ".", "");
  ASSERT_FALSE(noServer);
  EXPECT_NE(noServer.error().message.find("clusters[c].cluster.server"), std::string::npos)
      << noServer.error().message;

  auto certOnly = parseKubeConfig(
      "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  "
      "cluster: {server: 'https://h:1'}\nusers:\n- name: u\n  user: {client-certificate-data: QUJD}\n",
      ".", "");
  ASSERT_FALSE(certOnly);
  EXPECT_NE(certOnly.error().message.find("users[u].user"), std::string::npos) << certOnly.error().message;

  auto badBase64 = parseKubeConfig(
      "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\nclusters:\n- name: c\n  "
      "cluster: {server: 'https://h:1', certificate-authority-data: '*bad*'}\n",
      ".", "");
  ASSERT_FALSE(badBase64);
  EXPECT_NE(badBase64.error().message.find("certificate-authority-data"), std::string::npos)
      << badBase64.error().message;

  auto noContext = parseKubeConfig("clusters: []\n", ".", "");
  ASSERT_FALSE(noContext);
  EXPECT_NE(noContext.error().message.find("current-context"), std::string::npos);

  auto missingFile = loadKubeConfigFile("/nonexistent/kubeconfig", "");
  ASSERT_FALSE(missingFile);
  EXPECT_NE(missingFile.error().message.find("/nonexistent/kubeconfig"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::controller
