// The seam through which billing rates usage inside the census's commit (usage_ledger.h): the
// store reads each changed session's row (its totals and its running charge), asks the rater
// what the growth costs, and writes the new charge, any line the growth closed and each
// account's debit in the same transaction as the usage. The rater never touches the store; the
// store never prices anything (host/billing/commit_rating.h implements this).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

// What a session's row holds for billing (SCHEMA.md, subscriber_sessions).
struct StoredCharge {
  int64_t account = 0;        // 0: not billed (no authorisation linked it to an account)
  int64_t amount_micros = 0;  // everything charged so far: closed lines and the current one
  uint32_t line = 0;          // the current line's number; 0 before the first
  int64_t line_rate = 0;
  uint64_t line_units = 0;
  int64_t line_amount_micros = 0;
  bool operator==(const StoredCharge&) const = default;
};

// A line that closed because the rate changed (charge_lines).
struct ClosedLine {
  uint32_t line = 0;
  int64_t rate = 0;
  uint64_t units = 0;
  int64_t amount_micros = 0;
};

// One session whose committed totals grew in this commit.
struct RatingCase {
  const VerifiedRecord* record = nullptr;  // the newest record applied
  UsageTotals before, after;  // committed totals before the commit and after it (after >= before)
  int64_t at_unix = 0;        // when the growth happened: agent time clamped to [start, commit]
  StoredCharge charge;        // in: as held; out: as it must be written
  std::optional<ClosedLine> closed;  // out
  int64_t debit_micros = 0;          // out: what the account pays for the growth (>= 0)
};

class CommitRater {
 public:
  virtual ~CommitRater() = default;
  // Inside the commit's transaction, once per session whose totals grew; must not throw for a
  // session it cannot rate (it leaves the charge as it was and debits nothing, counting why).
  virtual void rate(RatingCase& c) = 0;
};

// What billing's part of one commit did, for the census's counters.
struct CommitDebits {
  uint64_t sessions_rated = 0;
  int64_t debited_micros = 0;
  uint64_t counters_backwards = 0;  // records whose counters were below the stored ones
  std::vector<std::pair<int64_t, int64_t>> balances;  // {account, balance after the debit}
};

}  // namespace gm::host
