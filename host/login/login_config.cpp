#include "host/login/login_config.h"

#include "host/billing/billing_config.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

namespace {
std::string n(size_t v) { return std::to_string(v); }
}  // namespace

bool apply_login_setting(LoginSettings& s, const Setting& v) {
  if (v.name == "login_listen") {
    const Endpoint e = v.endpoint();
    s.listen_ip = e.ip;
    s.port = e.port;
  } else if (v.name == "census_advertise") {
    // In order of preference; the agent parses "a.b.c.d:port" only.
    s.census.clear();
    for (const std::string& one : v.list()) {
      const Endpoint e = Setting{v.name, one, v.origin}.endpoint();
      s.census.push_back(e.ip + ":" + n(e.port));
    }
    if (s.census.size() > wire::max_census)
      v.bad("at most " + n(wire::max_census) + " census addresses");
  } else if (v.name == "metering_interval_s") {
    s.metering_interval_s = static_cast<uint32_t>(v.number(1, 86400));
  } else if (v.name == "track_usage") {
    s.track_usage = v.boolean();
  } else if (v.name == "update") {
    // name:version:location; the location may itself hold colons (a URL).
    const auto a = v.value.find(':');
    const auto b = a == std::string::npos ? a : v.value.find(':', a + 1);
    if (b == std::string::npos || a == 0) v.bad("expected name:version:location");
    const std::string version = v.value.substr(a + 1, b - a - 1);
    ComponentOffer o{v.value.substr(0, a),
                     static_cast<uint32_t>(Setting{v.name + " (version)", version, v.origin}.number(
                         1, UINT32_MAX)),
                     v.value.substr(b + 1)};
    if (o.name.size() > wire::max_component_name)
      v.bad("component name longer than " + n(wire::max_component_name) + " characters");
    if (o.location.size() > wire::max_location)
      v.bad("location longer than " + n(wire::max_location) + " characters");
    if (s.updates.size() == wire::max_updates)
      v.bad("at most " + n(wire::max_updates) + " component updates");
    s.updates.push_back(o);
  } else if (v.name == "login_timeout_s") {
    s.timeout_s = static_cast<uint32_t>(v.number(1, 600));
  } else if (v.name == "billing_servers") {
    s.billing = billing_endpoints(v);
  } else if (v.name == "default_realm") {
    if (v.value.size() > wire::max_realm) v.bad("at most " + n(wire::max_realm) + " characters");
    s.default_realm = v.value;
  } else if (v.name == "login_lifetime_s") {
    s.login_lifetime_s = static_cast<uint32_t>(v.number(60, 30 * 86400));
  } else {
    return false;
  }
  return true;
}

std::string login_settings_help() {
  return "login:\n"
         "  login_listen         ip:port                                   (127.0.0.1:7000)\n"
         "  census_advertise     census list sent to agents, a,b,... (at most " +
         n(wire::max_census) +
         ")  (census_listen)\n"
         "  metering_interval_s  seconds between interim records           (60)\n"
         "  track_usage          true | false                              (true)\n"
         "  update               name:version:location, repeatable (max " +
         n(wire::max_updates) +
         ")\n"
         "  login_timeout_s      seconds a login may take                  (10)\n"
         "  login_lifetime_s     a login session ends after this; the agent logs in again "
         "(86400)\n"
         "  billing_servers      billing servers sent to agents, primary first, a,b "
         "(billing_advertise when billing runs here)\n"
         "  default_realm        the gateways' realm: its offers and outage policy go with "
         "each login ()\n";
}

}  // namespace gm::host
