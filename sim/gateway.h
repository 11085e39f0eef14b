// One simulated gateway: the real agent (firmware/core) over a journal on simulated flash,
// the POSIX census uplink and the TLS login, driven by scripted subscribers. Many of these run
// in one process (fleet mode), each stepped from a single loop.
//
// A power cut throws away everything the agent held in RAM (agent, journal state, sockets,
// login) and keeps only the flash; boot() then starts over exactly as a real gateway would.
//
// The gateway is also where the simulator watches: it writes what it does to the truth log
// (from the script and the simulator's clock, never from the agent's meter), and shows the
// record witness every datagram the agent sends or receives and every record the journal
// keeps.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "firmware/core/agent.h"
#include "firmware/core/outbox.h"
#include "firmware/store/journal.h"
#include "sim/gateway_net.h"
#include "sim/record_witness.h"
#include "sim/subscriber_script.h"
#include "sim/truth_log.h"
#include "sim/witness_store.h"

namespace gm::sim {

struct GatewayConfig {
  std::string agent_id = "gw-0001";
  std::array<uint8_t, 32> credential{};
  std::string login_server = "127.0.0.1:7000";
  std::string local_ip = "0.0.0.0";  // where the census uplink binds (POSIX)
  // Makes the gateway's network at every boot; empty: POSIX sockets (PosixGatewayNet).
  std::function<std::unique_ptr<GatewayNet>(GatewayNet::Receive, void*)> make_net;
  std::array<uint8_t, 32> login_pin{};
  SubscriberPlan subscribers;
  core::AgentSettings settings;
  uint32_t idle_timeout_s = 30;
  core::OutboxFault fault = core::OutboxFault::none;  // negative controls only
  // Negative control for the money oracle: the board keeps a subscriber on its data plane after
  // the agent ended the session at zero balance (the truth goes on counting what it used).
  bool ignore_zero_balance = false;
  // Billing servers to use when the login lists none (sim --billing); empty: the login's.
  std::vector<std::string> billing;
};

// How subscribers fared with billing (only sessions the agent authorised through it).
struct BillingCounts {
  uint64_t asked = 0;             // sessions sent to billing
  uint64_t approved = 0;          // approved (finally or temporarily)
  uint64_t approved_locally = 0;  // no billing server answered; the outage policy let them on
  uint64_t rejected = 0;          // rejects seen (a session may be rejected, then approved)
  uint64_t asked_again = 0;       // more_info_needed: asked again as prepaid with the account
  uint64_t refused = 0;           // ended by the simulator after a reject it cannot mend
  uint64_t walled_garden = 0;     // moved to the walled garden at a final grant
  uint64_t held = 0;              // held at a grant's limit until billing answered
  uint64_t low_balance = 0;
  uint64_t not_asked = 0;         // request_authorisation refused (request table full)
  uint64_t zero_balance = 0, unreachable = 0;  // ended by the agent with these causes

  BillingCounts& operator+=(const BillingCounts& o) {
    asked += o.asked, approved += o.approved, approved_locally += o.approved_locally;
    rejected += o.rejected, asked_again += o.asked_again, refused += o.refused;
    walled_garden += o.walled_garden, low_balance += o.low_balance, not_asked += o.not_asked;
    held += o.held;
    zero_balance += o.zero_balance, unreachable += o.unreachable;
    return *this;
  }
};

struct GatewayStatus {
  bool logged_in = false;
  size_t sessions = 0;      // live in the agent's table
  size_t pending = 0;       // records not yet acknowledged (table and journal)
  uint64_t acked = 0;       // records acknowledged since boot
  uint32_t boots = 0;
  uint64_t charged_s = 0, free_s = 0, octets_in = 0, octets_out = 0;  // over live sessions
  BillingCounts billing;  // since the simulator started (across boots)
};

class Gateway {
 public:
  Gateway(const GatewayConfig& config, hal::Flash& flash, hal::Clock& clock, hal::Rng& rng,
          hal::Log& log, TruthLog& truth, RecordWitness& witness, uint64_t start_ms);
  ~Gateway();

  void boot(uint64_t now_ms);
  // Runs whatever is due: login, subscriber events, the agent's tick, acknowledgements.
  void step(uint64_t now_ms);
  // RAM is gone; sessions open now end in the truth log as cut by power.
  void power_cut(uint64_t now_ms);
  // The end of a run: no more arrivals; every live session stops (user request) so that its
  // STOP can reach the census. drained() once nothing waits for an acknowledgement.
  void wind_down(uint64_t now_ms);
  bool drained() const;
  bool powered() const { return agent_ != nullptr; }

  GatewayStatus status() const;
  const std::string& agent_id() const { return config_.agent_id; }
  const core::Agent* agent() const { return agent_.get(); }
  uint32_t boots() const { return boots_; }

 private:
  void apply(const ScriptEvent& e, uint64_t now_ms);
  void drive_login(uint64_t now_ms);
  void retry_login_later(uint64_t now_ms);
  static void on_datagram(void* self, const uint8_t* data, size_t length);
  static void on_session_end(void* self, const core::Session& s);
  static void on_billing(void* self, const core::Session& s, const core::BillingNotice& n);
  void start_billed(uint32_t subscriber, uint64_t now_ms);
  void watch_final_grants(uint64_t now_ms);

  // The agent's uplink with the witness on it: every datagram the agent sends is read first.
  class WitnessUplink final : public core::Uplink {
   public:
    WitnessUplink(core::Uplink& inner, RecordWitness& witness) : inner_(inner), witness_(witness) {}
    bool send(const uint8_t* data, size_t length) override {
      witness_.sent(data, length);
      return inner_.send(data, length);
    }
    bool fail_over() override { return inner_.fail_over(); }
    size_t census_count() const override { return inner_.census_count(); }
    // Billing frames hold no records: the witness has nothing to read in them.
    size_t billing_count() const override { return inner_.billing_count(); }
    bool send_billing(size_t index, const uint8_t* data, size_t length) override {
      return inner_.send_billing(index, data, length);
    }

   private:
    core::Uplink& inner_;
    RecordWitness& witness_;
  };

  GatewayConfig config_;
  hal::Flash& flash_;
  hal::Clock& clock_;
  hal::Rng& rng_;
  hal::Log& log_;
  TruthLog& truth_;
  RecordWitness& witness_;
  SubscriberScript script_;
  core::AgentIdentity identity_;

  // RAM state: rebuilt at every boot.
  std::unique_ptr<store::Journal> journal_;
  std::unique_ptr<WitnessStore> witnessed_journal_;
  std::unique_ptr<WitnessUplink> uplink_;
  std::unique_ptr<core::Agent> agent_;
  std::unique_ptr<GatewayNet> net_;
  bool logged_in_ = false;  // the agent has a login (a renewal may be due or under way)
  uint64_t next_login_ms_ = 0;
  uint32_t login_backoff_ms_ = 0;  // after a failed attempt; reset by a login
  uint64_t next_tick_ms_ = 0;
  uint32_t boots_ = 0;
  std::map<uint32_t, uint64_t> session_of_;  // scripted subscriber -> agent session id (this boot)
  std::map<uint64_t, uint32_t> billed_;      // sessions authorised through billing -> subscriber
  BillingCounts billing_;
  uint64_t now_ms_ = 0;
  bool winding_down_ = false;
};

}  // namespace gm::sim
