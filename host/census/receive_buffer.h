// A UDP socket's receive buffer, widened so a burst from many agents fits while the thread
// that reads it is busy (the census's committer holding its receivers back, the billing
// service's io thread sealing a batch's answers). SO_RCVBUFFORCE passes net.core.rmem_max when
// the server may (CAP_NET_ADMIN); otherwise SO_RCVBUF gets what the system allows.
#pragma once

#include <sys/socket.h>

namespace gm::host {

inline void widen_receive_buffer(int fd, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

}  // namespace gm::host
