// gatemeter-server: runs the services its `services` setting lists (census,login by default),
// in one process; several processes may run parts of the list over one store (the SQLite store
// on one host, the PostgreSQL store on any number).
//
//   gatemeter-server [--config FILE] [--name=value ...]     (settings: --help)
//
// Prints one line per service it started, then `ready login_port=<P> census_port=<Q>
// billing_port=<B> billing_api_port=<A> metrics_port=<M> radius_port=<R> radius_auth_port=<T>
// settlement_reports_port=<S> web_port=<W>` (0 for what it does not run), and runs until SIGINT or SIGTERM, when it
// stops the services in reverse order (the census commits and acknowledges what it verified).
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "host/config/server_config.h"
#include "host/config/state_folder.h"
#include "host/metrics/metrics_server.h"
#include "host/services.h"
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
  std::vector<std::unique_ptr<Service>> services;
  std::unique_ptr<MetricsServer> metrics;
  try {
    const auto extra = parse_command_line(config, argc, argv);
    if (!extra.empty()) throw ConfigError("unexpected argument \"" + extra[0] + "\" (see --help)");
    secure_state_folder(config.state_dir);
    // Creates or migrates the schema before any service reads it.
    const size_t sealed_agents = open_store(config.store)->list_agents().size();
    const auto vault = CredentialVault::open_or_create(config.vault_key, sealed_agents);

    services = make_services(config, vault);
    for (auto& s : services) {
      s->start();
      std::printf("%s\n", s->started_line().c_str());
    }
    if (config.metrics_listen.port != 0) {
      metrics = std::make_unique<MetricsServer>(
          config.metrics_listen.ip, config.metrics_listen.port, [&services] {
            PrometheusText out;
            for (const auto& s : services) s->write_metrics(out);
            return out.text();
          });
      metrics->start();
      std::printf("metrics: http://%s:%u/metrics\n", config.metrics_listen.ip.c_str(),
                  metrics->port());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatemeter-server: %s\n", e.what());
    return 2;
  }
  auto port_of = [&](const char* name) {
    for (const auto& s : services)
      if (!std::strcmp(s->name(), name)) return s->port();
    return 0u;
  };
  unsigned billing_api_port = 0, radius_auth_port = 0;
  for (const auto& s : services) {
    if (!std::strcmp(s->name(), "billing")) billing_api_port = s->api_port();
    if (!std::strcmp(s->name(), "radius")) radius_auth_port = s->auth_port();
  }
  std::printf("ready login_port=%u census_port=%u billing_port=%u billing_api_port=%u "
              "metrics_port=%u radius_port=%u radius_auth_port=%u settlement_reports_port=%u "
              "web_port=%u\n",
              port_of("login"), port_of("census"), port_of("billing"), billing_api_port,
              metrics ? metrics->port() : 0u, port_of("radius"), radius_auth_port,
              port_of("settlement-reports"), port_of("web"));
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("gatemeter-server: %s, stopping\n", strsignal(sig));
  if (metrics) metrics->stop();
  for (auto it = services.rbegin(); it != services.rend(); ++it) {
    (*it)->stop();
    const std::string line = (*it)->stopped_line();
    if (!line.empty()) std::printf("%s\n", line.c_str());
  }
  return 0;
}
