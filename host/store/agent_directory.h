// The agent directory: which gateways may log in, with their sealed credentials. Used by
// censusctl (add, list, enable, disable) and the login service (find).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

class AgentDirectory {
 public:
  // False if the agent_id is taken.
  virtual bool add_agent(const std::string& agent_id, const std::vector<uint8_t>& sealed_credential,
                         int64_t now_unix) = 0;
  virtual std::optional<Agent> find_agent(const std::string& agent_id) = 0;
  virtual std::vector<Agent> list_agents() = 0;
  // Disabling also closes the agent's open login sessions in the same transaction, so no census
  // commits another datagram of it (commit_datagrams refuses them as login_closed) and each
  // census drops it from its registry at its next poll. False if there is no such agent.
  virtual bool set_agent_enabled(const std::string& agent_id, bool enabled, int64_t now_unix) = 0;

 protected:
  ~AgentDirectory() = default;
};

}  // namespace gm::host
