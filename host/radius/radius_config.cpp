#include "host/radius/radius_config.h"

namespace gm::host {

bool apply_radius_setting(RadiusSettings& s, const Setting& v) {
  if (v.name == "radius_listen") {
    const Endpoint e = v.endpoint();
    s.listen_ip = e.ip;
    s.port = e.port;
  } else if (v.name == "radius_clients") {
    if (v.value.empty()) v.bad("expected the path of a clients file");
    s.clients_file = v.value;
  } else if (v.name == "radius_start_tolerance_s") {
    s.start_tolerance_s = static_cast<int64_t>(v.number(0, 3600));
  } else if (v.name == "radius_max_queued") {
    s.max_queued = v.number(64, 1u << 24);
  } else if (v.name == "radius_forward") {
    const Endpoint e = v.endpoint();
    s.forward_ip = e.ip;
    s.forward_port = e.port;
  } else if (v.name == "radius_auth_listen") {
    const Endpoint e = v.endpoint();
    s.access.listen_ip = e.ip;
    s.access.port = e.port;
  } else if (v.name == "radius_realms") {
    if (v.value.empty()) v.bad("expected the path of a realms file");
    s.access.realms_file = v.value;
  } else if (v.name == "radius_response_window_ms") {
    s.access.response_window_ms = static_cast<uint32_t>(v.number(100, 60'000));
  } else if (v.name == "radius_local_auth") {
    s.local.on = v.boolean();
  } else if (v.name == "radius_longest_session_s") {
    s.local.longest_session_s = static_cast<uint32_t>(v.number(60, 31 * 86'400));
  } else if (v.name == "radius_interim_interval_s") {
    s.local.interim_interval_s = static_cast<uint32_t>(v.number(0, 86'400));
  } else if (v.name == "radius_routing") {
    s.access.routing = v.boolean();
  } else if (v.name == "radius_route_keep_s") {
    s.access.route_keep_s = static_cast<uint32_t>(v.number(1, 86'400));
  } else if (v.name == "radius_route_via") {
    const Endpoint e = v.endpoint();
    s.route_via_ip = e.ip;
    s.route_via_port = e.port;
  } else if (v.name == "radius_settlement") {
    s.settlement = v.boolean();
  } else if (v.name == "radius_settlement_time_zone") {
    if (v.value.empty()) v.bad("expected a tzdata zone name such as Australia/Sydney");
    s.settlement_time_zone = v.value;
  } else if (v.name == "radius_settlement_refusals") {
    s.settlement_refusals = v.boolean();
  } else if (v.name == "radius_refusal_refresh_s") {
    s.refusal_refresh_s = static_cast<uint32_t>(v.number(1, 3600));
  } else if (v.name == "radius_rating") {
    s.rating = v.boolean();
  } else {
    return false;
  }
  return true;
}

std::string radius_settings_help() {
  return R"(radius (services = ...,radius):
  radius_listen        ip:port of RADIUS accounting (RFC 2866)   (127.0.0.1:1813)
  radius_clients       file of `address secret [realm]` lines, mode 0600: the NASes and
                       proxies answered, their shared secrets, the realm of user names
                       without one                               (required)
  radius_start_tolerance_s  how far two starts of one NAS's Acct-Session-Id may lie and
                       still be one session                      (5)
  radius_max_queued    verified requests awaiting commit, at most (65536)
  radius_rating        price linked sessions and debit accounts in each commit (true)
  radius_forward       ip:port of a central server: this one is then a routing server,
                       queueing each request durably, answering, and forwarding it until the
                       central answers (its secret: the clients file's line for that ip) (off)
  radius_realms        file of `realm address:port secret` lines, mode 0600: roaming
                       authentication, each realm's home servers in failover order (off)
  radius_auth_listen   ip:port of RADIUS authentication (Access-Request) (127.0.0.1:1812)
  radius_response_window_ms  how long a home server may stay silent before the next (3000)
  radius_local_auth    decide Access-Requests of billing's own realms (no provider): the
                       subscriber's password, then billing's answer (false)
  radius_longest_session_s  the longest Session-Timeout an Access-Accept gives (86400)
  radius_interim_interval_s  Acct-Interim-Interval asked of the NAS, 0 none (60)
  radius_settlement    keep each committed request as a raw settlement record too: this
                       is the central settlement server (host/settlement/) (false)
  radius_settlement_time_zone  tzdata zone of the stops' local times (UTC)
  radius_settlement_refusals  reject Access-Requests (and routing questions) for the realms
                       of providers settlement refuses service, over their credit line (false)
  radius_refusal_refresh_s  how often those realms are read from the store (10)
  radius_routing       routing mode: answer each Access-Request with the home servers of
                       its realm (radius_realms) instead of proxying it (false)
  radius_route_keep_s  how long an asker may keep such an answer  (300)
  radius_route_via     ip:port of a routing server to ask about realms neither radius_realms
                       nor billing knows (its secret: the clients file's line for that ip) (off)
)";
}

}  // namespace gm::host
