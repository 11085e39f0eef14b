#include "host/store/sweep_tables.h"

#include <optional>

#include "gatemeter.pb.h"
#include "host/store/billing_types.h"
#include "host/store/command_row.h"
#include "host/store/session_close.h"

namespace gm::host {

SweepRead SweepTables::quiet_sessions(int64_t quiet_before, size_t limit) {
  SweepRead out;
  for (const sql::Row& r :
       db_.query("SELECT agent, last_seen_unix, lost_unix FROM presence ORDER BY agent"))
    out.presence.push_back({r.i64(0), r.i64(1), r.i64(2)});
  // No index on state (SCHEMA.md: the hot path would pay for it): a scan, once per interval.
  // A NAS's sessions (host/radius/) keep the NAS's own interim interval, which this service
  // does not know: a Stop or the NAS's Accounting-On ends them, never this sweep.
  for (const sql::Row& r : db_.query(
           "SELECT agent, session_id, seq, updated_unix FROM subscriber_sessions "
           "WHERE state = 0 AND updated_unix < $1 AND agent NOT IN "
           "(SELECT id FROM agents WHERE agent_id LIKE 'radius:%') "
           "ORDER BY agent, session_id LIMIT $2",
           {quiet_before, static_cast<int64_t>(limit)}))
    out.quiet.push_back(
        {r.i64(0), static_cast<uint64_t>(r.i64(1)), static_cast<uint32_t>(r.i64(2)), r.i64(3)});
  return out;
}

SweepDone SweepTables::close_sessions(const SweepWrite& w, int64_t now) {
  SweepDone done;
  db_.write([&] {
    done = {};
    for (const SessionClose& c : w.close) {
      if (c.cause == gatemeter_StopCause_STOP_LOST_CARRIER) {
        const auto seen =
            db_.query("SELECT last_seen_unix FROM presence WHERE agent = $1", {c.agent});
        if (seen.empty() || seen[0].i64(0) >= w.heard_after_unix) continue;  // heard again
      }
      // Open at the seq the read saw: a record committed since (by any census) keeps it open.
      if (!close_open_session(db_, c.agent, c.session_id, c.seq, c.cause, now, &keeper_)) continue;
      gatemeter_Command end = gatemeter_Command_init_zero;
      end.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
      end.session_id = c.session_id;
      end.cause = static_cast<gatemeter_StopCause>(c.cause);
      insert_command(db_, c.agent, end, now);
      done.closed.push_back(c);
    }
    // Last, as the census's commit writes presence after the sessions: the same lock order.
    for (int64_t agent : w.lost)
      done.gateways_lost += static_cast<size_t>(
          db_.run("UPDATE presence SET lost_unix = $2 "
                  "WHERE agent = $1 AND lost_unix = 0 AND last_seen_unix < $3",
                  {agent, now, w.heard_after_unix}));
  });
  return done;
}

std::vector<LowBalanceCandidate> SweepTables::low_balance_candidates(int64_t default_threshold) {
  std::vector<LowBalanceCandidate> out;
  // Every round, so from the accounts at or below their mark (one pass over the accounts) and
  // the sessions warned already (an index), never from every live authorisation: at 400,000
  // live sessions that join took 270-470 ms of a core each round, this takes 25.
  constexpr const char* columns =
      "SELECT a.agent, a.session_id, a.account, c.balance_micros, c.low_balance_micros, "
      "a.low_balance_unix FROM authorisations a JOIN accounts c ON c.id = a.account ";
  for (const sql::Row& r : db_.query(
           std::string(columns) +
               "WHERE a.live = 1 AND a.account IN (SELECT id FROM accounts WHERE kind = $2 AND "
               "balance_micros <= CASE WHEN low_balance_micros > $1 THEN low_balance_micros "
               "ELSE $1 END) UNION " +
               columns +
               "WHERE a.live = 1 AND a.low_balance_unix > 0 AND c.kind = $2 ORDER BY 1, 2",
           {default_threshold, int64_t{static_cast<int32_t>(AccountKind::prepaid)}}))
    out.push_back({r.i64(0), static_cast<uint64_t>(r.i64(1)), r.i64(2), r.i64(3), r.i64(4),
                   r.i64(5)});
  return out;
}

LowBalanceDone SweepTables::warn_low_balance(const LowBalanceWrite& w, int64_t now) {
  LowBalanceDone done;
  db_.write([&] {
    done = {};
    auto balance = [&](int64_t account) {
      const auto b = db_.query("SELECT balance_micros FROM accounts WHERE id = $1", {account});
      return b.empty() ? std::optional<int64_t>() : std::optional(b[0].i64(0));
    };
    for (const LowBalanceWarning& x : w.warn) {
      const auto now_balance = balance(x.account);
      if (!now_balance || *now_balance > x.threshold_micros) continue;  // topped up meanwhile
      // Marked first: another node (or a second round) finds it warned and sends nothing.
      if (db_.run("UPDATE authorisations SET low_balance_unix = $3 WHERE agent = $1 AND "
                  "session_id = $2 AND account = $4 AND live = 1 AND low_balance_unix = 0",
                  {x.agent, static_cast<int64_t>(x.session_id), now, x.account}) == 0)
        continue;
      gatemeter_Command low = gatemeter_Command_init_zero;
      low.kind = gatemeter_CommandKind_COMMAND_LOW_BALANCE;
      low.session_id = x.session_id;
      low.balance_micros = *now_balance;
      insert_command(db_, x.agent, low, now);
      ++done.warned;
    }
    for (const LowBalanceWarning& x : w.rearm) {
      const auto now_balance = balance(x.account);
      if (!now_balance || *now_balance <= x.threshold_micros) continue;
      done.rearmed += static_cast<size_t>(
          db_.run("UPDATE authorisations SET low_balance_unix = 0 WHERE agent = $1 AND "
                  "session_id = $2 AND low_balance_unix <> 0",
                  {x.agent, static_cast<int64_t>(x.session_id)}));
    }
  });
  return done;
}

}  // namespace gm::host
