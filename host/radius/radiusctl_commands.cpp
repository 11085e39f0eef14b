#include "host/radius/radiusctl_commands.h"

#include <arpa/inet.h>

#include <cstdio>
#include <map>
#include <stdexcept>

#include "host/billing/money.h"
#include "host/cli/command_args.h"
#include "host/cli/listing.h"
#include "host/cli/secret_input.h"
#include "host/config/state_folder.h"
#include "host/radius/access_proxy.h"
#include "host/radius/access_relay.h"
#include "host/radius/radius_clients.h"
#include "host/radius/secret_file.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

namespace {

const std::string& file_of(const std::string& path, const char* setting) {
  if (path.empty())
    throw ConfigError(std::string("no ") + setting + " file is named: give --" + setting +
                      "=PATH (or set it in the config file the server reads)");
  return path;
}

std::string ipv4(const CommandArgs& args, const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1)
    args.bad_operand("'" + text + "' is not an IPv4 address");
  return text;
}

std::string realm_name(const CommandArgs& args, const std::string& text) {
  const std::string realm = radius::realm_of("x@" + text);
  if (realm.empty() || realm.size() > wire::max_realm ||
      text.find_first_of("@# \t") != std::string::npos)
    args.bad_operand("'" + text + "' is not a realm (1 to " + std::to_string(wire::max_realm) +
                     " characters, no blanks, '@' or '#')");
  return realm;
}

std::string secret_from_stdin(const std::string& command, const std::string& what) {
  const std::string secret = read_secret_line(command, "shared secret of " + what, 128);
  try {
    radius::check_secret(secret);
  } catch (const std::exception& e) {
    throw ConfigError(command + ": " + e.what());
  }
  return secret;
}

}  // namespace

int client_command(const RadiusctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("client", words, {"add", "remove", "list"}, rest);
  const std::string command = "client " + verb;
  const std::string& path = file_of(run.settings.clients_file, "radius_clients");
  std::vector<std::string> lines = radius::read_lines(path);
  const auto check = [](const std::string& p) { radius::RadiusClients::load(p); };
  if (verb == "add") {
    const CommandArgs args(command, rest, 1, "ADDRESS", {{"realm"}});
    const std::string address = ipv4(args, args.operand(0));
    const std::string realm =
        args.has("realm") ? realm_name(args, *args.value("realm")) : std::string();
    for (const std::string& l : lines)
      if (const auto w = radius::words_of(l); !w.empty() && w[0] == address)
        throw std::runtime_error("client " + address + " is listed already (" + path +
                                 "): remove it first to change its secret");
    const std::string secret = secret_from_stdin(command, address);
    lines.push_back(address + " " + secret + (realm.empty() ? "" : " " + realm));
    radius::replace_private_file(path, lines, check);
    std::printf("client %s added%s to %s; the radius service reads it when it starts\n",
                address.c_str(), realm.empty() ? "" : (" (realm " + realm + ")").c_str(),
                path.c_str());
    return 0;
  }
  if (verb == "remove") {
    const CommandArgs args(command, rest, 1, "ADDRESS", {});
    const std::string address = ipv4(args, args.operand(0));
    std::vector<std::string> kept;
    for (const std::string& l : lines)
      if (const auto w = radius::words_of(l); w.empty() || w[0] != address) kept.push_back(l);
    if (kept.size() == lines.size())
      throw std::runtime_error("no client " + address + " in " + path);
    radius::replace_private_file(path, kept, check);
    std::printf("client %s removed from %s; the radius service reads it when it starts\n",
                address.c_str(), path.c_str());
    return 0;
  }
  const CommandArgs args(command, rest, 0, "", {{"csv", true}});
  radius::RadiusClients::load(path);  // the listing of a file the server would take
  Listing out({{"address"}, {"realm"}, {"secret"}});
  for (const std::string& l : lines)
    if (const auto w = radius::words_of(l); !w.empty())
      out.add({w[0], w.size() > 2 ? w[2] : "", "(set)"});
  out.print(stdout, args.flag("csv"));
  return 0;
}

