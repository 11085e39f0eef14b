// Both servers in the test's process, on 127.0.0.1 with ports the kernel picks, over a fresh
// store in a temporary folder; agents are added straight into the store.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "host/census/census_server.h"
#include "host/login/login_server.h"
#include "host/login/tls_identity.h"
#include "host/store/credential_vault.h"
#include "host/store/usage_store.h"
#include "tests/support/test_agent.h"

namespace gm::test {

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gm-host-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_path_ = dir_ + "/usage.db";
    store_ = host::open_sqlite_store(store_path_);
    vault_ = std::make_unique<host::CredentialVault>(
        host::CredentialVault::open_or_create(dir_ + "/vault.key"));
    tls_ = host::load_or_create_tls_identity(dir_ + "/key.pem", dir_ + "/cert.pem", "");

    host::CensusSettings cs;
    cs.port = 0;
    cs.threads = 2;
    cs.command_poll_ms = 50;
    census_ = std::make_unique<host::CensusServer>(store_path_, cs);
    census_->start();

    host::LoginSettings ls;
    ls.port = 0;
    ls.metering_interval_s = 30;
    ls.census = {"127.0.0.1:" + std::to_string(census_->port())};
    ls.updates = {{"agent", 7, "https://updates.example/agent-7.bin"}};
    login_ = std::make_unique<host::LoginServer>(store_path_, *vault_, tls_, ls,
                                                 [c = census_.get()] { c->registry().refresh(); });
    login_->start();
  }

  void TearDown() override {
    if (login_) login_->stop();
    if (census_) census_->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  TestAgent::Bytes32 add_agent(const std::string& id) {
    const auto credential = host::CredentialVault::generate();
    EXPECT_TRUE(store_->add_agent(id, vault_->seal(credential, id), 1'790'000'000));
    return credential;
  }

  // A logged-in agent with its census socket open.
  std::unique_ptr<TestAgent> logged_in(const std::string& id) {
    auto a = std::make_unique<TestAgent>(id, add_agent(id));
    EXPECT_TRUE(a->login("127.0.0.1", login_->port(), tls_.pin)) << a->error();
    EXPECT_TRUE(a->open_census()) << a->error();
    return a;
  }

  uint64_t refused(frame::Refusal r) const { return census_->refused(static_cast<size_t>(r)); }

  // Waits (bounded, no timing asserted) until cond holds; true if it did.
  template <typename Cond>
  static bool eventually(Cond cond, int max_ms = 5000) {
    for (int waited = 0; waited < max_ms; waited += 5) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return cond();
  }

  std::string dir_, store_path_;
  std::unique_ptr<host::UsageStore> store_;
  std::unique_ptr<host::CredentialVault> vault_;
  host::TlsIdentity tls_;
  std::unique_ptr<host::CensusServer> census_;
  std::unique_ptr<host::LoginServer> login_;
};

}  // namespace gm::test
