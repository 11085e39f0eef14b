// What one commit does to each session it touches, worked out in C++ beside the database's own
// newest-wins rule, so the deltas billing rates are exactly what the database then holds. Both
// stores use it once they have read (and, under PostgreSQL, locked) the sessions' rows.
//
// The rule, record by record in index order: a record applies if its session is new to the
// store and no record of it applied yet, or its seq is above the seq the session holds; when it
// applies, the session takes its seq and kind, and each counter becomes the larger of what was
// held and what the record carries. A record whose counter is below the held one (a gateway
// after a reboot, or one that lies) raises what it can and lowers nothing: it is counted, and no
// usage ever turns into a credit.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/store/commit_rater.h"
#include "host/store/feed_event.h"
#include "host/store/store_types.h"

namespace gm::host {

inline constexpr uint32_t no_growth = UINT32_MAX;

struct SessionGrowth {
  bool created = false;      // the store had no row for it
  uint32_t held_seq = 0;     // the seq held, rising as records apply
  UsageTotals before;        // as held before the commit
  UsageTotals after;         // as held after it
  StoredCharge charge;       // as held; after rate_growth, as it must be written
  uint32_t first = 0;        // the session's first record in this commit
  uint32_t newest = no_growth;  // the newest record applied, if any
  uint64_t backwards = 0;    // applied records with a counter below the held one
  int32_t state_before = 0;  // SessionState as held (0 open)
  uint32_t ended = no_growth;  // the STOP that ended the open session in this commit, if any
  uint32_t stop = no_growth;   // the newest STOP applied in this commit, if any
  int32_t stop_cause = 0;      // and its cause
};

// Applies records[i] to its session's growth (the rule above); true if it applies.
bool grow(SessionGrowth& g, const VerifiedRecord& v, uint32_t index);

// Counters as the rule leaves them: the larger of each.
UsageTotals counters_max(const UsageTotals& a, const UsageTotals& b);

// When a session's growth happened, for rating: the agent's time clamped to [start, commit].
int64_t growth_time(const VerifiedRecord& v, int64_t now_unix);

// The sessions this commit ended (a STOP applied to an open session), one feed row each for
// the network management system: the session's final totals and charge (SCHEMA.md, feed).
struct FeedRow {
  int64_t agent = 0;
  uint64_t session_id = 0;
  std::string event;  // JSON, one line
};
// With `roaming` (the store keeps roaming sessions for settlement, roaming_keeper.h), each
// ended BILLING_ROAMING session as well; the others cost nothing more.
struct EndedOfAgent {
  int64_t agent = 0;
  EndedSession session;
};
void ended_sessions(const CensusCommit& c, const std::vector<SessionGrowth>& sessions,
                    int64_t now_unix, std::vector<FeedRow>& out,
                    std::vector<EndedOfAgent>* roaming);

// Rates each grown session through the commit's rater (if any), sums the debits per account
// into `debits` (account -> micros) and fills c.debits' counts and c.deltas (if wanted), in the
// order sessions first appear. Closed lines go to `closed` as {growth index, line}.
void rate_growth(CensusCommit& c, std::vector<SessionGrowth>& sessions, int64_t now_unix,
                 std::map<int64_t, int64_t>& debits,
                 std::vector<std::pair<size_t, ClosedLine>>& closed);

}  // namespace gm::host
