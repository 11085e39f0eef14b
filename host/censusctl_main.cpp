// censusctl: the operator's view of the usage store. Takes the same settings as
// gatemeter-server (--config FILE, --state-dir, --store, ...).
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "host/billing/password_hash.h"
#include "host/cli/listing.h"
#include "host/cli/secret_input.h"
#include "host/config/server_config.h"
#include "host/config/state_folder.h"
#include "host/login/tls_identity.h"
#include "host/store/credential_vault.h"
#include "host/store/store.h"
#include "host/web/console_operators.h"
#include "shared/proto/wire_limits.h"
#include "shared/proto/wire_names.h"

using namespace gm::host;
using gm::wire::billing_name;
using gm::wire::stop_cause_name;

namespace {

const char* usage_text = R"(usage: censusctl [--config FILE] [--name=value ...] COMMAND [ARGS]

commands:
  init                     create the state folder, store, vault key and login TLS key; print the pin
  pin                      print the login key's SHA-256 pin (what agents are configured with)
  add-agent ID             register an agent; prints its credential ONCE (hex, 32 bytes)
  disable-agent ID         refuse its logins from now on (enable-agent ID undoes it)
  list-agents              agents, last login and reported components
  list-sessions [AGENT]    subscriber sessions with their state and totals
  usage [AGENT]            totals per agent
  export-csv [FILE]        every session as CSV (stdout without FILE)
  refusals                 refused input counted by reason (census and login)
  end-session AGENT ID     ask the agent (in its next ack) to end subscriber session ID
  web-operator NAME [--remove]  set (password from stdin) or remove a web console operator
                           login in web_operators (<state_dir>/web-operators)
)";

void export_csv(UsageReports& store, std::ostream& out) {
  // Column names are what sim/usage_compare reads (agent_id, session_id, totals).
  out << "agent_id,session_id,subscriber,realm,service,billing,start_unix,last_seq,state,"
         "stop_cause,stop_cause_code,charged_s,free_s,octets_in,octets_out\n";
  for (const SubscriberSession& s : store.sessions("")) {
    out << csv_field(s.agent_id) << ',' << s.session_id << ',' << csv_field(s.subscriber) << ','
        << csv_field(s.realm) << ',' << csv_field(s.service) << ','
        << billing_name(s.billing).c_str() << ','
        << s.start_unix << ',' << s.last_seq << ',' << session_state_name(s.state) << ','
        << stop_cause_name(s.stop_cause).c_str() << ',' << s.stop_cause << ','
        << s.totals.charged_s << ',' << s.totals.free_s << ',' << s.totals.octets_in << ','
        << s.totals.octets_out << '\n';
  }
}

