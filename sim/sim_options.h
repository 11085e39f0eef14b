// The simulator's command line: what to connect to, which gateways to run, how subscribers
// behave, and which faults to inject. Every error names the flag and what was wrong with it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/fault_plan.h"
#include "sim/gateway.h"
#include "sim/subscriber_script.h"

namespace gm::sim {

struct RelaySpec {
  std::string listen, target;  // "a.b.c.d:port"
  std::string mirror;          // also sent, unfaulted, to this census (empty: none)
};

struct OutageSpec {
  size_t relay = 0;  // index into relays
  uint32_t at_s = 0, for_s = 0;
};

struct AgentSpec {
  std::string id;
  std::array<uint8_t, 32> credential{};
};

struct SimOptions {
  std::string login = "127.0.0.1:7000";
  std::array<uint8_t, 32> pin{};
  std::vector<AgentSpec> agents;
  std::string flash_dir = ".";
  std::string truth_path;                 // empty: not written
  uint32_t duration_s = 60;
  uint32_t drain_timeout_s = 60;
  uint32_t interval_s = 60;               // must match what the login service hands out
  uint32_t persist_after_s = 30;
  SubscriberPlan plan;
  std::vector<RelaySpec> relays;
  FaultPlan faults;
  std::vector<OutageSpec> outages;
  uint32_t power_cuts = 0;                // per gateway
  uint32_t status_every_s = 1;            // 0: no live table
  std::string local_ip = "0.0.0.0";
  uint64_t seed = 1;
  core::OutboxFault fault = core::OutboxFault::none;  // --test-fault (negative controls)
  bool ignore_zero_balance = false;  // --test-fault ignore-zero-balance (GatewayConfig's)
  std::vector<std::string> billing;       // --billing: used when the login lists none
  // lwIP over a TAP device (the sim-linux board) instead of POSIX sockets: one gateway.
  std::string lwip_tap;                   // empty: POSIX
  std::string lwip_netns;                 // the TAP's namespace (relays bind there too)
  std::string lwip_address = "192.0.2.2";
};

// Parses argv into options; on failure returns false with a message naming the bad flag.
bool parse_sim_options(int argc, char** argv, SimOptions& o, std::string& error);
const char* sim_usage();

bool parse_hex32(const std::string& text, std::array<uint8_t, 32>& out);

}  // namespace gm::sim
