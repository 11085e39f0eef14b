// The billing service's sweep (session_sweep.h), written once in SQL both databases run
// (sql_session.h): off the census's hot path, conditional on what its read saw.
#pragma once

#include "host/store/roaming_keeper.h"
#include "host/store/session_sweep.h"
#include "host/store/sql_session.h"

namespace gm::host {

class SweepTables final : public SessionSweep {
 public:
  // keeper: what the store keeps of ended roaming sessions (roaming_keeper.h).
  SweepTables(sql::Session& db, const RoamingKeeper& keeper) : db_(db), keeper_(keeper) {}

  SweepRead quiet_sessions(int64_t quiet_before_unix, size_t limit) override;
  SweepDone close_sessions(const SweepWrite& write, int64_t now_unix) override;
  std::vector<LowBalanceCandidate> low_balance_candidates(int64_t default_threshold) override;
  LowBalanceDone warn_low_balance(const LowBalanceWrite& write, int64_t now_unix) override;

 private:
  sql::Session& db_;
  const RoamingKeeper& keeper_;
};

}  // namespace gm::host
