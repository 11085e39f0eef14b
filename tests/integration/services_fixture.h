// gatemeter-server's services in the test's process, as make_services wires them (services
// census,login,billing, every port on 127.0.0.1 picked by the kernel, a fresh state folder),
// with the settings a test adds; their metrics read back by sample.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/login/tls_identity.h"
#include "host/services.h"
#include "host/store/store.h"

namespace gm::test {

class ServicesFixture : public ::testing::Test {
 protected:
  // The settings (the base ones and `flags`, "--name=value"), the vault and a store connection
  // for the test; the services start with start_services(), after the test seeded the store.
  void configure(const std::vector<std::string>& flags) {
    char tmpl[] = "/tmp/gm-services-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::vector<std::string> words = {"x",
                                      "--state_dir=" + dir_,
                                      "--services=census,login,billing",
                                      "--login_listen=127.0.0.1:0",
                                      "--census_listen=127.0.0.1:0",
                                      "--billing_listen=127.0.0.1:0"};
    words.insert(words.end(), flags.begin(), flags.end());
    std::vector<const char*> argv;
    for (const std::string& w : words) argv.push_back(w.c_str());
    host::parse_command_line(config_, static_cast<int>(argv.size()), argv.data());
    vault_ = std::make_unique<host::CredentialVault>(
        host::CredentialVault::open_or_create(config_.vault_key));
    store_ = host::open_store(config_.store);
  }
  void start_services() {
    services_ = host::make_services(config_, *vault_);
    for (auto& s : services_) s->start();
  }
  void TearDown() override {
    for (auto it = services_.rbegin(); it != services_.rend(); ++it) (*it)->stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  // What agents pin: the login service's key.
  std::array<uint8_t, 32> login_pin() const {
    return host::load_or_create_tls_identity(config_.tls_key, config_.tls_cert, "").pin;
  }
  unsigned port_of(const char* name) const {
    for (const auto& s : services_)
      if (std::strcmp(s->name(), name) == 0) return s->port();
    return 0;
  }
  std::string metrics() const {
    host::PrometheusText out;
    for (const auto& s : services_) s->write_metrics(out);
    return out.text();
  }
  // The value of one sample line ("name{labels}"), or -1.
  double metric(const std::string& key) const {
    const std::string text = metrics();
    const size_t at = text.find("\n" + key + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + key.size() + 2));
  }

  std::string dir_;
  host::ServerConfig config_;
  std::unique_ptr<host::CredentialVault> vault_;
  std::unique_ptr<host::Store> store_;
  std::vector<std::unique_ptr<host::Service>> services_;
};

}  // namespace gm::test
