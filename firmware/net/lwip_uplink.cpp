#include "firmware/net/lwip_uplink.h"

#include <lwip/ip4_addr.h>
#include <lwip/pbuf.h>

namespace gm::net {

namespace {
ip_addr_t to_ip(const Ipv4Endpoint& e) {
  ip_addr_t a;
  IP_ADDR4(&a, e.address[0], e.address[1], e.address[2], e.address[3]);
  return a;
}
}  // namespace

LwipUplink::~LwipUplink() { close(); }

bool LwipUplink::set_census(const char* const* addresses, size_t count, size_t* bad_index) {
  if (!parse_ipv4_endpoint_list(addresses, count, census_, max_census, bad_index)) return false;
  count_ = count;
  current_ = 0;
  return true;
}

bool LwipUplink::set_billing(const char* const* addresses, size_t count, size_t* bad_index) {
  if (count != 0 && !parse_ipv4_endpoint_list(addresses, count, billing_, max_billing, bad_index))
    return false;
  billing_count_ = count;
  return true;
}

bool LwipUplink::open(const char* local_ip) {
  close();
  ip_addr_t local;
  if (local_ip == nullptr || !ipaddr_aton(local_ip, &local)) return false;
  pcb_ = udp_new();
  if (pcb_ == nullptr) return false;
  if (udp_bind(pcb_, &local, 0) != ERR_OK) {
    close();
    return false;
  }
  udp_recv(pcb_, &LwipUplink::on_udp, this);
  return true;
}

void LwipUplink::close() {
  if (pcb_ != nullptr) udp_remove(pcb_);
  pcb_ = nullptr;
}

uint16_t LwipUplink::local_port() const { return pcb_ != nullptr ? pcb_->local_port : 0; }

bool LwipUplink::send(const uint8_t* datagram, size_t length) {
  if (count_ == 0) return false;
  return send_to(census_[current_], datagram, length);
}

bool LwipUplink::send_billing(size_t index, const uint8_t* datagram, size_t length) {
  if (index >= billing_count_) return false;
  return send_to(billing_[index], datagram, length);
}

bool LwipUplink::send_to(const Ipv4Endpoint& e, const uint8_t* datagram, size_t length) {
  if (pcb_ == nullptr || length > 0xFFFF) return false;
  // PBUF_RAM: one contiguous copy with room for the headers in front; lwIP fragments it if
  // it is longer than the MTU, and keeps a reference while ARP resolves the next hop.
  pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(length), PBUF_RAM);
  if (p == nullptr) return false;
  if (pbuf_take(p, datagram, static_cast<u16_t>(length)) != ERR_OK) {
    pbuf_free(p);
    return false;
  }
  const ip_addr_t to = to_ip(e);
  const err_t err = udp_sendto(pcb_, p, &to, e.port);
  pbuf_free(p);
  return err == ERR_OK;
}

bool LwipUplink::fail_over() {
  if (count_ < 2) return false;
  current_ = (current_ + 1) % count_;
  return true;
}

void LwipUplink::on_udp(void* self, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16_t port) {
  auto* up = static_cast<LwipUplink*>(self);
  auto same = [addr, port](const Ipv4Endpoint& e) {
    const ip_addr_t a = to_ip(e);
    return ip_addr_cmp(addr, &a) && port == e.port;
  };
  bool known = false;
  for (size_t i = 0; i < up->count_; ++i) known |= same(up->census_[i]);
  for (size_t i = 0; i < up->billing_count_; ++i) known |= same(up->billing_[i]);
  if (!known) {
    ++up->foreign_;
    pbuf_free(p);
    return;
  }
  // A datagram longer than the buffer is cut to max_frame_size + 1: still refused as oversized
  // by the frame codec, never mistaken for a shorter valid frame.
  const u16_t n = pbuf_copy_partial(p, up->buf_, static_cast<u16_t>(sizeof up->buf_), 0);
  pbuf_free(p);
  up->on_receive_(up->context_, up->buf_, n);
}

}  // namespace gm::net
