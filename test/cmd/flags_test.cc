#include "cmd/flags.h"

#include <gtest/gtest.h>

namespace sidecar::cmd {
namespace {

Flags sample() {
  Flags f;
  f.value("filename", "input", "", {"f"}).value("output", "out", "stdout", {"o"}).toggle("verbose", "v");
  return f;
}

TEST(FlagsTest, AcceptsEverySpelling) {
  Flags f = sample();
  ASSERT_TRUE(f.parse({"-f", "a.yaml", "--output=b.yaml", "--verbose", "pos"}));
  EXPECT_EQ(f.get("filename"), "a.yaml");
  EXPECT_EQ(f.get("output"), "b.yaml");
  EXPECT_TRUE(f.on("verbose"));
  ASSERT_EQ(f.positional().size(), 1u);
  EXPECT_EQ(f.positional()[0], "pos");
}

TEST(FlagsTest, GoStyleSingleDashLongNamesAndDefaults) {
  Flags f = sample();
  ASSERT_TRUE(f.parse({"-filename=x"}));
  EXPECT_EQ(f.get("filename"), "x");
  EXPECT_EQ(f.get("output"), "stdout");
  EXPECT_FALSE(f.isSet("output"));
  EXPECT_FALSE(f.on("verbose"));
}

TEST(FlagsTest, UnknownFlagIsAnErrorNamingIt) {
  Flags f = sample();
  auto r = f.parse({"--injectConfigFil", "x"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--injectConfigFil"), std::string::npos);
}

TEST(FlagsTest, MissingValueIsAnError) {
  Flags f = sample();
  auto r = f.parse({"-f"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("needs a value"), std::string::npos);
}

TEST(FlagsTest, ToggleRejectsNonBooleans) {
  Flags f = sample();
  EXPECT_FALSE(f.parse({"--verbose=maybe"}));
  Flags g = sample();
  ASSERT_TRUE(g.parse({"--verbose=false"}));
  EXPECT_FALSE(g.on("verbose"));
}

TEST(FlagsTest, DoubleDashEndsFlags) {
  Flags f = sample();
  ASSERT_TRUE(f.parse({"--", "-f", "x"}));
  EXPECT_EQ(f.get("filename"), "");
  EXPECT_EQ(f.positional().size(), 2u);
}

TEST(FlagsTest, UsageListsAliasesAndDefaults) {
  std::string u = sample().usage();
  EXPECT_NE(u.find("--filename, -f <value>"), std::string::npos);
  EXPECT_NE(u.find("(default \"stdout\")"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::cmd
