#include "tests/bench/negative_control.h"

#include <sqlite3.h>

#include <stdexcept>
#include <vector>

namespace gm::bench {

void corrupt_first_ack(AckLog& log) {
  if (log.entries.empty()) throw std::runtime_error("negative control: no ack to corrupt");
  const AckLog::Entry& e = log.entries.front();
  log.bytes[e.offset + e.length - 1] ^= 0x01;  // the tag's last byte
}

void corrupt_store(const std::string& store_path, const SessionPlan& plan,
                   const std::string& first_agent_id) {
  std::vector<uint32_t> victims;  // local indices
  for (uint32_t l = 0; l < plan.per_agent && victims.size() < 3; ++l)
    if (plan.acked[plan.slot(0, l)] > 1) victims.push_back(l);
  if (victims.size() < 3) throw std::runtime_error("negative control: too few acknowledged sessions");
  sqlite3* db = nullptr;
  if (sqlite3_open(store_path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("negative control: cannot open " + store_path);
  }
  const char* edits[] = {
      "DELETE FROM subscriber_sessions WHERE session_id = ?2 AND "
      "agent = (SELECT id FROM agents WHERE agent_id = ?1)",
      "UPDATE subscriber_sessions SET seq = ?3 WHERE session_id = ?2 AND "
      "agent = (SELECT id FROM agents WHERE agent_id = ?1)",
      "UPDATE subscriber_sessions SET octets_in = octets_in + 1 WHERE session_id = ?2 AND "
      "agent = (SELECT id FROM agents WHERE agent_id = ?1)",
  };
  for (size_t i = 0; i < 3; ++i) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, edits[i], -1, &s, nullptr);
    sqlite3_bind_text(s, 1, first_agent_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(SessionPlan::session_id(victims[i])));
    if (i == 1) sqlite3_bind_int64(s, 3, plan.acked[plan.slot(0, victims[i])] - 1);
    const int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE || sqlite3_changes(db) != 1) {
      sqlite3_close(db);
      throw std::runtime_error("negative control: edit " + std::to_string(i) + " changed nothing");
    }
  }
  sqlite3_close(db);
}

}  // namespace gm::bench
