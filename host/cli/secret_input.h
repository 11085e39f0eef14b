// A password or shared secret for an admin CLI: one line from standard input, typed with echo
// off or piped, never on the command line, where every user of the machine could read it in
// the process list.
#pragma once

#include <cstddef>
#include <string>

namespace gm::host {

// `what` names it in the prompt and in errors ("password for ann@isp.example"). Throws
// ConfigError for no line, an empty one or one over max_octets.
std::string read_secret_line(const std::string& command, const std::string& what,
                             size_t max_octets);

}  // namespace gm::host
