#include "host/store/session_close.h"

#include <string>

namespace gm::host {

namespace {

// What both closes return, in this order.
constexpr const char* ended_columns =
    " RETURNING subscriber, service, billing, start_unix, charged_s, free_s, octets_in, "
    "octets_out, amount_micros, session_id";

EndedSession ended_of(const sql::Row& r, int32_t cause, int64_t now) {
  EndedSession e;
  e.subscriber = r.text(0);
  e.service = r.text(1);
  e.billing = static_cast<int32_t>(r.i64(2));
  e.start_unix = static_cast<uint64_t>(r.i64(3));
  e.end_unix = now;
  e.totals = {static_cast<uint32_t>(r.i64(4)), static_cast<uint32_t>(r.i64(5)),
              static_cast<uint64_t>(r.i64(6)), static_cast<uint64_t>(r.i64(7))};
  e.stop_cause = cause;
  e.amount_micros = r.i64(8);
  e.session_id = static_cast<uint64_t>(r.i64(9));
  return e;
}

}  // namespace

std::optional<EndedSession> close_open_session(sql::Session& db, int64_t agent, uint64_t session_id,
                                               std::optional<uint32_t> at_seq, int32_t cause,
                                               int64_t now, const RoamingKeeper* keeper) {
  const int64_t session = static_cast<int64_t>(session_id);
  // Another node that closed it first leaves nothing here to close.
  const auto closed =
      db.query(std::string("UPDATE subscriber_sessions SET state = 2, stop_cause = $3 "
                           "WHERE agent = $1 AND session_id = $2 AND state = 0") +
                   (at_seq ? " AND seq = $4" : "") + ended_columns,
               at_seq ? std::vector<sql::Value>{agent, session, int64_t{cause}, int64_t{*at_seq}}
                      : std::vector<sql::Value>{agent, session, int64_t{cause}});
  if (closed.empty()) return std::nullopt;
  db.run(
      "UPDATE authorisations SET live = 0, updated_unix = $3 "
      "WHERE agent = $1 AND session_id = $2 AND live = 1",
      {agent, session, now});
  const EndedSession e = ended_of(closed[0], cause, now);
  db.run("INSERT INTO feed(agent, session_id, event, created_unix) VALUES($1, $2, $3, $4)",
         {agent, session, feed_event(e), now});
  if (keeper != nullptr) keeper->keep(db, agent, e, now);
  return e;
}

size_t close_restarted_sessions(sql::Session& db, int64_t agent, int32_t cause, int64_t now,
                                const RoamingKeeper& keeper) {
  const auto closed =
      db.query(std::string("UPDATE subscriber_sessions SET state = 2, stop_cause = $2, "
                           "updated_unix = $3 WHERE agent = $1 AND state = 0") +
                   ended_columns,
               {agent, int64_t{cause}, now});
  for (const sql::Row& r : closed) keeper.keep(db, agent, ended_of(r, cause, now), now);
  return closed.size();
}

}  // namespace gm::host
