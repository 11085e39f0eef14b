#include "firmware/net/posix_uplink.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace gm::net {

sockaddr_in to_sockaddr(const Ipv4Endpoint& e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(e.port);
  std::memcpy(&a.sin_addr.s_addr, e.address, 4);
  return a;
}

PosixUplink::~PosixUplink() { close(); }

bool PosixUplink::set_census(const char* const* addresses, size_t count, size_t* bad_index) {
  Ipv4Endpoint parsed[max_census];
  if (!parse_ipv4_endpoint_list(addresses, count, parsed, max_census, bad_index)) return false;
  for (size_t i = 0; i < count; ++i) census_[i] = to_sockaddr(parsed[i]);
  count_ = count;
  current_ = 0;
  return true;
}

bool PosixUplink::set_billing(const char* const* addresses, size_t count, size_t* bad_index) {
  Ipv4Endpoint parsed[max_billing];
  if (count != 0 && !parse_ipv4_endpoint_list(addresses, count, parsed, max_billing, bad_index))
    return false;
  for (size_t i = 0; i < count; ++i) billing_[i] = to_sockaddr(parsed[i]);
  billing_count_ = count;
  return true;
}

bool PosixUplink::open(const char* local_ip) {
  close();
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  if (inet_pton(AF_INET, local_ip, &local.sin_addr) != 1 ||
      ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    close();
    return false;
  }
  return true;
}

void PosixUplink::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool PosixUplink::send(const uint8_t* datagram, size_t length) {
  if (fd_ < 0 || count_ == 0) return false;
  const sockaddr_in& to = census_[current_];
  return ::sendto(fd_, datagram, length, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
         static_cast<ssize_t>(length);
}

bool PosixUplink::send_billing(size_t index, const uint8_t* datagram, size_t length) {
  if (fd_ < 0 || index >= billing_count_) return false;
  const sockaddr_in& to = billing_[index];
  return ::sendto(fd_, datagram, length, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
         static_cast<ssize_t>(length);
}

bool PosixUplink::fail_over() {
  if (count_ < 2) return false;
  current_ = (current_ + 1) % count_;
  return true;
}

int PosixUplink::poll(int timeout_ms) {
  if (fd_ < 0) return 0;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return 0;
  int delivered = 0;
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    // A datagram longer than the buffer arrives cut to max_frame_size + 1: still refused as
    // oversized by the frame codec, never mistaken for a shorter valid frame.
    const ssize_t n =
        ::recvfrom(fd_, buf_, sizeof buf_, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) break;
    auto same = [&from](const sockaddr_in& a) {
      return from.sin_addr.s_addr == a.sin_addr.s_addr && from.sin_port == a.sin_port;
    };
    bool known = false;
    for (size_t i = 0; i < count_; ++i) known |= same(census_[i]);
    for (size_t i = 0; i < billing_count_; ++i) known |= same(billing_[i]);
    if (!known) {
      ++foreign_;
      continue;
    }
    on_receive_(context_, buf_, static_cast<size_t>(n));
    ++delivered;
  }
  return delivered;
}

}  // namespace gm::net
