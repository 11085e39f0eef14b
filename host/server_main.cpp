// gatemeter-server: the login service and the census in one process (role = both), or either
// alone (role = login | census; several census processes may share one store file on a host).
//
//   gatemeter-server [--config FILE] [--name=value ...]     (settings: --help)
//
// Prints one line per service it started, then `ready login_port=<P> census_port=<Q>`, and
// runs until SIGINT or SIGTERM, when it commits and acknowledges what it has verified.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "host/census/census_server.h"
#include "host/config/server_config.h"
#include "host/login/login_server.h"
#include "host/store/credential_vault.h"
#include "host/store/store.h"

using namespace gm::host;

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf("usage: gatemeter-server [--config FILE] [--name=value ...]\n\n%s",
                  config_help().c_str());
      return 0;
    }
  // Blocked before any thread starts, so every thread inherits the mask and sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  ServerConfig config;
  std::unique_ptr<CensusServer> census;
  std::unique_ptr<LoginServer> login;
  try {
    const auto extra = parse_command_line(config, argc, argv);
    if (!extra.empty()) throw ConfigError("unexpected argument \"" + extra[0] + "\" (see --help)");
    std::error_code ec;
    std::filesystem::create_directories(config.state_dir, ec);
    if (ec) throw ConfigError("state_dir: cannot create \"" + config.state_dir + "\": " + ec.message());
    if (config.role != "census" && config.census_advertise_defaulted &&
        config.census_listen.ip == "0.0.0.0")
      throw ConfigError("census_advertise: must be set when census_listen is 0.0.0.0 (agents "
                        "need an address they can send to)");
    // Creates or migrates the schema before either service reads it.
    const size_t sealed_agents = open_store(config.store)->list_agents().size();
    const auto vault = CredentialVault::open_or_create(config.vault_key, sealed_agents);

    if (config.role != "login") {
      CensusSettings s;
      s.listen_ip = config.census_listen.ip;
      s.port = config.census_listen.port;
      s.threads = config.census_threads;
      s.max_queued_records = config.max_queued_records;
      s.receive_buffer_bytes = config.receive_buffer_bytes;
      census = std::make_unique<CensusServer>(config.store, vault, s);
      census->start();
      // census_listen port 0 (tests): tell agents the port the kernel chose.
      if (config.census_advertise_defaulted)
        config.census_advertise = {s.listen_ip + ":" + std::to_string(census->port())};
      std::printf("census: listening on %s:%u, store %s\n", s.listen_ip.c_str(), census->port(),
                  describe_store(config.store).c_str());
    }
    if (config.role != "census") {
      LoginSettings s;
      s.listen_ip = config.login_listen.ip;
      s.port = config.login_listen.port;
      s.metering_interval_s = config.metering_interval_s;
      s.track_usage = config.track_usage;
      s.census = config.census_advertise;
      s.updates = config.updates;
      s.timeout_s = config.login_timeout_s;
      s.login_lifetime_s = config.login_lifetime_s;
      auto tls = load_or_create_tls_identity(config.tls_key, config.tls_cert, config.pin_file);
      login = std::make_unique<LoginServer>(config.store, vault, tls, s);
      login->start();
      std::printf("login: listening on %s:%u, key pin %s (also in %s)\n", s.listen_ip.c_str(),
                  login->port(), to_hex(tls.pin.data(), tls.pin.size()).c_str(),
                  config.pin_file.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatemeter-server: %s\n", e.what());
    return 2;
  }
  std::printf("ready login_port=%u census_port=%u\n", login ? login->port() : 0,
              census ? census->port() : 0);
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("gatemeter-server: %s, stopping\n", strsignal(sig));
  if (login) login->stop();
  if (census) {
    census->stop();
    const CensusStats& st = census->stats();
    std::printf("census: %llu datagrams, %llu accepted, %llu records committed in %llu commits\n",
                static_cast<unsigned long long>(st.datagrams.load()),
                static_cast<unsigned long long>(st.datagrams_accepted.load()),
                static_cast<unsigned long long>(st.records_committed.load()),
                static_cast<unsigned long long>(st.commits.load()));
  }
  return 0;
}
