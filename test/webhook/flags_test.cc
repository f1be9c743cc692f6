#include "webhook/flags.h"

#include <gtest/gtest.h>

#include "webhook/log.h"

namespace sidecar::webhook {
namespace {

using namespace std::chrono_literals;

TEST(Flags, ParsesIstioStyleArguments) {
  ServerOptions options;
  std::vector<std::string> rest;
  auto ok = parseServerFlags({"--port=8443", "--tlsCertFile", "/etc/certs/cert-chain.pem",
                              "-tlsKeyFile=/etc/certs/key.pem", "--healthCheckInterval=2s",
                              "--healthCheckFile=/tmp/health", "--monitoringPort=15014",
                              "--meshConfig=/etc/istio/config/mesh", "--self-signed",
                              "--selfSignedSans=a.svc,10.0.0.1", "--idleTimeout=1m30s",
                              "positional"},
                             options, &rest);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(options.port, 8443);
  EXPECT_EQ(options.tlsCertFile, "/etc/certs/cert-chain.pem");
  EXPECT_EQ(options.tlsKeyFile, "/etc/certs/key.pem");
  EXPECT_EQ(options.healthCheckInterval, 2s);
  EXPECT_EQ(options.healthCheckFile, "/tmp/health");
  EXPECT_EQ(options.monitoringPort, 15014);
  EXPECT_TRUE(options.selfSigned);
  EXPECT_EQ(options.selfSignedSans, (std::vector<std::string>{"a.svc", "10.0.0.1"}));
  EXPECT_EQ(options.idleTimeout, 90s);
  EXPECT_EQ(rest, (std::vector<std::string>{"--meshConfig=/etc/istio/config/mesh", "positional"}));
}

TEST(Flags, ErrorsNameTheFlag) {
  ServerOptions options;
  auto port = parseServerFlags({"--port=99999"}, options, nullptr);
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("--port"), std::string::npos);
  auto interval = parseServerFlags({"--healthCheckInterval=soon"}, options, nullptr);
  ASSERT_FALSE(interval);
  EXPECT_NE(interval.error().message.find("--healthCheckInterval"), std::string::npos);
  auto missing = parseServerFlags({"--tlsCertFile"}, options, nullptr);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("needs a value"), std::string::npos);
  auto level = parseServerFlags({"--log_output_level=default:chatty"}, options, nullptr);
  ASSERT_FALSE(level);
  EXPECT_NE(level.error().message.find("chatty"), std::string::npos);
}

TEST(Flags, LogLevelReachesProcessLogger) {
  ServerOptions options;
  ASSERT_TRUE(parseServerFlags({"--log_output_level=webhook:debug"}, options, nullptr));
  EXPECT_TRUE(logger().enabled("webhook", LogLevel::Debug));
  logger().setLevel("webhook", LogLevel::Info);
}

TEST(Flags, Durations) {
  EXPECT_EQ(*parseDuration("500ms"), 500ms);
  EXPECT_EQ(*parseDuration("1.5s"), 1500ms);
  EXPECT_EQ(*parseDuration("1h2m3s"), 3723000ms);
  EXPECT_EQ(*parseDuration("30"), 30s);
  EXPECT_FALSE(parseDuration(""));
  EXPECT_FALSE(parseDuration("5d"));
  EXPECT_FALSE(parseDuration("s"));
  EXPECT_FALSE(parseDuration("-1s"));
}

TEST(Flags, HelpListsEveryFlag) {
  const std::string help = serverFlagsHelp();
  EXPECT_NE(help.find("--tlsCertFile=..."), std::string::npos);
  EXPECT_NE(help.find("--self-signed\t"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::webhook
