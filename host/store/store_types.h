// The values the store's roles exchange (agent_directory.h, login_ledger.h, usage_ledger.h,
// command_mailbox.h, usage_reports.h). Tables and rules: SCHEMA.md.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "shared/record/usage_record.h"

namespace gm::host {

// A store call failed: the caller must not acknowledge what it asked to write (usage_ledger.h
// says why that is safe even if a server committed it before the connection dropped).
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Agent {
  int64_t id = 0;  // the store's key; agent_id is the name the device logs in with
  std::string agent_id;
  std::vector<uint8_t> sealed_credential;  // see credential_vault.h: encrypted at rest
  bool enabled = true;
  std::string components;  // what the agent last reported, "name=version,..."
  int64_t created_unix = 0;
  int64_t last_login_unix = 0;
};

struct LoginSession {
  uint64_t id = 0;
  int64_t agent = 0;
  std::string agent_id;
  // The tag key (HKDF of the session key; the key itself is never stored), sealed under the
  // vault (CredentialVault::seal_tag_key): a copy of the database opens no frame.
  std::vector<uint8_t> sealed_tag_key;
  uint32_t boot_count = 0;  // what the agent reported at this login
  int64_t started_unix = 0;
  int64_t expires_unix = 0;  // the agent must log in again before this
  int64_t closed_unix = 0;   // 0 while open
};

// What the login service writes when it grants a login.
struct NewLogin {
  int64_t agent = 0;
  uint64_t id = 0;
  std::vector<uint8_t> sealed_tag_key;
  std::string components;
  uint32_t boot_count = 0;
  // The agent says it logs in again without having rebooted (LoginRequest.continuing).
  bool continuing = false;
  int64_t now_unix = 0;
  int64_t expires_unix = 0;
};

struct LoginOpened {
  // A renewal: the agent logged in again without rebooting (same boot count as its previous
  // login), so its subscriber sessions go on. Otherwise it restarted and they were closed.
  bool renewal = false;
  size_t sessions_closed = 0;  // subscriber sessions closed at their committed totals
};

enum class SessionState : uint8_t { open = 0, stopped = 1, closed_by_restart = 2 };
const char* session_state_name(SessionState s);

struct SubscriberSession {
  std::string agent_id;
  uint64_t session_id = 0;
  uint64_t login_session = 0;
  std::string subscriber, realm, service;
  int32_t billing = 0;
  uint64_t start_unix = 0;
  uint32_t last_seq = 0;
  UsageTotals totals;
  SessionState state = SessionState::open;
  int32_t stop_cause = 0;
  int64_t updated_unix = 0;
};

struct RefusalCount {
  std::string reason;
  uint64_t count = 0;
};

// One record the census verified, ready to apply: which agent sent it and under which login.
struct VerifiedRecord {
  int64_t agent = 0;
  uint64_t login_session = 0;
  UsageRecord record;
  uint32_t datagram = 0;  // commit_datagrams(): its datagram's index in CensusCommit::datagrams
  // When the agent sent it (MeteringBatch.agent_time_unix; 0 unknown): billing rates the usage
  // it adds at this time, clamped to [session start, commit time].
  int64_t agent_unix = 0;
};

// Why the store refused a datagram in commit_datagrams (none: accepted).
enum class DatagramVerdict : uint8_t {
  none,
  accepted,
  replayed,      // its seq is at or below what is committed for its login session
  login_closed,  // its login session was closed (agent disabled, logged in again, expired)
};

// One authentic datagram the census verified (tag and its own replay window passed).
struct VerifiedDatagram {
  int64_t agent = 0;
  uint64_t login_session = 0;
  uint32_t seq = 0;  // the frame sequence
  DatagramVerdict verdict = DatagramVerdict::none;  // set by commit_datagrams()
  bool accepted() const { return verdict == DatagramVerdict::accepted; }
};

// A command id the agent confirmed (MeteringBatch.confirmed_commands) in datagram `datagram`.
struct CommandConfirmation {
  uint32_t datagram = 0;
  int64_t command = 0;
};

// What one commit changed in one subscriber session: its totals before the commit and the
// record whose totals it now holds (the newest applied). Summed over commits, the changes give
// exactly the stored totals, so billing rates what was committed, once.
struct UsageDelta {
  uint32_t record = 0;  // index in CensusCommit::records
  bool created = false;  // the session was new (before is zero)
  UsageTotals before;
};

// How often at most a census writes one gateway's presence (CensusCommit::present): a gateway
// heard continuously may read up to this much older than its last datagram, which the billing
// service's sweep allows for before it calls a gateway silent.
inline constexpr int64_t presence_every_s = 5;

// Everything one census commit applies.
class CommitRater;
struct CommitDebits;

struct CensusCommit {
  std::vector<VerifiedDatagram> datagrams;
  std::vector<VerifiedRecord> records;  // in any order; each names its datagram
  std::vector<CommandConfirmation> confirmations;
  std::vector<RefusalCount> refusals;
  bool want_deltas = false;        // fill `deltas` (costs a read per session)
  std::vector<UsageDelta> deltas;  // filled inside the transaction, one per changed session
  // Billing (commit_rater.h): set, the store rates every session whose totals grew and debits
  // the accounts in this commit's transaction, reporting what it did into *debits.
  CommitRater* rater = nullptr;
  CommitDebits* debits = nullptr;
  // Agents whose datagrams this commit carries, for presence (each gateway's connect signal):
  // the census lists an agent at most every presence_every_s, not with every commit.
  std::vector<int64_t> present;
  void clear() {
    present.clear();
    datagrams.clear();
    records.clear();
    confirmations.clear();
    refusals.clear();
    deltas.clear();
  }
};

struct PendingCommand {
  int64_t id = 0;
  int64_t agent = 0;
  gatemeter_Command command = gatemeter_Command_init_zero;
};

}  // namespace gm::host
