// The state folder check: created owner-only, and a folder or file others may read refused
// with the path and the chmod that fixes it.
#include "host/config/state_folder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "host/config/server_config.h"

namespace gm::host {
namespace {

class StateFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gm-state-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    old_umask_ = ::umask(022);
  }
  void TearDown() override {
    ::umask(old_umask_);
    std::filesystem::remove_all(dir_);
  }
  static mode_t mode(const std::string& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }
  std::string error_of(const std::string& p) {
    try {
      secure_state_folder(p);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  std::string dir_;
  mode_t old_umask_ = 0;
};

TEST_F(StateFolderTest, AMissingFolderIsCreatedOwnerOnlyAndSoAreNewFiles) {
  const std::string state = dir_ + "/a/state";
  EXPECT_EQ(error_of(state), "");
  EXPECT_EQ(mode(state), 0700u);
  std::ofstream(state + "/vault.key") << "x";
  EXPECT_EQ(mode(state + "/vault.key"), 0600u);
  EXPECT_EQ(error_of(state), "");
}

TEST_F(StateFolderTest, AFolderOthersCanReadIsRefused) {
  ::chmod(dir_.c_str(), 0755);
  const std::string e = error_of(dir_);
  EXPECT_NE(e.find("mode 755"), std::string::npos) << e;
  EXPECT_NE(e.find("chmod 700 " + dir_), std::string::npos) << e;
}

TEST_F(StateFolderTest, AFileOthersCanReadIsRefusedByName) {
  ::chmod(dir_.c_str(), 0700);
  const std::string db = dir_ + "/usage.db";
  std::ofstream(db) << "x";
  ::chmod(db.c_str(), 0644);
  const std::string e = error_of(dir_);
  EXPECT_NE(e.find("chmod 600 " + db), std::string::npos) << e;
  ::chmod(db.c_str(), 0600);
  EXPECT_EQ(error_of(dir_), "");
}

}  // namespace
}  // namespace gm::host
