// The agent's census uplink over lwIP's raw UDP API: the simulator's sim-linux board (lwIP over
// a TAP device) and bare-metal boards. Same contract as PosixUplink: an ordered list of census
// addresses, send() to the current one, fail_over() to the next; datagrams that arrive are
// handed to a callback (the agent's on_datagram).
//
// There is no poll(): lwIP calls back from inside whatever the board's loop runs (netif input,
// netif_poll), on the one thread that drives lwIP (NO_SYS=1).
#pragma once

#include <lwip/udp.h>

#include <cstddef>
#include <cstdint>

#include "firmware/core/uplink.h"
#include "firmware/net/ipv4_endpoint.h"
#include "shared/frame/frame_format.h"
#include "shared/proto/wire_limits.h"

namespace gm::net {

class LwipUplink final : public core::Uplink {
 public:
  static constexpr size_t max_census = wire::max_census;  // the login response's list
  static constexpr size_t max_billing = wire::max_billing;  // ... and its billing servers
  using Receive = void (*)(void* context, const uint8_t* data, size_t length);

  LwipUplink(Receive on_receive, void* context) : on_receive_(on_receive), context_(context) {}
  ~LwipUplink();
  LwipUplink(const LwipUplink&) = delete;
  LwipUplink& operator=(const LwipUplink&) = delete;

  // Parses "a.b.c.d:port" entries (the login service's census list, parse_ipv4_endpoint_list);
  // false names the first bad one in *bad_index. Replaces the list and starts at the first.
  bool set_census(const char* const* addresses, size_t count, size_t* bad_index = nullptr);
  // Binds a UDP pcb to an ephemeral port on `local_ip` ("0.0.0.0" for any). lwIP must be
  // initialised (lwip_init) first.
  bool open(const char* local_ip = "0.0.0.0");
  void close();

  bool send(const uint8_t* datagram, size_t length) override;
  bool fail_over() override;
  size_t census_count() const override { return count_; }
  // The login's billing servers ("a.b.c.d:port", primary first; none is fine): same parsing and
  // refusals as set_census. Replaces the list.
  bool set_billing(const char* const* addresses, size_t count, size_t* bad_index = nullptr);
  size_t billing_count() const override { return billing_count_; }
  bool send_billing(size_t index, const uint8_t* datagram, size_t length) override;

  // Datagrams from any listed census or billing server are delivered (a late ack from the
  // previous census is still a valid ack); anything else is counted and dropped.
  uint64_t foreign_datagrams() const { return foreign_; }
  size_t current() const { return current_; }
  uint16_t local_port() const;

 private:
  static void on_udp(void* self, udp_pcb* pcb, pbuf* p, const ip_addr_t* addr, u16_t port);
  bool send_to(const Ipv4Endpoint& e, const uint8_t* datagram, size_t length);

  Receive on_receive_;
  void* context_;
  udp_pcb* pcb_ = nullptr;
  Ipv4Endpoint census_[max_census];
  size_t count_ = 0;
  size_t current_ = 0;
  Ipv4Endpoint billing_[max_billing] = {};
  size_t billing_count_ = 0;
  uint64_t foreign_ = 0;
  uint8_t buf_[frame::max_frame_size + 1];
};

}  // namespace gm::net
