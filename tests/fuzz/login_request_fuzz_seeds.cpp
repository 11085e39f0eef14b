// Writes the login request target's seed corpus into the folder named on the command line:
// what an agent sends after the challenge (2-byte big-endian length, LoginRequest), for each
// outcome the grant can reach, plus the framings the service refuses or never answers.
// Each seed is written in both of the target's modes (first byte; odd: the target re-proves).
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "shared/proto/wire_limits.h"
#include "tests/fuzz/login_fuzz_agents.h"
#include "tests/fuzz/seed_corpus.h"

namespace {

int seeds = 0;

void write_framed(const std::string& dir, const std::string& name, size_t declared,
                  const std::vector<uint8_t>& body) {
  std::vector<uint8_t> wire = {static_cast<uint8_t>(declared >> 8), static_cast<uint8_t>(declared)};
  wire.insert(wire.end(), body.begin(), body.end());
  gm::fuzz::write_seed_in_both_modes(dir, name, ".reprove", wire.data(), wire.size());
  seeds += 2;
}

std::vector<uint8_t> encode(const gatemeter_LoginRequest& r) {
  return gm::fuzz::encoded(gatemeter_LoginRequest_fields, &r, gatemeter_LoginRequest_size);
}

// A request from agent_id; with a proof that holds if the agent is one the target knows.
gatemeter_LoginRequest request(const char* agent_id, bool proven) {
  gatemeter_LoginRequest r = gatemeter_LoginRequest_init_zero;
  std::snprintf(r.agent_id, sizeof r.agent_id, "%s", agent_id);
  for (size_t i = 0; i < sizeof r.client_nonce; ++i)
    r.client_nonce[i] = static_cast<uint8_t>(0xc0 + i);
  r.components_count = 2;
  std::snprintf(r.components[0].name, sizeof r.components[0].name, "agent");
  r.components[0].version = 11;
  std::snprintf(r.components[1].name, sizeof r.components[1].name, "bootloader");
  r.components[1].version = 3;
  r.boot_count = 17;
  const gm::fuzz::FuzzAgent* a = gm::fuzz::find_fuzz_agent(agent_id);
  if (proven && a != nullptr) gm::fuzz::fuzz_agent_proof(*a, r.client_nonce, r.agent_id, r.proof);
  return r;
}

void write_request(const std::string& dir, const std::string& name,
                   const gatemeter_LoginRequest& r) {
  const std::vector<uint8_t> body = encode(r);
  write_framed(dir, name, body.size(), body);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = gm::fuzz::corpus_dir(argc, argv, "login_request_fuzz_seeds");
  for (const gm::fuzz::FuzzAgent& a : gm::fuzz::fuzz_agents) {
    write_request(dir, std::string(a.agent_id) + ".proven", request(a.agent_id, true));
    write_request(dir, std::string(a.agent_id) + ".wrong_proof", request(a.agent_id, false));
  }
  write_request(dir, "unknown_agent", request("gw-nobody-9999", true));
  write_request(dir, "empty_agent_id", request("", false));

  gatemeter_LoginRequest all = request("gw-ok-0001", true);  // every field at its largest
  std::snprintf(all.agent_id, sizeof all.agent_id, "%s",
                std::string(gm::wire::max_agent_id, 'g').c_str());
  const char* names[] = {"agent", "bootloader", "rating-table", "modem"};
  static_assert(std::size(names) == gm::wire::max_components,
                "the largest request names as many components as it can carry");
  all.components_count = gm::wire::max_components;
  for (size_t i = 0; i < gm::wire::max_components; ++i) {
    std::snprintf(all.components[i].name, sizeof all.components[i].name, "%s", names[i]);
    all.components[i].version = UINT32_MAX;
  }
  all.boot_count = UINT32_MAX;
  write_request(dir, "largest", all);

  gatemeter_LoginRequest up_to_date = request("gw-ok-0001", true);
  up_to_date.components_count = gm::wire::max_components;
  for (size_t i = 0; i < gm::wire::max_components; ++i) {
    std::snprintf(up_to_date.components[i].name, sizeof up_to_date.components[i].name, "%s",
                  names[i]);
    up_to_date.components[i].version = 100;
  }
  write_request(dir, "up_to_date", up_to_date);

  const std::vector<uint8_t> ok = encode(request("gw-ok-0001", true));
  write_framed(dir, "length_too_large", gatemeter_LoginRequest_size + 1, ok);
  write_framed(dir, "hung_up_in_body", ok.size() + 5, ok);
  write_framed(dir, "empty_body", 0, {});
  write_framed(dir, "not_protobuf", 6, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  std::vector<uint8_t> trailing = ok;
  trailing.insert(trailing.end(), {0x12, 0x03, 0x01, 0x02, 0x03});  // a short client_nonce
  write_framed(dir, "short_nonce_after", trailing.size(), trailing);
  std::printf("login_request_fuzz_seeds: wrote %d seeds to %s\n", seeds, dir.c_str());
  return 0;
}
