#include "webhook/file_watcher.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace sidecar::webhook {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("file_watcher_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

  // Waits until `count` reaches `want` or the deadline passes; returns the final count.
  static int waitFor(const std::atomic<int>& count, int want, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (count.load() < want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    return count.load();
  }

  fs::path dir_;
};

TEST_F(FileWatcherTest, ABurstOfWritesFiresOnceAfterTheQuietPeriod) {
  auto file = dir_ / "config";
  write(file, "a");
  std::atomic<int> fired{0};
  FileWatcher watcher({{file.string()}, 200ms, 60000ms}, [&] { ++fired; });
  ASSERT_TRUE(watcher.start());
  for (int i = 0; i < 5; ++i) {
    write(file, "burst " + std::to_string(i));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(waitFor(fired, 1, 3000ms), 1);
  // Nothing more arrives once the burst is over.
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(fired.load(), 1);
}

TEST_F(FileWatcherTest, FollowsAKubernetesStyleSymlinkSwap) {
  // ConfigMap volumes: config -> ..data/config, and ..data is atomically re-pointed.
  fs::create_directories(dir_ / "..v1");
  fs::create_directories(dir_ / "..v2");
  write(dir_ / "..v1" / "config", "one");
  write(dir_ / "..v2" / "config", "two, longer");
  fs::create_directory_symlink("..v1", dir_ / "..data");
  fs::create_symlink("..data/config", dir_ / "config");
  std::atomic<int> fired{0};
  FileWatcher watcher({{(dir_ / "config").string()}, 100ms, 60000ms}, [&] { ++fired; });
  ASSERT_TRUE(watcher.start());
  fs::create_directory_symlink("..v2", dir_ / "..data_tmp");
  fs::rename(dir_ / "..data_tmp", dir_ / "..data");
  EXPECT_EQ(waitFor(fired, 1, 3000ms), 1);
}

TEST_F(FileWatcherTest, UnrelatedFilesInTheDirectoryDoNotFire) {
  auto file = dir_ / "config";
  write(file, "a");
  std::atomic<int> fired{0};
  FileWatcher watcher({{file.string()}, 100ms, 60000ms}, [&] { ++fired; });
  ASSERT_TRUE(watcher.start());
  write(dir_ / "other", "noise");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fired.load(), 0);
}

TEST_F(FileWatcherTest, AFileCreatedRightAfterStartIsSeen) {
  // Regression: the baseline used to be taken on the watcher thread, so a change made
  // before that thread ran was folded into the baseline and never reported.
  auto file = dir_ / "config";
  std::atomic<int> fired{0};
  FileWatcher watcher({{file.string()}, 50ms, 100ms}, [&] { ++fired; });
  ASSERT_TRUE(watcher.start());
  write(file, "appeared");
  EXPECT_GE(waitFor(fired, 1, 3000ms), 1);
}

TEST_F(FileWatcherTest, StopIsPromptAndIdempotent) {
  auto file = dir_ / "config";
  write(file, "a");
  FileWatcher watcher({{file.string()}, 100ms, 60000ms}, [] {});
  ASSERT_TRUE(watcher.start());
  auto start = std::chrono::steady_clock::now();
  watcher.stop();
  watcher.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
}

TEST_F(FileWatcherTest, MissingDirectoryIsAnError) {
  FileWatcher watcher({{(dir_ / "no" / "such" / "config").string()}, 100ms, 1000ms}, [] {});
  auto started = watcher.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("cannot watch"), std::string::npos);
}

}  // namespace
}  // namespace sidecar::webhook
