// The load generator: sends pre-sealed metering datagrams to the census from a few UDP
// sockets, closed loop (keep `window` in flight) or open loop (at a fixed rate), and logs every
// datagram that comes back with the time it arrived.
//
// Frames are sealed before a phase starts (on every core), so during a phase this process only
// sends and receives. Acks are not opened while the phase runs either: the loop matches them to
// their datagram by header only, to free a slot in the window, and ack_audit.h opens and checks
// every one of them afterwards, in arrival order, through the same replay window an agent has.
// No ack is credited on the header's word.
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tests/bench/census_plan.h"
#include "tests/support/test_agent.h"

namespace gm::bench {

using Clock = std::chrono::steady_clock;

struct FramePool {
  std::vector<std::vector<uint8_t>> chunks;  // one per sealing thread
  std::vector<const uint8_t*> data;          // frame i, in sending order
  std::vector<uint16_t> length;
  size_t size() const { return data.size(); }
  size_t bytes() const;
};

// Seals `count` frames of `phase` (frame i: census_plan.h) under the agents' login sessions.
FramePool seal_frames(const std::vector<std::unique_ptr<test::TestAgent>>& agents,
                      const PhaseRecords& phase, size_t count, unsigned threads);

// Every datagram received during the phase and its grace period, in arrival order.
struct AckLog {
  struct Entry {
    size_t offset;
    uint16_t length;
    Clock::time_point at;
  };
  std::vector<uint8_t> bytes;
  std::vector<Entry> entries;
};

struct LoadRun {
  Clock::time_point start, end;  // the phase; acks after `end` are late
  double seconds = 0;
  size_t frames_sent = 0;
  std::vector<Clock::time_point> sent_at;  // per frame
  AckLog acks;
  double loadgen_cpu = 0, server_cpu = 0;  // CPU seconds during the phase
};

class LoadGenerator {
 public:
  // `sockets`: the source sockets; agent a sends from sockets[a % sockets.size()].
  LoadGenerator(const std::vector<std::unique_ptr<test::TestAgent>>& agents,
                const std::vector<int>& sockets, const sockaddr_in& census);
  // Several census nodes over one store: agent a sends to censuses[a % censuses.size()].
  LoadGenerator(const std::vector<std::unique_ptr<test::TestAgent>>& agents,
                const std::vector<int>& sockets, const std::vector<sockaddr_in>& censuses);

  // Closed loop (rate_per_s == 0: keep `window` in flight; a datagram unanswered for 500 ms
  // stops holding its slot) or open loop at rate_per_s datagrams/s, for `seconds` or until the
  // pool runs out; then only listens, for up to `grace` or until every datagram is answered.
  // server_cpu gives the server's CPU seconds so far.
  LoadRun run(const PhaseRecords& phase, const FramePool& pool, double seconds, uint32_t window,
              double rate_per_s, std::chrono::milliseconds grace,
              const std::function<double()>& server_cpu);

  // Reads and drops whatever is waiting on the sockets (acks of an earlier phase).
  void drain();

 private:
  // One pass over every socket; returns the number of datagrams received.
  size_t receive(const PhaseRecords& phase, LoadRun& r, std::vector<uint8_t>& state,
                 uint64_t& in_flight, uint64_t& answered);

  const std::vector<std::unique_ptr<test::TestAgent>>& agents_;
  const std::vector<int>& sockets_;
  std::vector<sockaddr_in> census_;
  std::vector<std::pair<uint64_t, uint32_t>> by_login_;  // (login session, agent), sorted
};

}  // namespace gm::bench
