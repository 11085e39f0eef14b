#include "host/billing/billing_config.h"

#include "host/billing/http_post.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

std::vector<std::string> billing_endpoints(const Setting& v) {
  std::vector<std::string> out;
  for (const std::string& one : v.list()) {
    const Endpoint e = Setting{v.name, one, v.origin}.endpoint();
    out.push_back(e.ip + ":" + std::to_string(e.port));
  }
  if (out.size() > wire::max_billing)
    v.bad("at most " + std::to_string(wire::max_billing) + " addresses");
  return out;
}

bool apply_billing_setting(BillingSettings& s, const Setting& v) {
  if (v.name == "billing_listen") {
    const Endpoint e = v.endpoint();
    s.listen_ip = e.ip;
    s.port = e.port;
  } else if (v.name == "billing_advertise") {
    s.advertise = billing_endpoints(v);
  } else if (v.name == "grant_intervals") {
    s.grant_intervals = static_cast<uint32_t>(v.number(1, 1000));
  } else if (v.name == "grant_validity_s") {
    s.grant_validity_s = static_cast<uint32_t>(v.number(10, 7 * 86400));
  } else if (v.name == "grant_interval_megabytes") {
    s.interval_octets = 1'000'000ull * v.number(1, 1'000'000);
  } else if (v.name == "billing_settlement_refusals") {
    s.settlement_refusals = v.boolean();
  } else if (v.name == "billing_refusal_refresh_s") {
    s.refusal_refresh_s = static_cast<uint32_t>(v.number(1, 3600));
  } else if (v.name == "approval_timeout_s") {
    s.approval_timeout_s = static_cast<uint32_t>(v.number(1, 120));
  } else if (v.name == "stale_intervals") {
    s.stale_intervals = static_cast<uint32_t>(v.number(0, 1000));
  } else if (v.name == "low_balance_micros") {
    s.low_balance_micros = static_cast<int64_t>(v.number(0, 1'000'000'000'000));
  } else if (v.name == "billing_threads") {
    s.decision_threads = static_cast<unsigned>(v.number(1, 64));
  } else if (v.name == "feed_file") {
    s.feed.file = v.value;
  } else if (v.name == "feed_webhook") {
    billing::HttpUrl url;
    if (!v.value.empty() && !billing::parse_http_url(v.value, url))
      v.bad("expected http://HOST:PORT/PATH (https is not spoken), or empty for none");
    s.feed.webhook = v.value;
  } else if (v.name == "feed_lease_s") {
    s.feed.lease_s = static_cast<uint32_t>(v.number(10, 3600));
  } else if (v.name == "feed_retention_s") {
    s.feed.retention_s = static_cast<uint32_t>(v.number(0, 3650ll * 86400));
  } else if (v.name == "billing_api_listen") {
    s.api_listen_given = true;
    if (v.value == "off") {
      s.api_ip.clear();
    } else {
      const Endpoint e = v.endpoint();
      s.api_ip = e.ip;
      s.api_port = e.port;
    }
  } else {
    return false;
  }
  return true;
}

std::string billing_settings_help() {
  return R"(billing:
  billing_listen       ip:port of the AuthRequest/OfferRequest socket (127.0.0.1:7200)
  billing_advertise    billing servers agents are told, a,b (at most 2)  (billing_listen)
  grant_intervals      a prepaid grant is worth this many metering intervals (3)
  grant_validity_s     the longest a grant lasts unused, in seconds  (3600)
  grant_interval_megabytes  what one interval carries at a megabyte rate (100)
  approval_timeout_s   one HTTP attempt at a realm's approval_url    (5)
  billing_settlement_refusals  reject authorisations (REJECT_PROVIDER_REFUSED) for realms
                       whose provider settlement refuses service, over its credit line (false)
  billing_refusal_refresh_s  how often those realms are read from the store (10)
  stale_intervals      close a session with no record for this many intervals, its
                       gateway's sessions as lost carrier when it is not heard (3; 0 off)
  low_balance_micros   warn live prepaid sessions at or below this balance, unless the
                       account sets its own (1000000, i.e. 1.00; 0: only those)
  billing_threads      decision threads, each with a store connection (1 on SQLite, 2 on PostgreSQL)
  billing_api_listen   ip:port of the service manager's JSON API (GET /sessions), or off
                       (127.0.0.1, billing_listen's port + 1: 7201; any free port if that is 0)
  feed_file            the network management feed's JSON-lines file ("": none)
  feed_webhook         http://HOST:PORT/PATH the feed's events are POSTed to ("": none)
  feed_lease_s         how long a billing node holds a feed destination unrenewed (60)
  feed_retention_s     delivered feed events are deleted after this many seconds; a
                       destination nobody delivers holds none back (604800: 7 days; 0 keeps all)
)";
}

}  // namespace gm::host
