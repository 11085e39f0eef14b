// An lwIP Ethernet interface over a Linux TAP device: the simulator's network card. Frames lwIP
// sends are written to the TAP; frames the kernel puts on the TAP are read by poll() into pbufs
// and handed to lwIP. (lwIP's contrib tapif is not in Debian's source package; this is the
// small part of it the agent needs.)
//
// The TAP device must exist or be creatable in the network namespace of the calling thread
// when open() runs (`ip tuntap add dev NAME mode tap`); the kernel side of it carries the
// peer's address (192.0.2.1/24 in the tests), lwIP's side the agent's. Right after open() the
// kernel may hold its first replies for up to a second (its link watch has not yet marked the
// TAP running); lwIP's ARP and TCP retries cover that, so nobody needs to wait for it.
#pragma once

#include <lwip/netif.h>

#include <array>
#include <cstdint>
#include <string>

namespace gm::board {

struct TapAddress {
  ip4_addr_t address{}, netmask{}, gateway{};
  std::array<uint8_t, 6> mac{};
};

class TapNetif {
 public:
  TapNetif() = default;
  ~TapNetif();
  TapNetif(const TapNetif&) = delete;
  TapNetif& operator=(const TapNetif&) = delete;

  // Attaches to TAP device `device` and adds it to lwIP as the default, up interface. lwIP must
  // be initialised. False with `error` set if the device cannot be opened or added.
  bool open(const std::string& device, const TapAddress& address, std::string& error);
  void close();

  // Waits up to timeout_ms for frames, then hands every waiting frame to lwIP (at most
  // max_frames_per_poll, so one busy peer cannot starve the caller's loop). Returns how many.
  static constexpr int max_frames_per_poll = 64;
  int poll(int timeout_ms);

  int fd() const { return fd_; }
  struct netif* netif() { return &netif_; }
  uint64_t frames_in() const { return frames_in_; }
  uint64_t frames_out() const { return frames_out_; }
  uint64_t dropped_in() const { return dropped_in_; }  // no pbuf, or lwIP refused the frame

 private:
  static err_t init(struct netif* n);
  static err_t link_output(struct netif* n, struct pbuf* p);

  int fd_ = -1;
  bool added_ = false;
  struct netif netif_ {};
  std::array<uint8_t, 6> mac_{};
  uint64_t frames_in_ = 0, frames_out_ = 0, dropped_in_ = 0;
};

}  // namespace gm::board
