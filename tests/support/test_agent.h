// A test agent built on shared/ only: logs in to the login service over TLS (OpenSSL, pinning
// the server's key as the firmware does), then sends tagged metering batches to the census
// over UDP and reads its acknowledgements. Blocking, with timeouts: for integration tests,
// the crash test and the benchmark's load generator.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "shared/frame/frame_codec.h"

namespace gm::test {

class TestAgent {
 public:
  using Bytes32 = std::array<uint8_t, 32>;

  TestAgent(std::string agent_id, const Bytes32& credential)
      : agent_id_(std::move(agent_id)), credential_(credential) {}
  ~TestAgent();
  TestAgent(const TestAgent&) = delete;
  TestAgent& operator=(const TestAgent&) = delete;

  // The whole login: TLS with the pinned key, challenge, proof, grant, server proof. False
  // with error() set ("bad_credential", "unknown_agent", "pin_mismatch", "connect", ...).
  bool login(const std::string& ip, uint16_t port, const Bytes32& pin, int timeout_ms = 5000,
             const std::vector<gatemeter_ComponentVersion>& components = {});
  const std::string& error() const { return error_; }
  const gatemeter_LoginResponse& grant() const { return grant_; }
  uint64_t login_session() const { return grant_.login_session_id; }
  const frame::TagKey& tag_key() const { return key_; }

  // Opens the UDP socket towards the census ("a.b.c.d:port"; empty: the grant's first).
  bool open_census(const std::string& address = "");
  int fd() const { return fd_; }

  // Seals a batch under the current login session with the given frame sequence.
  std::vector<uint8_t> seal(const gatemeter_MeteringBatch& batch, uint32_t seq) const;
  // Seals with the next frame sequence and sends; returns that sequence (0 if sending failed).
  uint32_t send_batch(const gatemeter_MeteringBatch& batch);
  bool send_raw(const std::vector<uint8_t>& datagram) const;
  uint32_t last_seq() const { return seq_; }

  // Waits up to timeout_ms for a datagram from the census and opens it as an ack (tag, ack
  // replay window). nullopt on timeout or on a refused datagram (counted in acks_refused).
  std::optional<gatemeter_Ack> receive_ack(int timeout_ms);
  uint64_t acks_refused = 0;

 private:
  std::string agent_id_;
  Bytes32 credential_;
  std::string error_;
  gatemeter_LoginResponse grant_ = gatemeter_LoginResponse_init_zero;
  frame::TagKey key_{};
  frame::ReplayWindow ack_window_;
  int fd_ = -1;
  sockaddr_in census_{};
  uint32_t seq_ = 0;
};

// "a.b.c.d:port" -> sockaddr_in.
bool parse_endpoint(const std::string& text, sockaddr_in& out);
// The 64-hex-digit pin (as login-pin.sha256 holds it) -> bytes.
std::optional<std::array<uint8_t, 32>> parse_hex32(const std::string& hex);

}  // namespace gm::test
