// A network namespace of the test's own (named with the pid), with a TAP device whose kernel
// side holds 192.0.2.1/24: lwIP attaches to the TAP as 192.0.2.2, POSIX peers bind 192.0.2.1
// inside the namespace. Needs root; without it the test skips and says why. The namespace is
// deleted afterwards, whatever the test did.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace gm::test {

class NetnsTest : public ::testing::Test {
 protected:
  const std::string ns = "gm-lwip-" + std::to_string(::getpid());
  static constexpr const char* tap = "gmtap0";

  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "needs root: creates network namespace " << ns << " with a TAP device";
    created_ = sh("ip netns add " + ns);
    ASSERT_TRUE(created_) << "ip netns add " << ns << " failed";
    ASSERT_TRUE(sh("ip -n " + ns + " link set lo up"));
    ASSERT_TRUE(sh("ip -n " + ns + " tuntap add dev " + tap + " mode tap"));
    ASSERT_TRUE(sh("ip -n " + ns + " addr add 192.0.2.1/24 dev " + tap));
    ASSERT_TRUE(sh("ip -n " + ns + " link set " + tap + " up"));
  }
  void TearDown() override {
    if (created_) sh("ip netns del " + ns);
  }

  static bool sh(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
  }

 private:
  bool created_ = false;
};

}  // namespace gm::test
