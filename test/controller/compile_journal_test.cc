#include "controller/compile_journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace sidecar::controller {
namespace {

namespace fs = std::filesystem;

ConfigSources sources(const std::string& config) {
  return ConfigSources{config, "{}", "mesh: 1", true, true};
}

CompileRecord recordOf(const ConfigSources& s, const std::string& rv) {
  return CompileRecord{sha256Hex(s),
                       {{"istio-system/istio-sidecar-injector", rv}, {"istio-system/istio", "7"}},
                       1700000000};
}

class CompileJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("journal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<CompileJournal> reopen(std::string* warning = nullptr) {
    std::string w;
    auto j = CompileJournal::open(dir_.string(), &w);
    if (warning != nullptr) {
      *warning = w;
    } else {
      EXPECT_EQ(w, "");
    }
    return j;
  }

  fs::path dir_;
};

TEST_F(CompileJournalTest, AFreshPodRemembersNothing) {
  auto j = reopen();
  EXPECT_FALSE(j->crashedLastRun());
  EXPECT_FALSE(j->lastGood());
  EXPECT_FALSE(j->quarantined(sha256Hex(sources("a"))));
}

TEST_F(CompileJournalTest, ACompileThatNeverEndedIsQuarantinedAfterTheRestart) {
  const auto good = sources("good");
  const auto poison = sources("poison");
  {
    auto j = reopen();
    ASSERT_TRUE(j->begin(recordOf(good, "10")));
    ASSERT_TRUE(j->succeeded(recordOf(good, "10"), good));
    ASSERT_TRUE(j->begin(recordOf(poison, "11")));
    // The process dies here: no succeeded() or failed().
  }
  auto j = reopen();
  ASSERT_TRUE(j->crashedLastRun());
  EXPECT_EQ(j->crashedLastRun()->hash, sha256Hex(poison));
  ASSERT_EQ(j->crashedLastRun()->versions.size(), 2u);
  EXPECT_EQ(j->crashedLastRun()->versions[0].resourceVersion, "11");
  auto q = j->quarantined(sha256Hex(poison));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->versions[0].name, "istio-system/istio-sidecar-injector");
  EXPECT_FALSE(j->quarantined(sha256Hex(good)));
  ASSERT_TRUE(j->lastGood());
  EXPECT_EQ(j->lastGood()->sources.injectConfig, "good");
  EXPECT_EQ(j->lastGood()->sources.mesh, "mesh: 1");
  EXPECT_TRUE(j->lastGood()->sources.hasValues);

  // The quarantine outlives a second restart, which itself found nothing in flight.
  auto again = reopen();
  EXPECT_FALSE(again->crashedLastRun());
  EXPECT_TRUE(again->quarantined(sha256Hex(poison)));
}

TEST_F(CompileJournalTest, ACompileThatReturnedIsNotQuarantined) {
  const auto bad = sources("bad");
  {
    auto j = reopen();
    ASSERT_TRUE(j->begin(recordOf(bad, "3")));
    ASSERT_TRUE(j->failed());
  }
  auto j = reopen();
  EXPECT_FALSE(j->crashedLastRun());
  EXPECT_FALSE(j->quarantined(sha256Hex(bad)));
  EXPECT_FALSE(j->lastGood());
}

TEST_F(CompileJournalTest, ACrashOfTheFallbackIsRememberedBesideTheFirst) {
  const auto good = sources("good");
  const auto poison = sources("poison");
  {
    auto j = reopen();
    ASSERT_TRUE(j->succeeded(recordOf(good, "1"), good));
    ASSERT_TRUE(j->begin(recordOf(poison, "2")));
  }
  {
    auto j = reopen();
    ASSERT_TRUE(j->begin(recordOf(good, "1")));  // the fallback crashes too
  }
  auto j = reopen();
  EXPECT_TRUE(j->quarantined(sha256Hex(poison)));
  EXPECT_TRUE(j->quarantined(sha256Hex(good)));
}

TEST_F(CompileJournalTest, ACorruptFileStartsAfreshWithAWarning) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "config-journal.json") << "{\"inFlight\": {\"hash\": ";
  std::string warning;
  auto j = reopen(&warning);
  EXPECT_NE(warning.find("unreadable"), std::string::npos) << warning;
  EXPECT_FALSE(j->crashedLastRun());
  // And it is writable again.
  ASSERT_TRUE(j->succeeded(recordOf(sources("x"), "1"), sources("x")));
  EXPECT_TRUE(reopen()->lastGood());
}

TEST_F(CompileJournalTest, AHandEditedLastGoodIsIgnored) {
  {
    auto j = reopen();
    ASSERT_TRUE(j->succeeded(recordOf(sources("good"), "1"), sources("good")));
  }
  std::ifstream in(dir_ / "config-journal.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("\"good\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "\"evil\"");
  std::ofstream(dir_ / "config-journal.json", std::ios::trunc) << text;
  std::string warning;
  auto j = reopen(&warning);
  EXPECT_FALSE(j->lastGood());
  EXPECT_NE(warning.find("does not match its hash"), std::string::npos) << warning;
}

TEST_F(CompileJournalTest, AnUnusableDirectoryLeavesAJournalInMemory) {
  fs::create_directories(dir_);
  const fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "x";
  std::string warning;
  auto j = CompileJournal::open((blocker / "sub").string(), &warning);
  EXPECT_NE(warning.find("will not be quarantined"), std::string::npos) << warning;
  ASSERT_TRUE(j->begin(recordOf(sources("a"), "1")));
  ASSERT_TRUE(j->succeeded(recordOf(sources("a"), "1"), sources("a")));
  EXPECT_TRUE(j->lastGood());
}

TEST_F(CompileJournalTest, TheQuarantineListIsBounded) {
  for (int i = 0; i < 40; ++i) {
    auto j = reopen();
    ASSERT_TRUE(j->begin(recordOf(sources("poison " + std::to_string(i)), std::to_string(i))));
  }
  auto j = reopen();
  EXPECT_TRUE(j->quarantined(sha256Hex(sources("poison 39"))));
  EXPECT_TRUE(j->quarantined(sha256Hex(sources("poison 8"))));
  EXPECT_FALSE(j->quarantined(sha256Hex(sources("poison 0"))));  // the oldest are forgotten
}

}  // namespace
}  // namespace sidecar::controller
