// The authorisation ledger: what the billing service decided for each subscriber session, and
// the link from the session to the account it charges. Linking writes the account into the
// session's usage row (created if no record came yet) so that the census's commit finds it in
// the row it reads anyway, whichever of the two commits first.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "host/store/billing_types.h"

namespace gm::host {

struct SessionLink {
  int64_t agent = 0;
  uint64_t session_id = 0;
  uint64_t login_session = 0;
  int64_t account = 0;
  std::string subscriber, service;  // as the AuthRequest named them
  int32_t billing = 0;
  int64_t start_unix = 0;
};

// One row of `authorisations` (SCHEMA.md).
struct StoredAuthorisation {
  int64_t agent = 0;
  uint64_t session_id = 0;
  int64_t account = 0;  // 0: none (free, roaming, or rejected before an account was known)
  std::string subscriber;
  int32_t option = 0;  // gatemeter.BillingOption asked for
  std::string address;
  uint32_t request = 0;                // the newest request answered
  std::vector<uint8_t> response;       // its AuthResponse, nanopb-encoded: resent as is
  int32_t decision = 0;                // gatemeter.AuthDecision the session stands at
  int64_t granted_micros = 0;          // cumulative money its grant allows
  int32_t remote = 0;                  // 0 none, 1 asking, 2 approved, 3 rejected
  int64_t temporary_until_unix = 0;    // remote = 1: the inquiry's deadline
  bool live = false;                   // approved or temporary, and not ended
  bool final_grant = false;            // live, approved, its grant final (money bought no more)
  int64_t created_unix = 0, updated_unix = 0;
};

// A session's committed usage and running charge (subscriber_sessions); zero if no row yet.
struct SessionUsageRow {
  std::string service;  // the service the session's row names ("" no row)
  uint64_t charged_s = 0;
  uint64_t octets = 0;  // in + out
  int64_t amount_micros = 0;
  int64_t line_rate = 0;
  uint64_t line_units = 0;
  bool ended = false;  // its STOP (or a restart, or the sweep) committed already
};

// Another live session of the account, with what it has been charged.
struct LiveReservation {
  int64_t agent = 0;
  uint64_t session_id = 0;
  int64_t granted_micros = 0;
  int64_t amount_micros = 0;
};

// Which session a transaction is for, and how to find its account: the one its stored
// authorisation names, else `account` by name (AuthRequest.account), else the account
// `subscriber` belongs to (subscribers).
struct AuthorisationLookup {
  int64_t agent = 0;
  uint64_t session_id = 0;
  std::string account;
  std::string subscriber;
  std::string agent_id;  // the agent's name when the caller knows it (its login); "" read it
};

// What one transaction reads before the decision.
struct AuthorisationRead {
  std::string agent_id;  // the agent's name (agents.agent_id)
  std::optional<StoredAuthorisation> stored;
  std::optional<AccountRow> account;  // locked until the commit
  std::vector<LiveReservation> others;  // the account's other live sessions
  SessionUsageRow usage;                // this session's
};

// What the decision writes: the authorisation row (upserted; created_unix kept), the link of
// the session to its account when `link` is set (link_session's upsert), and a command for the
// agent when `command` is set (the command mailbox's row, as queue_command writes it), all in
// the one transaction: a remote answer recorded is a command queued, and the other way round.
struct AuthorisationWrite {
  StoredAuthorisation authorisation;
  std::optional<SessionLink> link;
  std::optional<gatemeter_Command> command;
};

// A gateway's connect signal: its last datagram (every census commit that carries one, at most
// every few seconds per gateway).
struct GatewayPresence {
  std::string agent_id;
  int64_t last_seen_unix = 0;
  int64_t lost_unix = 0;  // when its sessions were marked lost carrier; 0 while present
};

class AuthorisationLedger {
 public:
  virtual ~AuthorisationLedger() = default;
  // The session charges `account` from now on: usage committed before the link (free time
  // while authorising) was not rated, and stays so.
  virtual void link_session(const SessionLink& link, int64_t now_unix) = 0;

  // One request (or remote answer, or top-up) in one transaction: finds and locks the account
  // row (FOR UPDATE; SQLite's writers are serialised anyway), reads the stored authorisation,
  // the account's other live sessions with what each was charged, and this session's usage,
  // then calls decide. If it returns a write, the authorisation and the link are written in the
  // same transaction, so two sessions of one account never size grants from the same money.
  // decide may be called again (PostgreSQL retries a deadlock): it must be a pure function of
  // what it is given. Returns what decide returned.
  virtual std::optional<AuthorisationWrite> authorise(
      const AuthorisationLookup& lookup,
      const std::function<std::optional<AuthorisationWrite>(const AuthorisationRead&)>& decide,
      int64_t now_unix) = 0;
  // The same for many requests in ONE transaction (the billing service's group commit: one
  // fsync for all of them), in the order given: each reads what the ones before it wrote, so
  // two requests of one account in a batch size their grants one after the other as two
  // transactions would. decide(i, read) is for lookups[i]; result i is what it returned. A
  // throw rolls back the whole batch.
  virtual std::vector<std::optional<AuthorisationWrite>> authorise_all(
      const std::vector<AuthorisationLookup>& lookups,
      const std::function<std::optional<AuthorisationWrite>(size_t, const AuthorisationRead&)>&
          decide,
      int64_t now_unix) = 0;

  virtual std::optional<StoredAuthorisation> find_authorisation(int64_t agent,
                                                                uint64_t session_id) = 0;
  // Live authorisations of `account`, or of every account (account 0: those with an account).
  virtual std::vector<StoredAuthorisation> live_authorisations(int64_t account) = 0;
  // Live authorisations holding a final grant (final_grant), by account: the sessions a
  // top-up may extend.
  virtual std::vector<StoredAuthorisation> final_grants() = 0;
  // Remote inquiries still asking (remote = 1), soonest deadline first.
  virtual std::vector<StoredAuthorisation> pending_inquiries(size_t limit) = 0;
  // The session ended: its authorisation holds no money any more (live = 0). False if it was
  // not live.
  virtual bool end_authorisation(int64_t agent, uint64_t session_id, int64_t now_unix) = 0;
  // (A session's end ends its authorisation in the same transaction: the census's commit of
  // its STOP, a restart of its gateway, the sweep. Nothing scans for ended ones.)
  virtual std::vector<GatewayPresence> presence() = 0;
};

}  // namespace gm::host
