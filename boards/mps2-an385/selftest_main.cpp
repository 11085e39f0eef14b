// The bare-metal self-test image: runs the shared frame codec (and, as they land, the firmware
// core) on the Cortex-M3 under qemu-system-arm and says whether it worked. Everything is
// static: this image has no heap to fall back on.
#include <cstring>

#include "boards/mps2-an385/selftest_agent.h"
#include "boards/mps2-an385/semihosting.h"
#include "shared/crc/crc32.h"
#include "shared/frame/frame_codec.h"

using namespace gm::frame;
using gm::board::check;
using gm::board::semihost_write;

namespace {
gatemeter_MeteringBatch batch;
gatemeter_MeteringBatch decoded;
uint8_t datagram[max_frame_size];
}  // namespace

int main() {
  bool ok = check(gm::crc32("123456789", 9) == 0xCBF43926u, "crc32 check value");

  TagKey key{};
  const uint8_t session_key[32] = {1, 2, 3};
  ok &= check(derive_tag_key(session_key, sizeof session_key, key), "tag key derivation");

  batch.records_count = 20;
  for (pb_size_t i = 0; i < batch.records_count; ++i) {
    auto& r = batch.records[i];
    r.session_id = 1000 + i;
    r.seq = 3;
    r.kind = gatemeter_RecordKind_RECORD_INTERIM;
    r.charged_s = 180;
    r.octets_in = 123456789012ull;
    std::strcpy(r.subscriber, "user@realm.example");
  }
  const size_t n = seal({FrameKind::metering_batch, 0xABCDEF, 1}, &batch, key, datagram,
                        sizeof datagram);
  ok &= check(n > overhead, "seal a 20-record batch");

  Header h;
  ReplayWindow window;
  ok &= check(peek(datagram, n, h) == Refusal::none && h.login_session == 0xABCDEF, "peek");
  ok &= check(open(datagram, n, h, key, window, FrameKind::metering_batch, &decoded) ==
                      Refusal::none &&
                  decoded.records_count == 20 && decoded.records[19].session_id == 1019 &&
                  decoded.records[0].octets_in == 123456789012ull,
              "open and decode");
  ok &= check(open(datagram, n, h, key, window, FrameKind::metering_batch, &decoded) ==
                  Refusal::replayed,
              "replay refused");
  datagram[n / 2] ^= 1;
  ok &= check(open(datagram, n, h, key, window, FrameKind::metering_batch, &decoded) ==
                  Refusal::bad_tag,
              "corruption refused");

  semihost_write("frame bytes for 20 records: ");
  gm::board::semihost_write_u32(static_cast<unsigned>(n));
  semihost_write("\n");
  ok &= gm::board::selftest_agent();
  semihost_write(ok ? "mps2-an385 selftest: PASS\n" : "mps2-an385 selftest: FAIL\n");
  return ok ? 0 : 1;
}
