// Flash in a file outlives its process (the simulator's power cut), and a file of the wrong
// size is refused with a reason rather than reinterpreted.
#include "boards/linux-gateway/flash_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "firmware/store/journal.h"

using namespace gm;

namespace {

std::string temp_path(const char* name) {
  return std::string(::testing::TempDir()) + "gm_flash_" + name + "_" + std::to_string(getpid());
}

TEST(FlashFile, ANewFileIsErasedAndAJournalInItSurvivesReopening) {
  const std::string path = temp_path("reopen");
  std::remove(path.c_str());
  std::string error;
  {
    auto f = board::FlashFile::open(path, {4096, 8, 4}, error);
    ASSERT_TRUE(f) << error;
    EXPECT_TRUE(f->created());
    uint8_t b = 0;
    ASSERT_TRUE(f->device().read(4095, &b, 1));
    EXPECT_EQ(b, 0xFF);
    store::Journal j(f->device());
    ASSERT_EQ(j.mount(), store::JournalStatus::ok);
    ASSERT_EQ(j.put_counters({3, 97}), store::JournalStatus::ok);
  }
  {
    auto f = board::FlashFile::open(path, {4096, 8, 4}, error);
    ASSERT_TRUE(f) << error;
    EXPECT_FALSE(f->created());
    store::Journal j(f->device());
    ASSERT_EQ(j.mount(), store::JournalStatus::ok);
    EXPECT_EQ(j.counters(), (store::Counters{3, 97}));
  }
  std::remove(path.c_str());
}

TEST(FlashFile, RefusesAFileOfAnotherSize) {
  const std::string path = temp_path("size");
  std::remove(path.c_str());
  std::string error;
  ASSERT_TRUE(board::FlashFile::open(path, {4096, 8, 4}, error));
  EXPECT_FALSE(board::FlashFile::open(path, {4096, 16, 4}, error));
  EXPECT_NE(error.find("refusing to guess"), std::string::npos) << error;
  std::remove(path.c_str());
}

TEST(FlashFile, RefusesAFileAnotherHolderHasOpen) {
  const std::string path = temp_path("lock");
  std::remove(path.c_str());
  std::string error;
  auto first = board::FlashFile::open(path, {4096, 8, 4}, error);
  ASSERT_TRUE(first) << error;
  EXPECT_FALSE(board::FlashFile::open(path, {4096, 8, 4}, error));
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  first.reset();
  EXPECT_TRUE(board::FlashFile::open(path, {4096, 8, 4}, error)) << "free again once closed";
  std::remove(path.c_str());
}

TEST(FlashFile, SaysWhyItCannotOpen) {
  std::string error;
  EXPECT_FALSE(board::FlashFile::open("/nonexistent-dir/flash.bin", {4096, 8, 4}, error));
  EXPECT_NE(error.find("/nonexistent-dir/flash.bin"), std::string::npos) << error;
}

}  // namespace
