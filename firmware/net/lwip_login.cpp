#include "firmware/net/lwip_login.h"

#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>  // tcp_abandon: drop a pcb without sending a RST
#include <mbedtls/net_sockets.h>

#include "firmware/net/ipv4_endpoint.h"

namespace gm::net {

bool LwipLogin::start(const char* server, const uint8_t (&pin)[32],
                      const core::AgentIdentity& identity, uint32_t boot_count, bool continuing,
                      hal::Rng& rng, uint64_t deadline_ms) {
  stop();
  error_ = "";
  Ipv4Endpoint to;
  if (!parse_ipv4_endpoint(server, to)) {
    error_ = "bad_address";
    return false;
  }
  pcb_ = tcp_new();
  if (pcb_ == nullptr) {
    error_ = "no_pcb";
    return false;
  }
  connected_ = peer_closed_ = reset_ = false;
  tcp_arg(pcb_, this);
  tcp_recv(pcb_, &LwipLogin::on_recv);
  tcp_err(pcb_, &LwipLogin::on_error);
  ip_addr_t ip;
  IP_ADDR4(&ip, to.address[0], to.address[1], to.address[2], to.address[3]);
  if (tcp_connect(pcb_, &ip, to.port, &LwipLogin::on_connected) != ERR_OK) {
    release_pcb(false);
    error_ = "connect";
    return false;
  }
  open_ = true;
  const TlsClient::Io io{this, &LwipLogin::bio_send, &LwipLogin::bio_recv};
  if (!tls_.start(io, pin, rng)) {
    error_ = "tls_setup";
    stop();
    return false;
  }
  exchange_.start(identity, boot_count, continuing, rng);
  deadline_ms_ = deadline_ms;
  return true;
}

LwipLogin::Step LwipLogin::step(uint64_t now_ms) {
  if (!open_) return Step::failed;
  if (now_ms >= deadline_ms_) return fail("timeout");
  if (reset_) return fail(connected_ ? "reset" : "connect");
  if (!connected_) return Step::busy;

  const char* why = "";
  const Step s = pump_login(tls_, exchange_, &why);
  if (s == Step::failed) return fail(why);
  if (s == Step::done) stop();
  return s;
}

void LwipLogin::stop() {
  if (!open_) return;
  tls_.close();  // close_notify goes out through bio_send while the pcb is still there
  release_pcb(true);
  open_ = false;
}

void LwipLogin::drop() {
  if (!open_) return;
  release_pcb(false);  // first, so that TLS's close cannot reach the wire
  tls_.close();
  open_ = false;
}

void LwipLogin::release_pcb(bool send_fin) {
  if (pcb_ != nullptr) {
    tcp_arg(pcb_, nullptr);
    tcp_recv(pcb_, nullptr);  // lwIP's tcp_recv_null takes whatever still arrives
    tcp_err(pcb_, nullptr);
    if (!send_fin || tcp_close(pcb_) != ERR_OK) tcp_abandon(pcb_, 0);
    pcb_ = nullptr;
  }
  if (received_ != nullptr) pbuf_free(received_);
  received_ = nullptr;
}

err_t LwipLogin::on_connected(void* self, tcp_pcb*, err_t) {
  static_cast<LwipLogin*>(self)->connected_ = true;
  return ERR_OK;
}

err_t LwipLogin::on_recv(void* self, tcp_pcb*, pbuf* p, err_t) {
  auto* login = static_cast<LwipLogin*>(self);
  if (p == nullptr) {
    login->peer_closed_ = true;
    return ERR_OK;
  }
  // Queued, not acknowledged to the window until TLS reads it (bio_recv): the server can
  // never have more in flight than TCP_WND, so the queue is bounded.
  if (login->received_ == nullptr)
    login->received_ = p;
  else
    pbuf_cat(login->received_, p);
  return ERR_OK;
}

void LwipLogin::on_error(void* self, err_t) {
  auto* login = static_cast<LwipLogin*>(self);
  login->pcb_ = nullptr;  // lwIP has already freed it
  login->reset_ = true;
}

int LwipLogin::bio_send(void* self, const unsigned char* data, size_t length) {
  auto* login = static_cast<LwipLogin*>(self);
  if (login->pcb_ == nullptr || login->reset_) return MBEDTLS_ERR_NET_CONN_RESET;
  if (!login->connected_) return MBEDTLS_ERR_SSL_WANT_WRITE;
  size_t n = tcp_sndbuf(login->pcb_);
  if (n > length) n = length;
  if (n > 0xFFFF) n = 0xFFFF;
  if (n == 0) return MBEDTLS_ERR_SSL_WANT_WRITE;
  const err_t err = tcp_write(login->pcb_, data, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY);
  if (err == ERR_MEM) return MBEDTLS_ERR_SSL_WANT_WRITE;  // segments full: try next step
  if (err != ERR_OK) return MBEDTLS_ERR_NET_SEND_FAILED;
  tcp_output(login->pcb_);
  return static_cast<int>(n);
}

int LwipLogin::bio_recv(void* self, unsigned char* data, size_t length) {
  auto* login = static_cast<LwipLogin*>(self);
  if (login->received_ == nullptr) {
    if (login->peer_closed_) return 0;
    if (login->pcb_ == nullptr || login->reset_) return MBEDTLS_ERR_NET_CONN_RESET;
    return MBEDTLS_ERR_SSL_WANT_READ;
  }
  size_t n = login->received_->tot_len;
  if (n > length) n = length;
  const u16_t got = pbuf_copy_partial(login->received_, data, static_cast<u16_t>(n), 0);
  login->received_ = pbuf_free_header(login->received_, got);
  if (login->pcb_ != nullptr) tcp_recved(login->pcb_, got);
  return got;
}

}  // namespace gm::net
