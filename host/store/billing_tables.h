// The account book, the billing catalog, the authorisation ledger, the feed and the service
// manager's read, written once in SQL both databases run
// (sql_session.h): their tables are off the census's hot path.
#pragma once

#include "host/store/account_book.h"
#include "host/store/active_sessions.h"
#include "host/store/authorisation_ledger.h"
#include "host/store/billing_catalog.h"
#include "host/store/feed_outbox.h"
#include "host/store/sql_session.h"

namespace gm::host {

class BillingTables final : public AccountBook,
                            public BillingCatalog,
                            public AuthorisationLedger,
                            public FeedOutbox,
                            public ActiveSessions {
 public:
  explicit BillingTables(sql::Session& db) : db_(db) {}

  int64_t add_account(const AccountRow& account) override;
  void update_account(const AccountRow& account) override;
  std::optional<AccountRow> find_account(const std::string& name) override;
  std::vector<AccountRow> list_accounts() override;
  std::vector<AccountTerms> accounts_changed_since(int64_t version) override;
  void add_subscriber(const SubscriberRow& subscriber) override;
  bool set_subscriber_password(const std::string& name, const std::string& hash) override;
  std::string subscriber_password_hash(const std::string& name) override;
  bool remove_subscriber(const std::string& name) override;
  std::optional<SubscriberRow> find_subscriber(const std::string& name) override;
  std::vector<SubscriberRow> list_subscribers() override;
  TopUpResult top_up(const std::string& key, const std::string& account, int64_t amount_micros,
                     int64_t now_unix) override;
  std::vector<ChargedLine> charged_lines(const std::string& account, int64_t from_unix,
                                         int64_t to_unix) override;

  int64_t add_rate(const RateRow& rate) override;
  std::vector<RateRow> list_rates() override;
  void set_service(const ServiceRow& service) override;
  std::vector<ServiceRow> list_services() override;
  void set_realm(const RealmRow& realm) override;
  std::vector<RealmRow> list_realms() override;
  void set_offer(const OfferRow& offer) override;
  bool remove_offer(const std::string& scope, int32_t option) override;
  std::vector<OfferRow> list_offers() override;
  void set_zone(const ZoneRow& zone) override;
  std::vector<ZoneRow> list_zones() override;
  void set_time_bands(const std::string& text) override;
  std::string time_bands() override;
  int64_t catalog_version() override;

  void link_session(const SessionLink& link, int64_t now_unix) override;
  std::optional<AuthorisationWrite> authorise(
      const AuthorisationLookup& lookup,
      const std::function<std::optional<AuthorisationWrite>(const AuthorisationRead&)>& decide,
      int64_t now_unix) override;
  std::vector<std::optional<AuthorisationWrite>> authorise_all(
      const std::vector<AuthorisationLookup>& lookups,
      const std::function<std::optional<AuthorisationWrite>(size_t, const AuthorisationRead&)>&
          decide,
      int64_t now_unix) override;
  std::optional<StoredAuthorisation> find_authorisation(int64_t agent,
                                                        uint64_t session_id) override;
  std::vector<StoredAuthorisation> live_authorisations(int64_t account) override;
  std::vector<StoredAuthorisation> final_grants() override;
  std::vector<StoredAuthorisation> pending_inquiries(size_t limit) override;
  bool end_authorisation(int64_t agent, uint64_t session_id, int64_t now_unix) override;
  std::vector<GatewayPresence> presence() override;

  std::vector<FeedEvent> undelivered(FeedSink sink, size_t limit) override;
  void mark_delivered(FeedSink sink, const std::vector<int64_t>& ids, int64_t now_unix) override;
  int64_t backlog(FeedSink sink) override;
  FeedLease lease(FeedSink sink) override;
  bool swap_lease(FeedSink sink, const FeedLease& expected, const FeedLease& next) override;
  int64_t prune(int64_t created_before_unix, int64_t in_use_since_unix, size_t scan) override;

  std::vector<ActiveSession> active_sessions(const std::optional<SessionKey>& after,
                                             size_t limit) override;
  std::optional<ActiveSession> active_session(const SessionKey& key) override;
  std::vector<ActiveSession> account_sessions(const std::string& account, size_t limit) override;

 private:
  void bump_version();
  // Inside a write(): authorise()'s reading, deciding and writing for one request.
  std::optional<AuthorisationWrite> authorise_in_transaction(
      const AuthorisationLookup& lookup,
      const std::function<std::optional<AuthorisationWrite>(const AuthorisationRead&)>& decide,
      int64_t now_unix);
  // Inside a write(): link_session's upsert.
  void link_in_transaction(const SessionLink& link, int64_t now_unix);
  sql::Session& db_;
};

}  // namespace gm::host
