#include "host/services.h"

#include <algorithm>

#include "host/billing/commit_rating.h"
#include "host/census/census_server.h"
#include "host/login/login_server.h"
#include "host/login/tls_identity.h"
#include "host/store/store.h"

namespace gm::host {

namespace {

class CensusService final : public Service {
 public:
  CensusService(ServerConfig& config, const CredentialVault& vault)
      : config_(config),
        census_(std::make_unique<CensusServer>(config.store, vault, config.census)) {}
  const char* name() const override { return "census"; }
  void start() override {
    census_->start();
    // census_listen port 0 (tests): agents are told the port the kernel chose.
    if (config_.census_advertise_defaulted)
      config_.login.census = {config_.census.listen_ip + ":" + std::to_string(census_->port())};
  }
  void stop() override { census_->stop(); }
  unsigned port() const override { return census_->port(); }
  std::string started_line() const override {
    return "census: listening on " + config_.census.listen_ip + ":" + std::to_string(census_->port()) +
           ", store " + describe_store(config_.store);
  }
  std::string stopped_line() const override {
    const CensusStats& st = census_->stats();
    return "census: " + std::to_string(st.datagrams.load()) + " datagrams, " +
           std::to_string(st.datagrams_accepted.load()) + " accepted, " +
           std::to_string(st.records_committed.load()) + " records committed in " +
           std::to_string(st.commits.load()) + " commits";
  }
  void write_metrics(PrometheusText& out) const override {
    const CensusStats& st = census_->stats();
    auto counter = [&](const char* name, const char* help, uint64_t v) {
      out.family(name, "counter", help);
      out.sample(name, static_cast<double>(v));
    };
    counter("gatemeter_census_datagrams_total", "Datagrams received, refused or not.",
            st.datagrams.load());
    counter("gatemeter_census_datagrams_verified_total",
            "Datagrams whose tag and records verified, queued for commit.",
            st.datagrams_accepted.load());
    counter("gatemeter_census_records_committed_total",
            "Records in committed transactions (acknowledged).", st.records_committed.load());
    counter("gatemeter_census_commits_total", "Store transactions committed.", st.commits.load());
    counter("gatemeter_census_acks_sent_total", "Acknowledgements sent.", st.acks_sent.load());
    counter("gatemeter_census_commands_sent_total", "Commands put into acks, resends included.",
            st.commands_sent.load());
    out.family("gatemeter_census_refusals_total", "counter", "Datagrams refused, by reason.");
    for (size_t r = 0; r < census_refusal_reasons; ++r)
      out.sample("gatemeter_census_refusals_total", static_cast<double>(st.refused[r].load()),
                 {{"reason", census_refusal_name(r)}});
    counter("gatemeter_census_sessions_rated_total",
            "Linked sessions whose growth a commit priced.", st.sessions_rated.load());
    counter("gatemeter_census_debited_micros_total",
            "Micro-units debited from accounts by committed commits.", st.debited_micros.load());
    counter("gatemeter_census_counters_backwards_total",
            "Applied records whose counters were below the stored ones (kept, never credited).",
            st.counters_backwards.load());
    if (const billing::CatalogRater* rater = census_->rater()) {
      out.family("gatemeter_census_unpriced_total", "counter",
                 "Linked sessions' growth left unrated, by reason.");
      const billing::RatingCounts& k = rater->counts();
      out.sample("gatemeter_census_unpriced_total", static_cast<double>(k.no_rate.load()),
                 {{"reason", "no_rate"}});
      out.sample("gatemeter_census_unpriced_total", static_cast<double>(k.unknown_account.load()),
                 {{"reason", "unknown_account"}});
      out.sample("gatemeter_census_unpriced_total", static_cast<double>(k.failed.load()),
                 {{"reason", "failed"}});
    }
    out.family("gatemeter_census_queued_records", "gauge",
               "Verified records waiting for the committer.");
    out.sample("gatemeter_census_queued_records", static_cast<double>(st.queued_records.load()));
    out.family("gatemeter_census_logins_held", "gauge", "Open login sessions in the registry.");
    out.sample("gatemeter_census_logins_held", static_cast<double>(census_->registry().size()));
    std::vector<uint64_t> counts;
    for (const auto& c : st.commit_latency) counts.push_back(c.load());
    out.histogram("gatemeter_census_commit_seconds",
                  "Time of the store's commit, fsync included.", CensusStats::commit_bounds_s,
                  counts, static_cast<double>(st.commit_latency_ns.load()) / 1e9);
  }

 private:
  ServerConfig& config_;
  std::unique_ptr<CensusServer> census_;
};

class LoginService final : public Service {
 public:
  LoginService(ServerConfig& config, const CredentialVault& vault)
      : config_(config), vault_(vault) {
    if (config.census_advertise_defaulted && config.census.listen_ip == "0.0.0.0")
      throw ConfigError("census_advertise: must be set when census_listen is 0.0.0.0 (agents "
                        "need an address they can send to)");
    tls_ = load_or_create_tls_identity(config.tls_key, config.tls_cert, config.pin_file);
  }
  const char* name() const override { return "login"; }
  void start() override {
    // Read now, after a census listed before it started (it may have set login.census).
    login_ = std::make_unique<LoginServer>(config_.store, vault_, tls_, config_.login);
    login_->start();
  }
  void stop() override {
    if (login_) login_->stop();
  }
  unsigned port() const override { return login_ ? login_->port() : 0; }
  std::string started_line() const override {
    return "login: listening on " + config_.login.listen_ip + ":" + std::to_string(port()) +
           ", key pin " + to_hex(tls_.pin.data(), tls_.pin.size()) + " (also in " +
           config_.pin_file + ")";
  }
  void write_metrics(PrometheusText& out) const override {
    if (!login_) return;
    const LoginStats& st = login_->stats();
    out.family("gatemeter_login_logins_total", "counter", "Logins, by outcome.");
    const std::pair<const char*, uint64_t> outcomes[] = {
        {"ok", st.ok.load()},
        {"bad_credential", st.bad_credential.load()},
        {"unknown_agent", st.unknown_agent.load()},
        {"disabled", st.disabled.load()},
        {"malformed", st.malformed.load()},
        {"failed", st.failed.load()}};
    for (const auto& [status, n] : outcomes)
      out.sample("gatemeter_login_logins_total", static_cast<double>(n), {{"status", status}});
  }

 private:
  ServerConfig& config_;
  CredentialVault vault_;
  TlsIdentity tls_;
  std::unique_ptr<LoginServer> login_;
};

}  // namespace

std::vector<std::unique_ptr<Service>> make_services(ServerConfig& config,
                                                    const CredentialVault& vault) {
  std::vector<std::unique_ptr<Service>> out;
  for (const std::string& name : config.services) {
    if (name == "census")
      out.push_back(std::make_unique<CensusService>(config, vault));
    else if (name == "login")
      out.push_back(std::make_unique<LoginService>(config, vault));
    else
      throw ConfigError("services: unknown service \"" + name + "\"");
  }
  return out;
}

}  // namespace gm::host
