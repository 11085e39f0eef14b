// settlectl's access commands (settlectl_commands.h): a member's password for its own report
// downloads (the settlement-reports service, report_access.h). The password is read from
// standard input (typed with echo off, or piped), never from the command line, where the
// machine's other users could read it; only its Argon2id hash is stored.
#include <algorithm>
#include <cstdio>

#include "host/billing/password_hash.h"
#include "host/cli/command_args.h"
#include "host/cli/secret_input.h"
#include "host/settlement/settlectl_commands.h"

namespace gm::host {

int provider_password(const SettlectlRun& run, const std::vector<std::string>& words) {
  const std::string command = "provider password";
  const CommandArgs args(command, words, 1, "ID", {{"clear", true}});
  const std::string id = args.parsed_operand(0, provider_id);
  // HTTP Basic splits user and password at the first ':': such an id could never log in.
  if (id.find(':') != std::string::npos)
    args.bad_operand("provider " + id + " holds a ':', which HTTP Basic cannot carry in a user id");
  require_provider(run.store, id);
  std::string hash;
  if (!args.flag("clear")) {
    const std::string password =
        read_secret_line(command, "password for " + id, billing::max_password);
    // What the service refuses to read (RFC 7617: no control characters), refused here so
    // that no password is set that can never be given.
    if (std::any_of(password.begin(), password.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      throw ConfigError(command +
                        ": the password holds a control character, which HTTP Basic "
                        "cannot carry; nothing written");
    hash = billing::hash_password(password);
  }
  run.store.settlement().set_provider_password(id, hash);
  std::printf("provider %s: password %s\n", id.c_str(), hash.empty() ? "cleared" : "set");
  return 0;
}

}  // namespace gm::host
