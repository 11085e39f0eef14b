// The login stream's framing for tests that play the login service: a 2-byte big-endian length
// and the nanopb message (firmware/core/login_exchange.h).
#pragma once

#include <gtest/gtest.h>
#include <pb_encode.h>

#include <cstdint>
#include <vector>

namespace gm::test {

template <typename Msg>
std::vector<uint8_t> framed(const pb_msgdesc_t* fields, const Msg& m) {
  std::vector<uint8_t> out(2 + 2048);
  pb_ostream_t s = pb_ostream_from_buffer(out.data() + 2, out.size() - 2);
  EXPECT_TRUE(pb_encode(&s, fields, &m));
  out[0] = static_cast<uint8_t>(s.bytes_written >> 8);
  out[1] = static_cast<uint8_t>(s.bytes_written);
  out.resize(2 + s.bytes_written);
  return out;
}

}  // namespace gm::test