int run(ServerConfig& config, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(usage_text, stderr);
    return 2;
  }
  const std::string& cmd = args[0];
  auto need = [&](size_t n, const char* what) {
    if (args.size() != n + 1) throw ConfigError(cmd + ": expected " + what);
  };
  secure_state_folder(config.state_dir);

  if (cmd == "init" || cmd == "pin") {
    need(0, "no arguments");
    if (cmd == "init") {
      const size_t sealed_agents = open_store(config.store)->list_agents().size();
      CredentialVault::open_or_create(config.vault_key, sealed_agents);
    }
    const auto id = load_or_create_tls_identity(config.tls_key, config.tls_cert, config.pin_file);
    std::printf("%s\n", to_hex(id.pin.data(), id.pin.size()).c_str());
    return 0;
  }

  if (cmd == "web-operator") {
    const bool remove = args.size() == 3 && args[2] == "--remove";
    if (args.size() != 2 && !remove) throw ConfigError(cmd + ": expected NAME [--remove]");
    const std::string& name = args[1];
    if (!gm::web::valid_operator_name(name))
      throw ConfigError(cmd + ": an operator name is 1 to 64 characters without ':', spaces or "
                        "control characters");
    std::string hash;
    if (!remove)
      hash = gm::billing::hash_password(
          read_secret_line(cmd, "password for " + name, gm::billing::max_password));
    const bool was = gm::web::write_operator(config.web.operators_file, name, hash);
    std::printf("web operator %s %s in %s\n", name.c_str(),
                remove ? (was ? "removed" : "was not there") : (was ? "changed" : "added"),
                config.web.operators_file.c_str());
    return 0;
  }

  auto store = open_store(config.store);
  const int64_t now = std::time(nullptr);
  if (cmd == "add-agent") {
    need(1, "an agent id");
    const std::string& id = args[1];
    if (id.empty() || id.size() > gm::wire::max_agent_id)
      throw ConfigError("add-agent: agent id must be 1 to " +
                        std::to_string(gm::wire::max_agent_id) + " characters");
    if (id.rfind("radius:", 0) == 0)
      throw ConfigError("add-agent: ids starting radius: are the RADIUS server's NASes "
                        "(host/radius/RADIUS.md); choose another");
    const auto vault =
        CredentialVault::open_or_create(config.vault_key, store->list_agents().size());
    const auto credential = CredentialVault::generate();
    if (!store->add_agent(id, vault.seal(credential, id), now)) {
      std::fprintf(stderr, "censusctl: agent \"%s\" already exists\n", id.c_str());
      return 1;
    }
    // Shown once: the store keeps it sealed under the vault key and never prints it again.
    std::printf("agent %s\ncredential %s\n", id.c_str(),
                to_hex(credential.data(), credential.size()).c_str());
  } else if (cmd == "disable-agent" || cmd == "enable-agent") {
    need(1, "an agent id");
    // Disabling ends the agent's login sessions: every census refuses its frames from the
    // next commit on, and it cannot log in again until enabled.
    if (!store->set_agent_enabled(args[1], cmd == "enable-agent", now)) {
      std::fprintf(stderr, "censusctl: no agent \"%s\"\n", args[1].c_str());
      return 1;
    }
  } else if (cmd == "list-agents") {
    need(0, "no arguments");
    std::printf("%-24s %-8s %-21s %s\n", "agent", "enabled", "last login", "components");
    for (const Agent& a : store->list_agents())
      std::printf("%-24s %-8s %-21s %s\n", a.agent_id.c_str(), a.enabled ? "yes" : "no",
                  utc_text(a.last_login_unix).c_str(), a.components.c_str());
  } else if (cmd == "list-sessions") {
    if (args.size() > 2) throw ConfigError("list-sessions: expected at most an agent id");
    std::printf("%-16s %20s %-28s %-10s %-17s %6s %9s %8s %14s %14s\n", "agent", "session",
                "subscriber", "billing", "state/cause", "seq", "charged_s", "free_s",
                "octets_in", "octets_out");
    for (const SubscriberSession& s : store->sessions(args.size() == 2 ? args[1] : "")) {
      std::string state = session_state_name(s.state);
      if (s.stop_cause) state += std::string("/") + stop_cause_name(s.stop_cause).c_str();
      std::printf("%-16s %20llu %-28s %-10s %-17s %6u %9u %8u %14llu %14llu\n",
                  s.agent_id.c_str(), static_cast<unsigned long long>(s.session_id),
                  s.subscriber.c_str(), billing_name(s.billing).c_str(), state.c_str(), s.last_seq,
                  s.totals.charged_s, s.totals.free_s,
                  static_cast<unsigned long long>(s.totals.octets_in),
                  static_cast<unsigned long long>(s.totals.octets_out));
    }
  } else if (cmd == "usage") {
    if (args.size() > 2) throw ConfigError("usage: expected at most an agent id");
    struct Sum { uint64_t sessions = 0, open = 0, charged = 0, free = 0, in = 0, out = 0; };
    std::map<std::string, Sum> sums;
    for (const SubscriberSession& s : store->sessions(args.size() == 2 ? args[1] : "")) {
      Sum& u = sums[s.agent_id];
      ++u.sessions;
      u.open += s.state == SessionState::open;
      u.charged += s.totals.charged_s;
      u.free += s.totals.free_s;
      u.in += s.totals.octets_in;
      u.out += s.totals.octets_out;
    }
    std::printf("%-24s %9s %6s %12s %10s %16s %16s\n", "agent", "sessions", "open", "charged_s",
                "free_s", "octets_in", "octets_out");
    for (const auto& [agent, u] : sums)
      std::printf("%-24s %9llu %6llu %12llu %10llu %16llu %16llu\n", agent.c_str(),
                  (unsigned long long)u.sessions, (unsigned long long)u.open,
                  (unsigned long long)u.charged, (unsigned long long)u.free,
                  (unsigned long long)u.in, (unsigned long long)u.out);
  } else if (cmd == "export-csv") {
    if (args.size() > 2) throw ConfigError("export-csv: expected at most a file name");
    if (args.size() == 2) {
      std::ofstream out(args[1], std::ios::trunc);
      if (!out) throw ConfigError("export-csv: cannot write \"" + args[1] + "\"");
      export_csv(*store, out);
      if (!out.flush()) throw ConfigError("export-csv: writing \"" + args[1] + "\" failed");
    } else {
      export_csv(*store, std::cout);
    }
  } else if (cmd == "refusals") {
    need(0, "no arguments");
    for (const RefusalCount& r : store->refusals())
      std::printf("%-24s %llu\n", r.reason.c_str(), static_cast<unsigned long long>(r.count));
  } else if (cmd == "end-session") {
    need(2, "an agent id and a session id");
    const auto agent = store->find_agent(args[1]);
    if (!agent) throw ConfigError("end-session: no agent \"" + args[1] + "\"");
    gatemeter_Command c = gatemeter_Command_init_zero;
    c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
    try {
      c.session_id = std::stoull(args[2]);
    } catch (const std::exception&) {
      throw ConfigError("end-session: session id must be a number, got \"" + args[2] + "\"");
    }
    c.cause = gatemeter_StopCause_STOP_HOST_COMMAND;
    std::printf("command %lld queued\n", static_cast<long long>(store->queue_command(agent->id, c, now)));
  } else {
    std::fprintf(stderr, "censusctl: unknown command \"%s\"\n\n%s", cmd.c_str(), usage_text);
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h") ||
        !std::strcmp(argv[i], "help")) {
      std::printf("%s\n%s", usage_text, config_help().c_str());
      return 0;
    }
  try {
    ServerConfig config;
    const auto args = parse_command_line(config, argc, argv);
    return run(config, args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "censusctl: %s\n", e.what());
    return 2;
  }
}
