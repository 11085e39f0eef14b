// The billing service's sweep over presence and the usage ledger (BILLING.md, "Presence and
// stale sessions"): open sessions nobody reports any more are closed at their last reported
// totals, gateways that went silent are marked lost, and prepaid sessions whose account fell to
// its low-balance threshold are warned once. What to do is decided outside the store
// (host/billing/stale_sweep.h, low_balance.h) from a plain read; each write is conditional on
// what the read saw still holding, so several billing nodes sweeping at once close a session,
// write its feed row and queue its command once, and a record committed meanwhile wins.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gm::host {

// A gateway's connect signal (presence), by the store's agent id.
struct PresenceRow {
  int64_t agent = 0;
  int64_t last_seen_unix = 0;
  int64_t lost_unix = 0;  // 0 while present
};

// An open session (state 0) with no record committed since a time.
struct QuietSession {
  int64_t agent = 0;
  uint64_t session_id = 0;
  uint32_t seq = 0;  // the newest applied record's: the close holds only if it still is
  int64_t updated_unix = 0;
};

struct SweepRead {
  std::vector<PresenceRow> presence;  // every gateway ever heard
  std::vector<QuietSession> quiet;    // in (agent, session_id) order
};

// Close one session (state 2, the cause; totals and charge untouched) if it is still open at
// `seq`; with its authorisation ended, its feed row and COMMAND_END_SESSION (the cause).
struct SessionClose {
  int64_t agent = 0;
  uint64_t session_id = 0;
  uint32_t seq = 0;
  int32_t cause = 0;  // gatemeter.StopCause: STOP_SESSION_TIMEOUT or STOP_LOST_CARRIER
};

struct SweepWrite {
  // STOP_LOST_CARRIER closes and the `lost` marks hold only while the gateway's last_seen_unix
  // is still before this (the census heard nothing meanwhile).
  int64_t heard_after_unix = 0;
  std::vector<SessionClose> close;
  std::vector<int64_t> lost;  // agents whose presence gets lost_unix = now (if still 0)
};

struct SweepDone {
  std::vector<SessionClose> closed;  // what this call closed (not another node)
  size_t gateways_lost = 0;
};

// A live authorisation of a prepaid account, with the account's balance and threshold: a
// superset of the sessions the low-balance rule acts on (low_balance.h decides).
struct LowBalanceCandidate {
  int64_t agent = 0;
  uint64_t session_id = 0;
  int64_t account = 0;
  int64_t balance_micros = 0;
  int64_t account_threshold_micros = 0;  // accounts.low_balance_micros (0: the default)
  int64_t warned_unix = 0;               // authorisations.low_balance_unix (0: not warned)
};

struct LowBalanceWarning {
  int64_t agent = 0;
  uint64_t session_id = 0;
  int64_t account = 0;
  int64_t threshold_micros = 0;  // the rule's threshold, checked again in the transaction
};

struct LowBalanceWrite {
  std::vector<LowBalanceWarning> warn;   // COMMAND_LOW_BALANCE, once, if still at or below
  std::vector<LowBalanceWarning> rearm;  // warned_unix back to 0, if still above
};

struct LowBalanceDone {
  size_t warned = 0, rearmed = 0;
};

class SessionSweep {
 public:
  virtual ~SessionSweep() = default;
  // Every presence row, and the open sessions whose updated_unix is before quiet_before_unix
  // (at most `limit`, in key order). Plain reads, no transaction held: the census commits on.
  virtual SweepRead quiet_sessions(int64_t quiet_before_unix, size_t limit) = 0;
  // One transaction: each close whose session is still open at its seq (a lost-carrier close
  // only while its gateway is still unheard), then the lost marks.
  virtual SweepDone close_sessions(const SweepWrite& write, int64_t now_unix) = 0;

  // Live authorisations of prepaid accounts that are warned already, or whose balance is at
  // or below the larger of their own threshold and default_threshold_micros.
  virtual std::vector<LowBalanceCandidate> low_balance_candidates(
      int64_t default_threshold_micros) = 0;
  // One transaction: each warning whose session is live and not yet warned and whose account
  // is still at or below the threshold is marked (low_balance_unix = now) and its
  // COMMAND_LOW_BALANCE (session, the balance now) queued; each re-arm whose account is still
  // above its threshold clears the mark.
  virtual LowBalanceDone warn_low_balance(const LowBalanceWrite& write, int64_t now_unix) = 0;
};

}  // namespace gm::host
