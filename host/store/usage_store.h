// The usage store: what the login service and the census keep, behind one interface so a
// PostgreSQL implementation can stand beside the SQLite default (sqlite_store.h).
//
// Every method is one transaction. Methods throw StoreError when the database fails; the
// caller then has NOT made anything durable and must not acknowledge it.
//
// Threading: one UsageStore object is used by one thread at a time (its owner). Several
// objects may be open on the same database at once, in one process or several; the database
// serialises their writes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "shared/frame/frame_tag.h"
#include "shared/record/usage_record.h"

namespace gm::host {

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
  frame::TagKey tag_key{};  // derive_tag_key(session key): the census never sees the key
  int64_t started_unix = 0;
  int64_t closed_unix = 0;  // 0 while open
  int64_t serial = 0;       // increases with every login; the census follows it
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
};

// One authentic datagram the census verified (tag and its own replay window passed).
struct VerifiedDatagram {
  int64_t agent = 0;
  uint64_t login_session = 0;
  uint32_t seq = 0;       // the frame sequence
  bool accepted = false;  // set by commit_datagrams(); false: refused as replayed, nothing applied
};

// A command id the agent confirmed (MeteringBatch.confirmed_commands) in datagram `datagram`.
struct CommandConfirmation {
  uint32_t datagram = 0;
  int64_t command = 0;
};

// Everything one census commit applies.
struct CensusCommit {
  std::vector<VerifiedDatagram> datagrams;
  std::vector<VerifiedRecord> records;  // in any order; each names its datagram
  std::vector<CommandConfirmation> confirmations;
  std::vector<RefusalCount> refusals;
  void clear() {
    datagrams.clear();
    records.clear();
    confirmations.clear();
    refusals.clear();
  }
};

struct PendingCommand {
  int64_t id = 0;
  int64_t agent = 0;
  gatemeter_Command command = gatemeter_Command_init_zero;
};

class UsageStore {
 public:
  virtual ~UsageStore() = default;

  // ---- agents (censusctl, login) ----
  // False if the agent_id is taken.
  virtual bool add_agent(const std::string& agent_id, const std::vector<uint8_t>& sealed_credential,
                         int64_t now_unix) = 0;
  virtual std::optional<Agent> find_agent(const std::string& agent_id) = 0;
  virtual std::vector<Agent> list_agents() = 0;
  virtual bool set_agent_enabled(const std::string& agent_id, bool enabled) = 0;

  // ---- login ----
  // Opens a login session for the agent and, in the same transaction, closes the agent's
  // earlier login sessions and their open subscriber sessions at their last committed totals
  // (state closed_by_restart, cause STOP_AGENT_RESTART). Returns how many subscriber sessions
  // it closed. False-free: a duplicate id throws (the caller draws 64 random bits).
  virtual size_t open_login_session(int64_t agent, uint64_t login_session_id,
                                    const frame::TagKey& tag_key, const std::string& components,
                                    int64_t now_unix) = 0;
  // Open login sessions whose serial is above `after_serial`, oldest first: how the census
  // learns of logins, even from another process.
  virtual std::vector<LoginSession> open_login_sessions_after(int64_t after_serial) = 0;

  // ---- census ----
  // Applies each record only if its seq is newer than what is held for (agent, session),
  // adds the refusal counts, and marks the commands delivered: all in one transaction, which
  // is durable (fsynced) when this returns. No datagram check: for tools, tests and the login
  // service's refusal counts; the census commits through commit_datagrams().
  virtual void apply(const std::vector<VerifiedRecord>& records,
                     const std::vector<RefusalCount>& refusals,
                     const std::vector<int64_t>& delivered_commands, int64_t now_unix) = 0;
  // The census's commit, one transaction, durable (fsynced) when it returns. Per login session,
  // a datagram is accepted only if its seq is above the highest the store has committed for
  // that login session (whichever census node committed it, however long ago), and that
  // highest rises to the highest accepted; so a replay is refused even by a census that just
  // started or never saw the original. Only accepted datagrams' records are applied (newest
  // wins) and their confirmations mark the confirming agent's command delivered. Sets
  // `accepted` on every datagram; refusal counts are added either way.
  virtual void commit_datagrams(CensusCommit& commit, int64_t now_unix) {
    (void)commit, (void)now_unix;
    throw StoreError("this store cannot commit census datagrams");
  }
  // The highest datagram seq committed for a login session (0: none).
  virtual uint32_t committed_datagram_seq(uint64_t login_session) {
    (void)login_session;
    throw StoreError("this store keeps no datagram sequences");
  }
  // Commands not yet confirmed by their agent, oldest first; command.id is set to id.
  virtual std::vector<PendingCommand> pending_commands(size_t limit) = 0;
  virtual int64_t queue_command(int64_t agent, const gatemeter_Command& command,
                                int64_t now_unix) = 0;

  // ---- housekeeping ----
  // SQLite copies its write-ahead log back into the database file at checkpoints. By default
  // a commit does that itself when the log grows; the census turns that off on its committer
  // (so no commit waits for it) and calls checkpoint() from a thread of its own instead.
  virtual void set_automatic_checkpoints(bool) {}
  virtual void checkpoint() {}

  // ---- reports ----
  // Every subscriber session, or those of one agent (empty agent_id: all), ordered.
  virtual std::vector<SubscriberSession> sessions(const std::string& agent_id) = 0;
  virtual std::optional<SubscriberSession> session(const std::string& agent_id,
                                                   uint64_t session_id) = 0;
  virtual std::vector<RefusalCount> refusals() = 0;
};

// Opens (creating if absent) the SQLite store at path.
std::unique_ptr<UsageStore> open_sqlite_store(const std::string& path);

}  // namespace gm::host
