// The RADIUS ledger (radius_ledger.h), written once in SQL both databases run (sql_session.h).
#pragma once

#include "host/store/radius_ledger.h"
#include "host/store/sql_session.h"

namespace gm::host {

class RadiusTables final : public RadiusLedger {
 public:
  explicit RadiusTables(sql::Session& db) : db_(db) {}

  int64_t nas_agent(const std::string& nas, int64_t now_unix) override;
  std::vector<uint64_t> sessions_of(const std::vector<RadiusSessionKey>& keys, int64_t tolerance_s,
                                    int64_t now_unix) override;
  size_t end_nas_sessions(int64_t agent, int32_t cause, int64_t now_unix) override;
  void enqueue(const std::vector<std::vector<uint8_t>>& packets, int64_t now_unix) override;
  std::vector<QueuedRequest> queued(int64_t after_id, size_t limit) override;
  void forwarded(const std::vector<int64_t>& ids) override;
  int64_t queue_length() override;
  std::vector<OpenRadiusSession> open_sessions(const std::string& nas, size_t limit) override;

 private:
  sql::Session& db_;
};

}  // namespace gm::host