int realm_command(const RadiusctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("realm", words, {"add", "remove", "list"}, rest);
  const std::string command = "realm " + verb;
  const std::string& path = file_of(run.settings.access.realms_file, "radius_realms");
  std::vector<std::string> lines = radius::read_lines(path);
  const auto check = [](const std::string& p) { load_home_servers(p); };
  const auto line_realm = [](const std::vector<std::string>& w) {
    return radius::realm_of("x@" + w[0]);
  };
  if (verb == "add") {
    const CommandArgs args(command, rest, 2, "REALM ADDRESS:PORT", {});
    const std::string realm = realm_name(args, args.operand(0));
    const std::string at = args.operand(1);
    for (const std::string& l : lines)
      if (const auto w = radius::words_of(l); w.size() >= 2 && line_realm(w) == realm && w[1] == at)
        throw std::runtime_error("realm " + realm + " lists " + at + " already (" + path + ")");
    const std::string secret = secret_from_stdin(command, at);
    lines.push_back(realm + " " + at + " " + secret);
    try {
      radius::replace_private_file(path, lines, check);
    } catch (const std::runtime_error& e) {
      throw ConfigError(command + ": " + e.what());  // the address:port, as the parser says
    }
    size_t order = 0;
    for (const std::string& l : lines)
      if (const auto w = radius::words_of(l); !w.empty() && line_realm(w) == realm) ++order;
    std::printf("realm %s: home server %s added, %s in failover order, to %s; the radius "
                "service reads it when it starts\n",
                realm.c_str(), at.c_str(), order == 1 ? "first" : ("number " + std::to_string(order)).c_str(),
                path.c_str());
    return 0;
  }
  if (verb == "remove") {
    if (rest.size() != 1 && rest.size() != 2)
      throw ConfigError(command + ": expected REALM [ADDRESS:PORT]");
    const CommandArgs args(command, rest, rest.size(), "REALM [ADDRESS:PORT]", {});
    const std::string realm = realm_name(args, args.operand(0));
    const std::string at = rest.size() == 2 ? args.operand(1) : "";
    std::vector<std::string> kept;
    for (const std::string& l : lines) {
      const auto w = radius::words_of(l);
      const bool match = !w.empty() && line_realm(w) == realm && (at.empty() || (w.size() > 1 && w[1] == at));
      if (!match) kept.push_back(l);
    }
    if (kept.size() == lines.size())
      throw std::runtime_error("realm " + realm + (at.empty() ? "" : " has no home server " + at) +
                               (at.empty() ? " is not in " : " in ") + path);
    radius::replace_private_file(path, kept, check);
    std::printf("realm %s: %zu home server(s) removed from %s; the radius service reads it when "
                "it starts\n",
                realm.c_str(), lines.size() - kept.size(), path.c_str());
    return 0;
  }
  const CommandArgs args(command, rest, 0, "", {{"csv", true}});
  load_home_servers(path);
  Listing out({{"realm"}, {"order", true}, {"home_server"}, {"secret"}});
  std::map<std::string, size_t> order;
  for (const std::string& l : lines)
    if (const auto w = radius::words_of(l); w.size() >= 2)
      out.add({line_realm(w), std::to_string(++order[line_realm(w)]), w[1], "(set)"});
  out.print(stdout, args.flag("csv"));
  return 0;
}

int radius_sessions_command(const RadiusctlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("sessions", words, 0, "", {{"nas"}, {"limit"}, {"csv", true}});
  const size_t limit = args.parsed_if("limit", [](const std::string& v) {
                                  const unsigned long n = std::stoul(v);
                                  if (n == 0 || n > 100'000)
                                    throw ConfigError("expected 1 to 100000");
                                  return static_cast<size_t>(n);
                                }).value_or(1000);
  secure_state_folder(run.state_dir);  // as the server and the other CLIs leave it
  const auto store = open_store(run.store);
  const auto open = store->radius().open_sessions(args.value("nas").value_or(""), limit);
  Listing out({{"nas"},
               {"acct_session_id"},
               {"start"},
               {"subscriber"},
               {"charged_s", true},
               {"octets_in", true},
               {"octets_out", true},
               {"account"},
               {"cost", true},
               {"updated"}});
  for (const OpenRadiusSession& s : open)
    out.add({s.nas, s.acct_session_id, utc_text(s.start_unix), s.subscriber,
             std::to_string(s.charged_s), std::to_string(s.octets_in),
             std::to_string(s.octets_out), s.account,
             s.account.empty() ? "" : billing::format_money(s.amount_micros),
             utc_text(s.updated_unix)});
  out.print(stdout, args.flag("csv"));
  if (open.size() == limit)
    std::fprintf(stderr, "radiusctl: sessions: the first %zu shown (--limit)\n", limit);
  return 0;
}

}  // namespace gm::host
