// Reports: what censusctl, the simulator's comparison and (later) the web console read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

class UsageReports {
 public:
  // Every subscriber session, or those of one agent (empty agent_id: all), ordered by agent
  // and session id.
  virtual std::vector<SubscriberSession> sessions(const std::string& agent_id) = 0;
  virtual std::optional<SubscriberSession> session(const std::string& agent_id,
                                                   uint64_t session_id) = 0;
  virtual std::vector<RefusalCount> refusals() = 0;

 protected:
  ~UsageReports() = default;
};

}  // namespace gm::host
