#include "boards/sim-linux/tap_netif.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <lwip/etharp.h>
#include <lwip/pbuf.h>
#include <netif/ethernet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gm::board {

namespace {
// An Ethernet frame without FCS: the TAP delivers and accepts exactly this (IFF_NO_PI).
constexpr size_t max_frame = 1514;
}  // namespace

TapNetif::~TapNetif() { close(); }

bool TapNetif::open(const std::string& device, const TapAddress& address, std::string& error) {
  close();
  if (device.empty() || device.size() >= IFNAMSIZ) {
    error = "tap: bad device name '" + device + "'";
    return false;
  }
  fd_ = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    error = std::string("tap: open /dev/net/tun: ") + std::strerror(errno);
    return false;
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, device.c_str(), device.size());
  if (::ioctl(fd_, TUNSETIFF, &ifr) != 0) {
    error = "tap: TUNSETIFF " + device + ": " + std::strerror(errno);
    close();
    return false;
  }
  mac_ = address.mac;
  if (netif_add(&netif_, &address.address, &address.netmask, &address.gateway, this,
                &TapNetif::init, ethernet_input) == nullptr) {
    error = "tap: lwIP refused the interface";
    close();
    return false;
  }
  added_ = true;
  netif_set_default(&netif_);
  netif_set_link_up(&netif_);
  netif_set_up(&netif_);
  return true;
}

void TapNetif::close() {
  if (added_) netif_remove(&netif_);
  added_ = false;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

err_t TapNetif::init(struct netif* n) {
  auto* self = static_cast<TapNetif*>(n->state);
  n->name[0] = 't';
  n->name[1] = 'p';
  n->output = etharp_output;
  n->linkoutput = &TapNetif::link_output;
  n->mtu = 1500;
  n->hwaddr_len = ETH_HWADDR_LEN;
  std::memcpy(n->hwaddr, self->mac_.data(), ETH_HWADDR_LEN);
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
  return ERR_OK;
}

err_t TapNetif::link_output(struct netif* n, struct pbuf* p) {
  auto* self = static_cast<TapNetif*>(n->state);
  uint8_t frame[max_frame];
  if (p->tot_len > sizeof frame) return ERR_BUF;
  const u16_t len = pbuf_copy_partial(p, frame, p->tot_len, 0);
  // One write is one frame. A full TAP queue loses the frame, as a busy wire would; lwIP's TCP
  // retransmits and the census uplink resends.
  if (::write(self->fd_, frame, len) != static_cast<ssize_t>(len)) return ERR_IF;
  ++self->frames_out_;
  return ERR_OK;
}

int TapNetif::poll(int timeout_ms) {
  if (fd_ < 0) return 0;
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, timeout_ms) <= 0) return 0;
  int frames = 0;
  uint8_t frame[max_frame + 1];
  while (frames < max_frames_per_poll) {
    const ssize_t n = ::read(fd_, frame, sizeof frame);
    if (n <= 0) break;  // EAGAIN: nothing more waiting
    ++frames;
    if (static_cast<size_t>(n) > max_frame) {
      ++dropped_in_;
      continue;
    }
    pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(n), PBUF_POOL);
    if (p == nullptr) {
      ++dropped_in_;
      continue;
    }
    pbuf_take(p, frame, static_cast<u16_t>(n));
    if (netif_.input(p, &netif_) != ERR_OK) {
      pbuf_free(p);
      ++dropped_in_;
      continue;
    }
    ++frames_in_;
  }
  return frames;
}

}  // namespace gm::board
