#include "host/store/session_link.h"

#include <string>

namespace gm::host {

void link_session_in(sql::Session& db, const SessionLink& l, int64_t now) {
  const auto at = l.subscriber.find('@');
  const std::string realm = at == std::string::npos ? "" : l.subscriber.substr(at + 1);
  // seq 0: the session's first record (seq 1) still applies, and finds the account here.
  db.run("INSERT INTO subscriber_sessions(agent, session_id, login_session, subscriber, realm, "
          "service, billing, start_unix, seq, kind, charged_s, free_s, octets_in, octets_out, "
          "state, stop_cause, updated_unix, account) "
          "VALUES($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0, 0, 0, 0, 0, 0, $9, $10) "
          "ON CONFLICT(agent, session_id) DO UPDATE SET account = excluded.account",
          {l.agent, static_cast<int64_t>(l.session_id), static_cast<int64_t>(l.login_session),
           l.subscriber, realm, l.service, int64_t{l.billing}, l.start_unix, now, l.account});
}

}  // namespace gm::host
