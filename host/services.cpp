#include "host/services.h"

#include <algorithm>

#include "host/billing/billing_server.h"
#include "host/billing/commit_rating.h"
#include "host/census/census_server.h"
#include "host/login/login_server.h"
#include "host/login/tls_identity.h"
#include "host/radius/radius_server.h"
#include "host/settlement/report_server.h"
#include "host/store/store.h"
#include "host/web/console_server.h"

namespace gm::host {

namespace {

// A family of one sample.
void counter(PrometheusText& out, const char* name, const char* help, uint64_t v) {
  out.family(name, "counter", help);
  out.sample(name, static_cast<double>(v));
}
void gauge(PrometheusText& out, const char* name, const char* help, double v) {
  out.family(name, "gauge", help);
  out.sample(name, v);
}
// Refusals: one sample per reason, named by name_of.
template <typename Counts, typename NameOf>
void refusals(PrometheusText& out, const char* name, const char* help, const Counts& counts,
              NameOf name_of) {
  out.family(name, "counter", help);
  for (size_t r = 0; r < counts.size(); ++r)
    out.sample(name, static_cast<double>(counts[r].load()), {{"reason", name_of(r)}});
}

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
    counter(out, "gatemeter_census_datagrams_total", "Datagrams received, refused or not.",
            st.datagrams.load());
    counter(out, "gatemeter_census_datagrams_verified_total",
            "Datagrams whose tag and records verified, queued for commit.",
            st.datagrams_accepted.load());
    counter(out, "gatemeter_census_records_committed_total",
            "Records in committed transactions (acknowledged).", st.records_committed.load());
    counter(out, "gatemeter_census_commits_total", "Store transactions committed.", st.commits.load());
    counter(out, "gatemeter_census_acks_sent_total", "Acknowledgements sent.", st.acks_sent.load());
    counter(out, "gatemeter_census_commands_sent_total", "Commands put into acks, resends included.",
            st.commands_sent.load());
    refusals(out, "gatemeter_census_refusals_total", "Datagrams refused, by reason.", st.refused,
             census_refusal_name);
    counter(out, "gatemeter_census_sessions_rated_total",
            "Linked sessions whose growth a commit priced.", st.sessions_rated.load());
    counter(out, "gatemeter_census_debited_micros_total",
            "Micro-units debited from accounts by committed commits.", st.debited_micros.load());
    counter(out, "gatemeter_census_counters_backwards_total",
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
    gauge(out, "gatemeter_census_queued_records", "Verified records waiting for the committer.",
          static_cast<double>(st.queued_records.load()));
    gauge(out, "gatemeter_census_logins_held", "Open login sessions in the registry.",
          static_cast<double>(census_->registry().size()));
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

class BillingService final : public Service {
 public:
  BillingService(ServerConfig& config, const CredentialVault& vault)
      : config_(config), vault_(vault) {
    if (config.billing.advertise.empty() && config.billing.listen_ip == "0.0.0.0")
      throw ConfigError("billing_advertise: must be set when billing_listen is 0.0.0.0 (agents "
                        "need an address they can send to)");
  }
  const char* name() const override { return "billing"; }
  void start() override {
    billing_ = std::make_unique<BillingServer>(config_.store, vault_, config_.billing);
    billing_->start();
    // billing_listen port 0 (tests): agents are told the port the kernel chose.
    if (config_.billing_servers_defaulted) config_.login.billing = advertised();
  }
  void stop() override {
    if (billing_) billing_->stop();
  }
  unsigned port() const override { return billing_ ? billing_->port() : 0; }
  unsigned api_port() const override { return billing_ ? billing_->api_port() : 0; }
  std::string started_line() const override {
    std::string told;
    for (const std::string& a : advertised()) told += (told.empty() ? "" : ",") + a;
    const billing::FeedSettings& feed = config_.billing.feed;
    return "billing: listening on " + config_.billing.listen_ip + ":" + std::to_string(port()) +
           ", advertised as " + told + ", grants of " +
           std::to_string(config_.billing.grant_intervals) + " x " +
           std::to_string(config_.billing.metering_interval_s) + " s, store " +
           describe_store(config_.store) + ", sessions API " +
           (api_port() ? "http://" + config_.billing.api_ip + ":" + std::to_string(api_port()) +
                             "/sessions"
                       : std::string("off")) +
           ", feed file " + (feed.file.empty() ? "none" : feed.file) + ", feed webhook " +
           (feed.webhook.empty() ? "none" : feed.webhook);
  }
  std::string stopped_line() const override {
    if (!billing_) return {};
    const BillingStats& st = billing_->stats();
    uint64_t refused = 0;
    for (const auto& r : st.refused) refused += r.load();
    return "billing: " + std::to_string(st.frames.load()) + " frames, " +
           std::to_string(st.auth_requests.load()) + " auth requests, " +
           std::to_string(st.offer_requests.load()) + " offer requests, " +
           std::to_string(st.answers_sent.load()) + " answers, " + std::to_string(refused) +
           " refused";
  }
  void write_metrics(PrometheusText& out) const override {
    if (!billing_) return;
    const BillingStats& st = billing_->stats();
    counter(out, "gatemeter_billing_frames_total", "Frames received, refused or not.", st.frames.load());
    out.family("gatemeter_billing_requests_total", "counter", "Verified requests, by kind.");
    out.sample("gatemeter_billing_requests_total", static_cast<double>(st.auth_requests.load()),
               {{"kind", "auth"}});
    out.sample("gatemeter_billing_requests_total", static_cast<double>(st.offer_requests.load()),
               {{"kind", "offer"}});
    out.family("gatemeter_billing_decisions_total", "counter",
               "AuthRequests decided, by outcome (approve, temporary, or the reject reason).");
    for (size_t i = 0; i < billing_outcomes; ++i)
      out.sample("gatemeter_billing_decisions_total", static_cast<double>(st.outcomes[i].load()),
                 {{"outcome", outcome_name(i)}});
    counter(out, "gatemeter_billing_repeated_total",
            "AuthRequests answered before: their stored answer sent again.", st.repeated.load());
    counter(out, "gatemeter_billing_stale_total",
            "AuthRequests older than the one answered: not answered.", st.stale.load());
    counter(out, "gatemeter_billing_answers_sent_total", "AuthResponse and OfferResponse frames sent.",
            st.answers_sent.load());
    refusals(out, "gatemeter_billing_refusals_total", "Frames refused, by reason.", st.refused,
             billing_refusal_name);
    out.family("gatemeter_billing_remote_total", "counter",
               "Remote approvals answered, by result.");
    const std::pair<const char*, uint64_t> remote[] = {{"approved", st.remote_approved.load()},
                                                       {"rejected", st.remote_rejected.load()},
                                                       {"timed_out", st.remote_timed_out.load()}};
    for (const auto& [result, n] : remote)
      out.sample("gatemeter_billing_remote_total", static_cast<double>(n), {{"result", result}});
    counter(out, "gatemeter_billing_inquiries_sent_total", "HTTP attempts at approval endpoints.",
            st.inquiries_sent.load());
    counter(out, "gatemeter_billing_inquiries_failed_total",
            "Approval attempts with no usable answer (retried).", st.inquiries_failed.load());
    counter(out, "gatemeter_billing_grants_extended_total",
            "Running sessions sent a new grant after a top-up.", st.grants_extended.load());
    out.family("gatemeter_billing_commands_queued_total", "counter",
               "Commands queued for agents, by kind.");
    out.sample("gatemeter_billing_commands_queued_total",
               static_cast<double>(st.commands_grant.load()), {{"kind", "grant"}});
    out.sample("gatemeter_billing_commands_queued_total",
               static_cast<double>(st.commands_end_session.load()), {{"kind", "end_session"}});
    out.sample("gatemeter_billing_commands_queued_total",
               static_cast<double>(st.low_balance_sent.load()), {{"kind", "low_balance"}});
    out.family("gatemeter_billing_sessions_swept_total", "counter",
               "Open sessions the sweep closed at their last reported totals, by cause.");
    out.sample("gatemeter_billing_sessions_swept_total",
               static_cast<double>(st.sessions_swept.load()), {{"cause", "session_timeout"}});
    out.sample("gatemeter_billing_sessions_swept_total",
               static_cast<double>(st.lost_carrier.load()), {{"cause", "lost_carrier"}});
    counter(out, "gatemeter_billing_gateways_lost_total",
            "Gateways marked lost carrier (not heard for stale_intervals intervals).",
            st.gateways_lost.load());
    counter(out, "gatemeter_billing_low_balance_sent_total",
            "Low-balance warnings queued for live prepaid sessions.", st.low_balance_sent.load());
    const FeedStats& feed = st.feed;
    counter(out, "gatemeter_billing_feed_written_total",
            "Feed events appended to feed_file and fsynced by this node.", feed.written.load());
    counter(out, "gatemeter_billing_feed_posted_total",
            "Feed events the webhook acknowledged (2xx) from this node.", feed.posted.load());
    counter(out, "gatemeter_billing_feed_post_failures_total",
            "Webhook posts not acknowledged (retried with backoff).", feed.post_failures.load());
    counter(out, "gatemeter_billing_feed_pruned_total",
            "Feed events past feed_retention_s deleted by this node.", feed.pruned.load());
    out.family("gatemeter_billing_feed_backlog", "gauge",
               "Feed events a destination has not had yet (by any node).");
    if (feed.backlog_file.load() >= 0)
      out.sample("gatemeter_billing_feed_backlog", static_cast<double>(feed.backlog_file.load()),
                 {{"sink", "file"}});
    if (feed.backlog_webhook.load() >= 0)
      out.sample("gatemeter_billing_feed_backlog",
                 static_cast<double>(feed.backlog_webhook.load()), {{"sink", "webhook"}});
    gauge(out, "gatemeter_billing_queued_requests",
          "Verified requests waiting for a decision thread.", static_cast<double>(st.queued.load()));
    gauge(out, "gatemeter_billing_logins_held", "Open login sessions in the registry.",
          static_cast<double>(billing_->logins_held()));
    std::vector<uint64_t> counts;
    for (const auto& c : st.decision_latency) counts.push_back(c.load());
    out.histogram("gatemeter_billing_decision_seconds",
                  "From a verified request to its answer, the store's transaction included.",
                  BillingStats::decision_bounds_s, counts,
                  static_cast<double>(st.decision_latency_ns.load()) / 1e9);
  }

 private:
  std::vector<std::string> advertised() const {
    if (!config_.billing.advertise.empty()) return config_.billing.advertise;
    return {config_.billing.listen_ip + ":" + std::to_string(port())};
  }

  ServerConfig& config_;
  CredentialVault vault_;
  std::unique_ptr<BillingServer> billing_;
};

class RadiusService final : public Service {
 public:
  explicit RadiusService(ServerConfig& config) : config_(config) {}
  const char* name() const override { return "radius"; }
  void start() override {
    radius_ = std::make_unique<RadiusServer>(config_.store, config_.radius);
    radius_->start();
  }
  void stop() override {
    if (radius_) radius_->stop();
  }
  unsigned port() const override { return radius_ ? radius_->port() : 0; }
  unsigned auth_port() const override { return radius_ ? radius_->auth_port() : 0; }
  std::string started_line() const override {
    const RadiusSettings& s = radius_->settings();
    const std::string auth =
        radius_->access() == nullptr
            ? ""
            : ", authentication on " + s.access.listen_ip + ":" + std::to_string(auth_port()) +
                  " for " + std::to_string(radius_->access()->settings().realms.size()) +
                  " realm(s)" + (radius_->local() ? " and billing's own" : "") +
                  (s.access.routing ? ", routing mode (answers which home servers)" : "") +
                  (s.route_via_ip.empty() ? ""
                                          : ", others asked of routing server " + s.route_via_ip +
                                                ":" + std::to_string(s.route_via_port));
    return "radius: accounting on " + s.listen_ip + ":" + std::to_string(port()) + ", " +
           std::to_string(s.clients.size()) + " client(s) from " + s.clients_file +
           (s.forward_ip.empty() ? ", store "
                                 : ", routing to " + s.forward_ip + ":" +
                                       std::to_string(s.forward_port) + ", queue in ") +
           describe_store(config_.store) + auth;
  }
  std::string stopped_line() const override {
    if (!radius_) return {};
    const RadiusStats& st = radius_->stats();
    return "radius: " + std::to_string(st.requests.load()) + " requests, " +
           std::to_string(st.records_committed.load()) + " records committed in " +
           std::to_string(st.commits.load()) + " commits, " + std::to_string(st.answered.load()) +
           " answered";
  }
  void write_metrics(PrometheusText& out) const override {
    if (!radius_) return;
    const RadiusStats& st = radius_->stats();
    counter(out, "gatemeter_radius_requests_total", "Datagrams received, refused or not.",
            st.requests.load());
    counter(out, "gatemeter_radius_records_committed_total",
            "Accounting records in committed transactions (answered).", st.records_committed.load());
    counter(out, "gatemeter_radius_commits_total", "Store transactions committed.",
            st.commits.load());
    counter(out, "gatemeter_radius_answered_total", "Accounting-Responses sent after a commit.",
            st.answered.load());
    out.family("gatemeter_radius_duplicates_total", "counter",
               "Requests seen before (RFC 5080): answered from the cache, or dropped while "
               "their commit was under way.");
    out.sample("gatemeter_radius_duplicates_total",
               static_cast<double>(st.duplicates_answered.load()), {{"outcome", "answered"}});
    out.sample("gatemeter_radius_duplicates_total",
               static_cast<double>(st.duplicates_dropped.load()), {{"outcome", "dropped"}});
    counter(out, "gatemeter_radius_nas_reboots_total",
            "Accounting-On / -Off requests (each ends the NAS's open sessions).",
            st.nas_reboots.load());
    counter(out, "gatemeter_radius_sessions_ended_total",
            "Open sessions ended by their NAS's Accounting-On / -Off.", st.sessions_ended.load());
    out.family("gatemeter_radius_refusals_total", "counter",
               "Requests not applied and not answered, by reason.");
    for (size_t r = 1; r < radius::refusal_count; ++r)
      out.sample("gatemeter_radius_refusals_total", static_cast<double>(st.refused[r].load()),
                 {{"reason", radius::refusal_name(static_cast<radius::Refusal>(r))}});
    for (size_t r = 1; r < radius::accounting_refusal_count; ++r)
      out.sample("gatemeter_radius_refusals_total", static_cast<double>(st.unusable[r].load()),
                 {{"reason",
                   radius::refusal_name(static_cast<radius::AccountingRefusal>(r))}});
    for (size_t r = 1; r < radius::usage_refusal_count; ++r)
      out.sample("gatemeter_radius_refusals_total", static_cast<double>(st.not_stored[r].load()),
                 {{"reason", radius::refusal_name(static_cast<radius::UsageRefusal>(r))}});
    out.sample("gatemeter_radius_refusals_total", static_cast<double>(st.overloaded.load()),
               {{"reason", "overloaded"}});
    out.sample("gatemeter_radius_refusals_total", static_cast<double>(st.store_failed.load()),
               {{"reason", "store_failed"}});
    if (const AccessProxy* a = radius_->access()) {
      const AccessProxyStats& as = a->stats();
      out.family("gatemeter_radius_access_total", "counter",
                 "Access-Requests by what became of them.");
      const std::pair<const char*, uint64_t> outcomes[] = {
          {"accepted", as.accepted.load()},       {"rejected", as.rejected.load()},
          {"challenged", as.challenged.load()},   {"unknown_realm", as.unknown_realm.load()},
          {"provider_refused", as.provider_refused.load()},
          {"unanswered", as.unanswered.load()},   {"duplicate", as.duplicates.load()},
          {"unknown_client", as.unknown_client.load()}, {"busy", as.busy.load()},
          {"local", as.local.load()},             {"routes_asked", as.routes_asked.load()},
          {"routes_answered", as.routes_answered.load()}};
      for (const auto& [outcome, n] : outcomes)
        out.sample("gatemeter_radius_access_total", static_cast<double>(n), {{"outcome", outcome}});
      counter(out, "gatemeter_radius_access_failovers_total",
              "Access-Requests sent on to a realm's next home server.", as.failovers.load());
      out.family("gatemeter_radius_access_refusals_total", "counter",
                 "Access packets not relayed, by reason.");
      for (size_t r = 1; r < radius::relay_refusal_count; ++r)
        out.sample("gatemeter_radius_access_refusals_total", static_cast<double>(as.refused[r].load()),
                   {{"reason", radius::refusal_name(static_cast<radius::RelayRefusal>(r))}});
    }
    if (const LocalAccess* l = radius_->local()) {
      const LocalAccessStats& ls = l->stats();
      out.family("gatemeter_radius_local_total", "counter",
                 "Access-Requests of local realms by what became of them.");
      const std::pair<const char*, uint64_t> outcomes[] = {
          {"accepted", ls.accepted.load()},
          {"rejected", ls.rejected.load()},
          {"dropped", ls.dropped.load()},
          {"store_failed", ls.store_failed.load()}};
      for (const auto& [outcome, n] : outcomes)
        out.sample("gatemeter_radius_local_total", static_cast<double>(n), {{"outcome", outcome}});
      out.family("gatemeter_radius_local_refusals_total", "counter",
                 "Access-Requests of local realms refused before billing was asked, by reason.");
      for (size_t r = 1; r < local_refusal_count; ++r)
        out.sample("gatemeter_radius_local_refusals_total", static_cast<double>(ls.refused[r].load()),
                   {{"reason", refusal_name(static_cast<LocalRefusal>(r))}});
    }
    if (radius_->settings().forward_ip.empty()) return;
    counter(out, "gatemeter_radius_queued_total",
            "Routing server: requests queued (durable) for the central server.", st.queued.load());
    counter(out, "gatemeter_radius_forwarded_total",
            "Routing server: queued requests the central server answered.",
            st.forward.forwarded.load());
    counter(out, "gatemeter_radius_forward_resent_total",
            "Routing server: requests sent again, unanswered.", st.forward.resent.load());
    gauge(out, "gatemeter_radius_queue_length", "Routing server: requests waiting in the queue.",
          static_cast<double>(st.forward.queued.load()));
  }

 private:
  ServerConfig& config_;
  std::unique_ptr<RadiusServer> radius_;
};

// Each member provider's closed settlement reports over HTTPS (settlement/report_server.h),
// with the login service's key and certificate (made here if neither exists yet).
class SettlementReportsService final : public Service {
 public:
  explicit SettlementReportsService(ServerConfig& config) : config_(config) {
    load_or_create_tls_identity(config.tls_key, config.tls_cert, config.pin_file);
  }
  const char* name() const override { return "settlement-reports"; }
  void start() override {
    reports_ = std::make_unique<settlement::ReportServer>(
        config_.store, config_.tls_key, config_.tls_cert, config_.settlement_reports);
    reports_->start();
  }
  void stop() override {
    if (reports_) reports_->stop();
  }
  unsigned port() const override { return reports_ ? reports_->port() : 0; }
  std::string started_line() const override {
    return "settlement-reports: https://" + config_.settlement_reports.listen_ip + ":" +
           std::to_string(port()) + "/periods, certificate " + config_.tls_cert + ", store " +
           describe_store(config_.store);
  }
  std::string stopped_line() const override {
    if (!reports_) return {};
    const settlement::ReportServerStats& st = reports_->stats();
    uint64_t refused = 0;
    for (size_t i = 1; i < st.answered.size(); ++i) refused += st.answered[i].load();
    return "settlement-reports: " + std::to_string(st.answered[0].load()) + " served, " +
           std::to_string(refused) + " refused, " + std::to_string(st.lockouts.load()) +
           " lockouts";
  }
  void write_metrics(PrometheusText& out) const override {
    if (!reports_) return;
    const settlement::ReportServerStats& st = reports_->stats();
    out.family("gatemeter_settlement_reports_requests_total", "counter",
               "Requests answered, by HTTP status.");
    for (size_t i = 0; i < st.answered.size(); ++i)
      out.sample("gatemeter_settlement_reports_requests_total",
                 static_cast<double>(st.answered[i].load()),
                 {{"status", std::to_string(settlement::ReportServerStats::statuses[i])}});
    counter(out, "gatemeter_settlement_reports_sent_bytes_total",
            "Bytes of reports, detail files and listings sent.", st.bytes_sent.load());
    counter(out, "gatemeter_settlement_reports_lockouts_total",
            "Providers or client addresses locked after repeated failed logins.",
            st.lockouts.load());
    counter(out, "gatemeter_settlement_reports_dropped_total",
            "Connections closed unanswered (over the limit, TLS failure, timeout).",
            st.dropped.load());
  }

 private:
  ServerConfig& config_;
  std::unique_ptr<settlement::ReportServer> reports_;
};

// The web console (web/console_server.h), with the login service's key and certificate (made
// here if neither exists yet).
class WebService final : public Service {
 public:
  explicit WebService(ServerConfig& config) : config_(config) {
    load_or_create_tls_identity(config.tls_key, config.tls_cert, config.pin_file);
  }
  const char* name() const override { return "web"; }
  void start() override {
    console_ = std::make_unique<web::ConsoleServer>(config_.store, config_.tls_key,
                                                    config_.tls_cert, config_.web);
    console_->start();
  }
  void stop() override {
    if (console_) console_->stop();
  }
  unsigned port() const override { return console_ ? console_->port() : 0; }
  std::string started_line() const override {
    return "web: https://" + config_.web.listen_ip + ":" + std::to_string(port()) +
           "/, operators in " + config_.web.operators_file + ", store " +
           describe_store(config_.store);
  }
  std::string stopped_line() const override {
    if (!console_) return {};
    const web::ConsoleStats& st = console_->stats();
    return "web: " + std::to_string(st.requests.load()) + " requests (" +
           std::to_string(st.refused.load()) + " refused), " + std::to_string(st.streams.load()) +
           " live streams, " + std::to_string(st.events.load()) + " events";
  }
  void write_metrics(PrometheusText& out) const override {
    if (!console_) return;
    const web::ConsoleStats& st = console_->stats();
    counter(out, "gatemeter_web_requests_total", "Requests answered.", st.requests.load());
    counter(out, "gatemeter_web_refused_total", "Requests answered with a 4xx or 5xx.",
            st.refused.load());
    counter(out, "gatemeter_web_events_total", "Live events sent to pages.", st.events.load());
    gauge(out, "gatemeter_web_open_streams", "Pages following a live view now.",
          static_cast<double>(st.open_streams.load()));
    counter(out, "gatemeter_web_dropped_total",
            "Connections closed unanswered (over the limit, TLS failure, timeout).",
            st.dropped.load());
  }

 private:
  ServerConfig& config_;
  std::unique_ptr<web::ConsoleServer> console_;
};

}  // namespace

std::vector<std::unique_ptr<Service>> make_services(ServerConfig& config,
                                                    const CredentialVault& vault) {
  std::vector<std::unique_ptr<Service>> out;
  std::unique_ptr<Service> login;
  for (const std::string& name : config.services) {
    if (name == "census")
      out.push_back(std::make_unique<CensusService>(config, vault));
    else if (name == "billing")
      out.push_back(std::make_unique<BillingService>(config, vault));
    else if (name == "radius")
      out.push_back(std::make_unique<RadiusService>(config));
    else if (name == "settlement-reports")
      out.push_back(std::make_unique<SettlementReportsService>(config));
    else if (name == "web")
      out.push_back(std::make_unique<WebService>(config));
    else if (name == "login")
      login = std::make_unique<LoginService>(config, vault);
    else
      throw ConfigError("services: unknown service \"" + name + "\"");
  }
  // Last, so that it tells agents the ports the census and billing bound (port 0 in tests).
  if (login) out.push_back(std::move(login));
  return out;
}

}  // namespace gm::host
