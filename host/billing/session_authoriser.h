// The billing decision's reading and writing: for one AuthRequest (or a remote approval's
// answer, or a top-up), one store transaction (AuthorisationLedger::authorise) reads the
// account, the stored answer and the other live sessions; this builds the AuthContext from it
// and the catalog (realm, offers, the rate that prices the session now), calls authorise(), and
// writes the outcome and the session's link in that same transaction. One per store
// connection: the billing server's decision threads each hold one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "host/billing/authorise.h"
#include "host/billing/catalog_cache.h"
#include "host/settlement/refused_realms.h"
#include "host/store/store.h"

namespace gm::billing {

struct AuthorisationSettings {
  GrantTerms terms;
  std::string zoneinfo = "/usr/share/zoneinfo";
  // Realms whose provider settlement refuses service; nullptr: none are.
  const host::RefusedRealms* refused = nullptr;
};

struct AuthAnswer {
  enum class Kind {
    decided,   // a new request (or an update): decided and recorded
    repeated,  // the request the store answered already: its stored answer, unchanged
    stale,     // older than the request the store answered: no answer
  };
  Kind kind = Kind::stale;
  std::vector<uint8_t> response;  // the AuthResponse, nanopb-encoded (decided and repeated)
  std::string outcome;            // outcome_label() of a decided answer
  bool start_inquiry = false;     // a new temporary approval: its remote inquiry is due
};

// One request of a batch: who asked, under which login, what.
struct AuthAsked {
  int64_t agent = 0;
  uint64_t login_session = 0;
  const gatemeter_AuthRequest* request = nullptr;
  std::string agent_id;  // the login's: spares the transaction a read
};

// What a remote answer or a top-up tells the agent (queued in the command mailbox).
struct SessionCommand {
  int64_t agent = 0;
  gatemeter_Command command = gatemeter_Command_init_zero;
};

class SessionAuthoriser {
 public:
  SessionAuthoriser(host::Store& store, AuthorisationSettings settings);

  // The answer to `request` from `agent` under login `login_session`; throws StoreError.
  AuthAnswer answer(int64_t agent, uint64_t login_session, const gatemeter_AuthRequest& request,
                    int64_t now_unix);
  // The answers to many requests, decided in order and committed in one transaction (one
  // fsync): the billing service's group commit. Throws StoreError, and then none was recorded.
  std::vector<AuthAnswer> answer_all(const std::vector<AuthAsked>& asked, int64_t now_unix);
  // The answer `request` would get as a new session, decided in a transaction that writes
  // nothing (no authorisation, no link, no reservation): a RADIUS Access-Request's, whose
  // session the accounting names later (host/radius/local_access.h). BILLING_UNSPECIFIED asks
  // for the option of the subscriber's account kind (prepaid or postpaid). Throws StoreError.
  gatemeter_AuthResponse decide_only(const std::string& agent_id,
                                     const gatemeter_AuthRequest& request, int64_t now_unix);
  // The realm's offers and outage policy; none for an unknown realm.
  gatemeter_OfferResponse offers(const std::string& realm);

  // The realm's approval system answered for a session still asking (or its temporary period
  // ran out: approved = false): records it (remote 2 and an approval with a grant, or remote 3
  // and a reject that ends the authorisation) and, in the same transaction, queues the command
  // that tells the agent, which it returns: COMMAND_GRANT (AUTH_APPROVE, the grant) or
  // COMMAND_END_SESSION (STOP_AUTH_REJECTED).
  // nullopt if the session no longer asks (answered already, by another node perhaps).
  std::optional<SessionCommand> remote_answered(int64_t agent, uint64_t session_id, bool approved,
                                                int64_t now_unix);
  // A live prepaid session holding a final grant: if its account can fund more now (a top-up,
  // or another session's money released), the new grant, recorded and queued as COMMAND_GRANT.
  std::optional<SessionCommand> extend(int64_t agent, uint64_t session_id, int64_t now_unix);

  // Whether a stored answer holds a final grant (the top-up step's question).
  static bool holds_final_grant(const host::StoredAuthorisation& a);
  // The catalog as last read, reloaded first if its version moved (outside any transaction).
  const CatalogCache& catalog() {
    catalog_.refresh(store_);
    return catalog_;
  }

 private:
  // Inside the transaction: the answer to `request` (into `out`) over what it read, and the
  // write that records it, if any.
  std::optional<host::AuthorisationWrite> answer_from(int64_t agent, uint64_t login_session,
                                                      const gatemeter_AuthRequest& request,
                                                      const host::AuthorisationRead& read,
                                                      int64_t now, AuthAnswer& out);
  // The outcome of `request` over what the transaction read, and the write that records it.
  AuthOutcome decide(int64_t agent, const host::AuthorisationRead& read,
                     const gatemeter_AuthRequest& request, const PriorAuthorisation* prior,
                     int64_t now);
  host::AuthorisationWrite record(const host::AuthorisationRead& read,
                                  const gatemeter_AuthRequest& request, uint64_t login_session,
                                  const AuthOutcome& o, int64_t agent, int64_t now);
  std::optional<SessionCommand> follow_up(int64_t agent, uint64_t session_id, int64_t now,
                                          bool remote, bool approved);

  host::Store& store_;
  AuthorisationSettings settings_;
  CatalogCache catalog_;  // refreshed before each transaction, read inside it
};

// The AuthRequest a stored authorisation answered, as far as the store knows it (its service
// from the session's usage row): what a remote answer or a top-up decides again.
gatemeter_AuthRequest request_of(const host::StoredAuthorisation& a, const std::string& service);

}  // namespace gm::billing
