#include "host/store/radius_tables.h"

#include <cstring>

#include "gatemeter.pb.h"
#include "host/store/billing_types.h"
#include "host/store/session_close.h"
#include "host/store/session_link.h"

namespace gm::host {

namespace {

// A session's id, named once for its first-seen start: FNV-1a over the NAS, Acct-Session-Id and
// start, kept positive and non-zero so both databases store it as a signed 64-bit key.
uint64_t session_id_for(const RadiusSessionKey& k) {
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  };
  mix(&k.agent, sizeof k.agent);
  mix(k.acct_session_id.data(), k.acct_session_id.size());
  mix(&k.start_unix, sizeof k.start_unix);
  h &= 0x7fff'ffff'ffff'ffffull;
  return h == 0 ? 1 : h;
}

}  // namespace

int64_t RadiusTables::nas_agent(const std::string& nas, int64_t now) {
  const std::string id = "radius:" + nas;
  int64_t agent = 0;
  db_.write([&] {
    // One octet: a credential that opens under no vault, so no login can match it
    // (login_grant.cpp opens it under the vault first).
    db_.run("INSERT INTO agents(agent_id, credential, created_unix) VALUES($1, $2, $3) "
            "ON CONFLICT(agent_id) DO NOTHING",
            {id, sql::Bytes{0}, now});
    agent = db_.query("SELECT id FROM agents WHERE agent_id = $1", {id}).at(0).i64(0);
  });
  return agent;
}

std::vector<uint64_t> RadiusTables::sessions_of(const std::vector<RadiusSessionKey>& keys,
                                                int64_t tolerance_s, int64_t now) {
  std::vector<uint64_t> out;
  db_.write([&] {
    out.assign(keys.size(), 0);  // afresh if PostgreSQL runs the body again
    int64_t locked = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      const RadiusSessionKey& k = keys[i];
      // The NAS's row, locked (PostgreSQL; SQLite's writer holds the whole database): two nodes
      // naming one new session at once would otherwise each name their own.
      if (k.agent != locked) {
        db_.query(std::string("SELECT id FROM agents WHERE id = $1") + db_.for_update(), {k.agent});
        locked = k.agent;
      }
      const auto near = db_.query(
          "SELECT session_id, start_unix FROM radius_sessions WHERE agent = $1 AND "
          "acct_session_id = $2 AND start_unix BETWEEN $3 AND $4",
          {k.agent, k.acct_session_id, k.start_unix - tolerance_s, k.start_unix + tolerance_s});
      int64_t best = -1, distance = 0;
      for (const sql::Row& r : near) {
        const int64_t d = r.i64(1) > k.start_unix ? r.i64(1) - k.start_unix : k.start_unix - r.i64(1);
        if (best < 0 || d < distance) best = r.i64(0), distance = d;
      }
      if (best >= 0) {
        out[i] = static_cast<uint64_t>(best);
        continue;
      }
      out[i] = session_id_for(k);
      db_.run("INSERT INTO radius_sessions(agent, acct_session_id, start_unix, session_id, "
              "created_unix) VALUES($1, $2, $3, $4, $5)",
              {k.agent, k.acct_session_id, k.start_unix, static_cast<int64_t>(out[i]), now});
      if (k.subscriber.empty()) continue;
      const auto account = db_.query(
          "SELECT a.id, a.kind FROM subscribers s JOIN accounts a ON a.id = s.account "
          "WHERE s.name = $1 AND a.enabled = 1",
          {k.subscriber});
      if (account.empty()) continue;
      const bool prepaid = account[0].i64(1) == static_cast<int64_t>(AccountKind::prepaid);
      link_session_in(db_,
                      {k.agent, out[i], 0, account[0].i64(0), k.subscriber, "data",
                       prepaid ? gatemeter_BillingOption_BILLING_PREPAID
                               : gatemeter_BillingOption_BILLING_POSTPAID,
                       k.start_unix},
                      now);
    }
  });
  return out;
}

size_t RadiusTables::end_nas_sessions(int64_t agent, int32_t cause, int64_t now) {
  size_t ended = 0;
  db_.write([&] {
    ended = 0;
    for (const sql::Row& r :
         db_.query("SELECT session_id FROM subscriber_sessions WHERE agent = $1 AND state = 0",
                   {agent}))
      if (close_open_session(db_, agent, static_cast<uint64_t>(r.i64(0)), std::nullopt, cause, now,
                             nullptr))
        ++ended;
  });
  return ended;
}

void RadiusTables::enqueue(const std::vector<std::vector<uint8_t>>& packets, int64_t now) {
  if (packets.empty()) return;
  db_.write([&] {
    for (const std::vector<uint8_t>& p : packets)
      db_.run("INSERT INTO radius_queue(packet, received_unix) VALUES($1, $2)", {p, now});
  });
}

std::vector<QueuedRequest> RadiusTables::queued(int64_t after_id, size_t limit) {
  std::vector<QueuedRequest> out;
  for (const sql::Row& r : db_.query(
           "SELECT id, packet, received_unix FROM radius_queue WHERE id > $1 ORDER BY id LIMIT $2",
           {after_id, static_cast<int64_t>(limit)}))
    out.push_back({r.i64(0), r.bytes(1), r.i64(2)});
  return out;
}

void RadiusTables::forwarded(const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  db_.write([&] {
    for (int64_t id : ids) db_.run("DELETE FROM radius_queue WHERE id = $1", {id});
  });
}

int64_t RadiusTables::queue_length() {
  return db_.query("SELECT count(*) FROM radius_queue").at(0).i64(0);
}

std::vector<OpenRadiusSession> RadiusTables::open_sessions(const std::string& nas, size_t limit) {
  // Through radius_sessions: only a NAS's sessions have a row there, so no scan of the
  // gateways' sessions; an empty nas matches every NAS.
  std::vector<OpenRadiusSession> out;
  for (const sql::Row& r : db_.query(
           "SELECT a.agent_id, r.acct_session_id, r.start_unix, s.subscriber, s.charged_s, "
           "s.octets_in, s.octets_out, s.updated_unix, COALESCE(c.name, ''), s.amount_micros "
           "FROM radius_sessions r JOIN agents a ON a.id = r.agent "
           "JOIN subscriber_sessions s ON s.agent = r.agent AND s.session_id = r.session_id "
           "LEFT JOIN accounts c ON c.id = s.account "
           "WHERE s.state = 0 AND ($1 = '' OR a.agent_id = $2) "
           "ORDER BY r.start_unix, a.agent_id, r.acct_session_id LIMIT $3",
           {nas, "radius:" + nas, static_cast<int64_t>(limit)})) {
    OpenRadiusSession o;
    o.nas = r.text(0).substr(std::string("radius:").size());
    o.acct_session_id = r.text(1);
    o.start_unix = r.i64(2);
    o.subscriber = r.text(3);
    o.charged_s = static_cast<uint64_t>(r.i64(4));
    o.octets_in = static_cast<uint64_t>(r.i64(5));
    o.octets_out = static_cast<uint64_t>(r.i64(6));
    o.updated_unix = r.i64(7);
    o.account = r.text(8);
    o.amount_micros = r.i64(9);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace gm::host
