// The metrics endpoint against the real Prometheus server and promtool: a scrape of the
// plain-HTTP monitoring port must yield the counter value we produced, and the exposition
// must pass `promtool check metrics` without findings.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "review_samples.h"
#include "server_fixture.h"

extern char** environ;

namespace sidecar::webhook {
namespace {

using namespace std::chrono_literals;
using testing::TestClient;

uint16_t freeLoopbackPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// A child process with stdout/stderr to a log file, terminated on destruction.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (auto& a : argv) {
      args.push_back(a.data());
    }
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  bool running() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

class PrometheusE2E : public testing::ServerFixture {
 protected:
  void SetUp() override {
    dir_ = secret_.root() / "prometheus";
    std::filesystem::create_directories(dir_);
    ServerOptions options;
    options.monitoringPort = 0;
    startServer(options);
  }
  std::filesystem::path dir_;
};

TEST_F(PrometheusE2E, RealPrometheusScrapesMonitoringPort) {
  mutator_->patchWith(testing::kSmallPatch);
  auto client = connect();
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client->request("POST", "/inject", testing::reviewJson())->status, 200);
  }
  mutator_->skipWith("policy_disabled");
  ASSERT_EQ(client->request("POST", "/inject", testing::reviewJson())->status, 200);

  const uint16_t promPort = freeLoopbackPort();
  std::ofstream(dir_ / "prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "scrape_configs:\n  - job_name: sidecar-injector\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << server_->monitoringPort() << "']\n";
  ChildProcess prometheus({"/usr/bin/prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
                           "--storage.tsdb.path=" + (dir_ / "data").string(),
                           "--web.listen-address=127.0.0.1:" + std::to_string(promPort)},
                          dir_ / "prometheus.log");
  ASSERT_TRUE(prometheus.started());

  std::string lastAnswer;
  double value = -1;
  for (int attempt = 0; attempt < 300 && value < 0; ++attempt) {
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(prometheus.running()) << readFile(dir_ / "prometheus.log");
    auto api = TestClient::connectPlain(promPort);
    if (!api) {
      continue;
    }
    auto answer = api->request("GET", "/api/v1/query?query=sidecar_injection_requests_total", "", "");
    if (!answer || answer->status != 200) {
      continue;
    }
    lastAnswer = answer->body;
    const auto json = nlohmann::json::parse(answer->body, nullptr, false);
    if (json.is_discarded() || json["data"]["result"].empty()) {
      continue;
    }
    value = std::stod(json["data"]["result"][0]["value"][1].get<std::string>());
    EXPECT_EQ(json["data"]["result"][0]["metric"]["job"], "sidecar-injector");
  }
  ASSERT_GE(value, 0) << "no sample after 30s; last answer: " << lastAnswer << "\n"
                      << readFile(dir_ / "prometheus.log");
  EXPECT_EQ(value, 4);

  // The skip counter with its reason label came through as well.
  auto api = TestClient::connectPlain(promPort);
  ASSERT_TRUE(api);
  auto skip = api->request("GET", "/api/v1/query?query=sidecar_injection_skip_total", "", "");
  ASSERT_TRUE(skip);
  const auto skipJson = nlohmann::json::parse(skip->body);
  ASSERT_FALSE(skipJson["data"]["result"].empty()) << skip->body;
  EXPECT_EQ(skipJson["data"]["result"][0]["metric"]["reason"], "policy_disabled");
}

TEST_F(PrometheusE2E, PromtoolAcceptsExposition) {
  mutator_->failWith("template_error", "x");
  auto client = connect();
  ASSERT_TRUE(client);
  ASSERT_EQ(client->request("POST", "/inject", testing::reviewJson())->status, 200);
  auto plain = TestClient::connectPlain(server_->monitoringPort());
  ASSERT_TRUE(plain);
  auto metrics = plain->request("GET", "/metrics", "", "");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  std::ofstream(dir_ / "metrics.txt") << metrics->body;
  const std::string command = "/usr/bin/promtool check metrics < " + (dir_ / "metrics.txt").string() +
                              " > " + (dir_ / "promtool.out").string() + " 2>&1";
  const int status = std::system(command.c_str());
  const std::string output = readFile(dir_ / "promtool.out");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_EQ(output, "") << output;
  EXPECT_NE(metrics->body.find("sidecar_injection_failure_total{reason=\"template_error\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace sidecar::webhook
