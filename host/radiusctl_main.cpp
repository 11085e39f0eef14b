// radiusctl: the operator's tool for the RADIUS service (host/radius/RADIUS.md): its clients
// (NASes and proxies) and their shared secrets, its realms' home servers, and the NASes' open
// sessions. Takes the same settings as gatemeter-server (--config FILE, --radius_clients,
// --radius_realms, --store, ...), given before the command.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "host/cli/command_line.h"
#include "host/config/server_config.h"
#include "host/radius/radiusctl_commands.h"

using namespace gm::host;

namespace {

const char* usage_text =
    R"(usage: radiusctl [--config FILE] [--radius_clients=PATH] [--radius_realms=PATH]
                 [--store=SPEC] COMMAND [ARGS]

the clients file (radius_clients: who may send requests, with which shared secret):
  client add ADDRESS [--realm=REALM]   the secret as one line on standard input; REALM is
                                       given to user names that carry none
  client remove ADDRESS
  client list [--csv]                  (secrets are never shown)
the realms file (radius_realms: roaming authentication, each realm's home servers):
  realm add REALM ADDRESS:PORT         the home server's secret on standard input; a realm's
                                       servers are asked in the order they were added
  realm remove REALM [ADDRESS:PORT]    one home server, or the whole realm
  realm list [--csv]
the store:
  sessions [--nas=NAS] [--limit=1000] [--csv]
                                       open RADIUS sessions: NAS, Acct-Session-Id, start,
                                       subscriber, totals, account and cost so far

Both files keep mode 0600 and every line and comment not changed; a change is checked by the
server's own parser before it replaces the file, and takes effect when the radius service of
gatemeter-server starts again. Exit status: 0 done; 1 refused (listed already, nothing to
remove, a file or the store failed); 2 a bad command line. A command that fails writes nothing.
)";

using Command = int (*)(const RadiusctlRun&, const std::vector<std::string>&);

struct Noun {
  const char* name;
  Command run;
};

constexpr Noun nouns[] = {
    {"client", client_command},
    {"realm", realm_command},
    {"sessions", radius_sessions_command},
};


}  // namespace

int main(int argc, char** argv) {
  const int first = command_start(argc, argv);
  if (asks_for_help(argc, argv, first)) {
    std::printf("%s", usage_text);
    return 0;
  }
  std::string label = "radiusctl";
  try {
    ServerConfig config;
    parse_command_line(config, first, argv);
    const std::vector<std::string> args(argv + first, argv + argc);
    if (args.empty()) {
      std::fputs(usage_text, stderr);
      return 2;
    }
    const Noun* noun = nullptr;
    for (const Noun& n : nouns)
      if (args[0] == n.name) noun = &n;
    if (noun == nullptr) {
      std::fprintf(stderr, "radiusctl: unknown command \"%s\"\n\n%s", args[0].c_str(), usage_text);
      return 2;
    }
    label += ": " + args[0];
    if (args.size() > 1 && args[0] != "sessions") label += " " + args[1];
    const RadiusctlRun run{config.radius, config.store, config.state_dir};
    return noun->run(run, std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "radiusctl: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 1;
  }
}
