// gatemeter-sim: simulated gateways with scripted subscribers against a real login service and
// census, with faults in between, and the subscribers' true usage written where the census
// cannot see it. See sim_usage() or --help.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <thread>

#include "sim/fleet.h"
#ifdef GM_SIM_LWIP
#include "boards/sim-linux/netns_scope.h"
#include "sim/lwip_gateway_net.h"
#endif
#include "sim/relay_set.h"
#include "sim/sim_options.h"

using namespace gm;
using namespace gm::sim;

namespace {

std::string human(uint64_t n) {
  char b[32];
  if (n >= 10'000'000'000ull) std::snprintf(b, sizeof b, "%.1fG", n / 1e9);
  else if (n >= 10'000'000) std::snprintf(b, sizeof b, "%.1fM", n / 1e6);
  else if (n >= 10'000) std::snprintf(b, sizeof b, "%.1fk", n / 1e3);
  else std::snprintf(b, sizeof b, "%" PRIu64, n);
  return b;
}

void print_header() {
  std::printf("%6s %-12s %6s %9s %9s %9s %9s %8s %8s %5s\n", "time", "gateway", "live", "charged_s",
              "free_s", "oct_in", "oct_out", "acked", "pending", "cuts");
}

void print_row(uint64_t t_s, const std::string& name, const FleetTotals& t) {
  std::printf("%5" PRIu64 "s %-12s %6zu %9" PRIu64 " %9" PRIu64 " %9s %9s %8" PRIu64 " %8zu %5u\n",
              t_s, name.c_str(), t.sessions, t.charged_s, t.free_s, human(t.octets_in).c_str(),
              human(t.octets_out).c_str(), t.acked, t.pending, t.power_cuts);
}

// SIGUSR1: print what the relays have counted so far (the chaos test asks just before it
// kills a census, to show that census had acknowledged something).
std::atomic<bool> relay_report_wanted{false};
void want_relay_report(int) { relay_report_wanted = true; }

void print_relays(const char* when, const RelaySet& relays, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const RelayTotals r = relays.totals(static_cast<int>(i));
    std::printf("gatemeter-sim: relay %zu %s: forwarded=%" PRIu64 " dropped=%" PRIu64
                " duplicated=%" PRIu64 " reordered=%" PRIu64 " blackholed=%" PRIu64
                " from_census=%" PRIu64 " mirrored=%" PRIu64 "\n",
                i, when, r.forwarded, r.dropped, r.duplicated, r.reordered, r.blackholed,
                r.from_census, r.mirrored);
  }
}

}  // namespace

int main(int argc, char** argv) {
  SimOptions o;
  std::string error;
  if (!parse_sim_options(argc, argv, o, error)) {
    if (error.empty()) {
      std::fputs(sim_usage(), stdout);
      return 0;
    }
    std::fprintf(stderr, "gatemeter-sim: %s\n", error.c_str());
    return 2;
  }
  mkdir(o.flash_dir.c_str(), 0700);

  // lwIP on a TAP (one gateway), its relays bound in the TAP's namespace.
#ifdef GM_SIM_LWIP
  LwipBoard lwip;
  board::NetnsScope relay_scope;
  if (!o.lwip_tap.empty()) {
    board::SimLinuxNetConfig c;
    c.tap = o.lwip_tap;
    c.netns = o.lwip_netns;
    c.address = o.lwip_address;
    c.gateway = o.lwip_address.substr(0, o.lwip_address.rfind('.')) + ".1";
    c.seed = static_cast<uint32_t>(o.seed);
    if (!lwip.up(c, error) || (!o.lwip_netns.empty() && !relay_scope.enter(o.lwip_netns, error))) {
      std::fprintf(stderr, "gatemeter-sim: --lwip-tap %s: %s\n", o.lwip_tap.c_str(), error.c_str());
      return 1;
    }
  }
#else
  if (!o.lwip_tap.empty()) {
    std::fprintf(stderr, "gatemeter-sim: --lwip-tap: this build has no lwIP board\n");
    return 2;
  }
#endif

  // Relays run on their own thread; the gateways on this one. What a census sends back is
  // shown to the witness before the relay's faults can lose it.
  RecordWitness witness;
  RelaySet relays;
  if (!relays.start(o.relays, o.faults, o.seed,
                    [&witness](const uint8_t* d, size_t n) { witness.from_census_async(d, n); },
                    error)) {
    std::fprintf(stderr, "gatemeter-sim: %s\n", error.c_str());
    return 2;
  }
#ifdef GM_SIM_LWIP
  relay_scope.leave();
#endif

  signal(SIGUSR1, want_relay_report);
  board::PosixClock clock;
  const uint64_t t0 = clock.monotonic_ms();
  TruthLog truth;
  Fleet fleet(truth, witness, o.seed, t0, static_cast<uint64_t>(std::time(nullptr)));
  for (size_t i = 0; i < o.agents.size(); ++i) {
    GatewayConfig c;
    c.agent_id = o.agents[i].id;
    c.credential = o.agents[i].credential;
    c.login_server = o.login;
    c.login_pin = o.pin;
    c.local_ip = o.local_ip;
    c.subscribers = o.plan;
    c.subscribers.seed = o.seed * 1000 + i;
    c.subscribers.realm = "hotspot" + std::to_string(i % 10) + ".example";
    c.settings.interval_s = o.interval_s;
    c.settings.persist_after_ms = o.persist_after_s * 1000;
    c.fault = o.fault;
    c.ignore_zero_balance = o.ignore_zero_balance;
    c.billing = o.billing;
#ifdef GM_SIM_LWIP
    if (!o.lwip_tap.empty())
      c.make_net = [&lwip](GatewayNet::Receive r, void* ctx) { return lwip.make(r, ctx); };
#endif
    if (!fleet.add(c, o.flash_dir + "/" + c.agent_id + ".flash", error)) {
      std::fprintf(stderr, "gatemeter-sim: gateway %s: %s\n", c.agent_id.c_str(), error.c_str());
      return 1;
    }
  }
  fleet.boot_all(t0);
  fleet.plan_power_cuts(o.power_cuts, t0 + o.duration_s * 100, t0 + o.duration_s * 850);
  std::printf("gatemeter-sim: %zu gateway(s) on %s, %u s of subscribers, login %s, %zu relay(s)%s\n",
              fleet.size(), o.lwip_tap.empty() ? "POSIX sockets" : "lwIP over a TAP",
              o.duration_s, o.login.c_str(), o.relays.size(),
              o.power_cuts ? ", power cuts on" : "");

  std::vector<bool> outage_on(o.outages.size(), false);
  uint64_t next_status = t0;
  bool header = false;
  bool winding = false;
  const uint64_t end_ms = t0 + uint64_t{o.duration_s} * 1000;
  const uint64_t drain_end = end_ms + uint64_t{o.drain_timeout_s} * 1000;
  bool drained = false;
  for (;;) {
    const uint64_t now = clock.monotonic_ms();
    const uint64_t t_s = (now - t0) / 1000;
    for (size_t k = 0; k < o.outages.size(); ++k) {
      const bool want = t_s >= o.outages[k].at_s && t_s < uint64_t{o.outages[k].at_s} + o.outages[k].for_s;
      if (want != outage_on[k]) {
        outage_on[k] = want;
        relays.set_blackhole(o.outages[k].relay, want);
        std::printf("%5" PRIu64 "s relay %zu (%s) %s\n", t_s, o.outages[k].relay,
                    o.relays[o.outages[k].relay].listen.c_str(),
                    want ? "goes dark (census outage)" : "is back");
      }
    }
    if (!winding && now >= end_ms) {
      winding = true;
      for (size_t k = 0; k < o.outages.size(); ++k)
        if (outage_on[k]) {
          relays.set_blackhole(o.outages[k].relay, false);
          outage_on[k] = false;
        }
      fleet.wind_down(now);
      std::printf("%5" PRIu64 "s subscribers leave; waiting for every record to be acknowledged\n", t_s);
    }
    fleet.step(now);
    if (relay_report_wanted.exchange(false)) {
      print_relays(("at " + std::to_string(t_s) + "s (SIGUSR1)").c_str(), relays, o.relays.size());
      std::fflush(stdout);
    }
    if (o.status_every_s != 0 && now >= next_status) {
      next_status = now + o.status_every_s * 1000ull;
      if (!header) print_header();
      header = true;
      if (fleet.size() <= 4) {
        for (size_t i = 0; i < fleet.size(); ++i) {
          const GatewayStatus s = fleet.gateway(i).status();
          FleetTotals t;
          t.sessions = s.sessions;
          t.pending = s.pending;
          t.acked = s.acked;
          t.charged_s = s.charged_s;
          t.free_s = s.free_s;
          t.octets_in = s.octets_in;
          t.octets_out = s.octets_out;
          t.power_cuts = fleet.power_cuts(i);
          print_row(t_s, fleet.gateway(i).agent_id(), t);
        }
      } else {
        print_row(t_s, "fleet", fleet.totals());
      }
      std::fflush(stdout);
    }
    if (winding && fleet.drained()) {
      drained = true;
      break;
    }
    if (now >= drain_end) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  relays.stop();
  witness.drain();
  truth.settle(witness);
  const FleetTotals t = fleet.totals();
  size_t sessions = 0, touched = 0;
  for (const auto& kv : truth.entries()) {
    sessions += kv.second.ended ? 1 : 0;
    touched += kv.second.power_cut ? 1 : 0;
  }
  std::printf("gatemeter-sim: %zu sessions ended, %u power cuts (%u tore a flash write), %zu "
              "sessions cut before their last record was durable, %s\n",
              sessions, t.power_cuts, t.torn_cuts, touched,
              drained ? "every record acknowledged" : "NOT drained: records still pending");
  BillingCounts b;
  for (size_t i = 0; i < fleet.size(); ++i) b += fleet.gateway(i).status().billing;
  if (b.asked > 0)
    std::printf("gatemeter-sim: billing: asked=%" PRIu64 " approved=%" PRIu64
                " approved_locally=%" PRIu64 " rejected=%" PRIu64 " asked_again=%" PRIu64
                " refused=%" PRIu64 " not_asked=%" PRIu64 " walled_garden=%" PRIu64
                " held=%" PRIu64 " low_balance=%" PRIu64 " zero_balance=%" PRIu64 " unreachable=%" PRIu64 "\n",
                b.asked, b.approved, b.approved_locally, b.rejected, b.asked_again, b.refused,
                b.not_asked, b.walled_garden, b.held, b.low_balance, b.zero_balance, b.unreachable);
  print_relays("in all", relays, o.relays.size());
  const WitnessStats& w = witness.stats();
  std::printf("gatemeter-sim: witness: datagrams_sent=%" PRIu64 " records_sent=%" PRIu64
              " acks_seen=%" PRIu64 " records_acked=%" PRIu64 " records_flashed=%" PRIu64
              " unreadable=%" PRIu64 " acked_unsent=%" PRIu64 "\n",
              w.datagrams_sent, w.records_sent, w.acks_seen, w.records_acked, w.records_flashed,
              w.unreadable, w.acked_unsent);
  if (o.fault != core::OutboxFault::none || o.ignore_zero_balance)
    std::printf("gatemeter-sim: NEGATIVE CONTROL: the agents ran with --test-fault\n");
  if (!o.truth_path.empty()) {
    if (!truth.write_csv(o.truth_path)) {
      std::fprintf(stderr, "gatemeter-sim: cannot write %s\n", o.truth_path.c_str());
      return 1;
    }
    std::printf("gatemeter-sim: true usage written to %s\n", o.truth_path.c_str());
  }
  return drained ? 0 : 1;
}
