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
#include <vector>

#include "host/census/census_server.h"
#include "host/login/login_server.h"
#include "host/login/tls_identity.h"
#include "host/store/credential_vault.h"
#include "host/store/store.h"
#include "tests/support/eventually.h"
#include "tests/support/test_agent.h"

namespace gm::test {

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gm-host-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_path_ = "sqlite:" + dir_ + "/usage.db";
    store_ = host::open_store(store_path_);
    vault_ = std::make_unique<host::CredentialVault>(
        host::CredentialVault::open_or_create(dir_ + "/vault.key"));
    tls_ = host::load_or_create_tls_identity(dir_ + "/key.pem", dir_ + "/cert.pem", "");

    census_settings_.port = 0;
    census_settings_.threads = 2;
    census_settings_.command_poll_ms = 50;
    census_settings_.command_resend_ms = 500;
    census_ = std::make_unique<host::CensusServer>(store_path_, *vault_, census_settings_);
    census_->start();
    census_settings_.port = census_->port();  // a restart binds the same port

    login_settings_.port = 0;
    login_settings_.metering_interval_s = 30;
    login_settings_.census = {"127.0.0.1:" + std::to_string(census_->port())};
    login_settings_.updates = {{"agent", 7, "https://updates.example/agent-7.bin"}};
    login_ = std::make_unique<host::LoginServer>(store_path_, *vault_, tls_, login_settings_);
    login_->start();
  }

  // The login service starts again with other settings (same store, vault and key; the port
  // may change: read login_->port()).
  void restart_login(const host::LoginSettings& with) {
    login_->stop();
    login_settings_ = with;
    login_ = std::make_unique<host::LoginServer>(store_path_, *vault_, tls_, login_settings_);
    login_->start();
  }

  void TearDown() override {
    if (login_) login_->stop();
    if (census_) census_->stop();
    for (auto& c : other_censuses_) c->stop();
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

  // The census process restarts on the same port: nothing in memory survives (its replay
  // window starts empty), the store does. The stopped one is kept (its stats stay readable).
  void restart_census(const host::CensusSettings* with = nullptr) {
    census_->stop();
    other_censuses_.push_back(std::move(census_));
    if (with != nullptr)
      census_settings_ = *with, census_settings_.port = other_censuses_.back()->port();
    census_ = std::make_unique<host::CensusServer>(store_path_, *vault_, census_settings_);
    census_->start();
  }
  // Another census node over the same store, on a port of its own.
  host::CensusServer& another_census_node() {
    host::CensusSettings s = census_settings_;
    s.port = 0;
    other_censuses_.push_back(std::make_unique<host::CensusServer>(store_path_, *vault_, s));
    other_censuses_.back()->start();
    return *other_censuses_.back();
  }

  // Waits (bounded, no timing asserted) until cond holds; true if it did.
  template <typename Cond>
  static bool eventually(Cond cond, int max_ms = 5000) {
    return test::eventually(cond, max_ms);
  }

  std::string dir_, store_path_;  // store_path_: the store's spec (open_store)
  std::unique_ptr<host::Store> store_;
  std::unique_ptr<host::CredentialVault> vault_;
  host::TlsIdentity tls_;
  host::CensusSettings census_settings_;
  host::LoginSettings login_settings_;
  std::unique_ptr<host::CensusServer> census_;
  std::vector<std::unique_ptr<host::CensusServer>> other_censuses_;  // restarted, or other nodes
  std::unique_ptr<host::LoginServer> login_;
};

}  // namespace gm::test
