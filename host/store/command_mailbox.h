// The command mailbox: commands for agents (end a session, set an interval, a free period),
// queued by operators' tools and delivered by whichever census the agent reports to. A command
// stays pending until a commit records the agent's confirmation (UsageLedger::commit_datagrams).
#pragma once

#include <optional>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

class CommandMailbox {
 public:
  // Returns the command's id, which the agent confirms.
  virtual int64_t queue_command(int64_t agent, const gatemeter_Command& command,
                                int64_t now_unix) = 0;
  // Commands not yet confirmed by their agent, oldest first; command.id is set to the id.
  virtual std::vector<PendingCommand> pending_commands(size_t limit) = 0;
  // When the agent's confirmation of command `id` was committed: 0 while it is pending,
  // nullopt for no such command (the web console shows an action confirmed by this).
  virtual std::optional<int64_t> command_delivered_unix(int64_t id) = 0;

 protected:
  ~CommandMailbox() = default;
};

}  // namespace gm::host
