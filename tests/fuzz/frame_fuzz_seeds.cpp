// Writes a seed corpus of valid frames of every kind (with the fuzz target's key) into the
// folder named on the command line, so a bounded fuzz run starts from the real format.
#include <cstdio>
#include <cstring>
#include <string>

#include "tests/fuzz/seed_corpus.h"
#include "tests/support/frames.h"

using namespace gm::frame;

namespace {
// First byte: re-tag mode (see the target).
void write_seed(const std::string& dir, const char* name, const uint8_t* f, size_t n) {
  gm::fuzz::write_seed_in_both_modes(dir, name, ".retag", f, n);
}
}  // namespace

int main(int argc, char** argv) {
  const std::string dir = gm::fuzz::corpus_dir(argc, argv, "frame_fuzz_seeds");
  const TagKey key = gm::test::test_key();
  uint8_t buf[max_frame_size];
  for (size_t records : {1, 5, 20}) {
    const auto b = gm::test::make_batch(records);
    const size_t n = seal({FrameKind::metering_batch, 7, static_cast<uint32_t>(records)}, &b, key, buf, sizeof buf);
    write_seed(dir, ("batch" + std::to_string(records)).c_str(), buf, n);
  }
  gatemeter_Ack ack = gatemeter_Ack_init_zero;
  ack.records_count = 1;
  ack.records[0] = {1000, 1};
  ack.commands_count = 1;
  ack.commands[0].kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  write_seed(dir, "ack", buf, seal({FrameKind::ack, 7, 2}, &ack, key, buf, sizeof buf));
  gatemeter_AuthRequest req = gatemeter_AuthRequest_init_zero;
  std::strcpy(req.subscriber, "bob@realm");
  write_seed(dir, "auth_request", buf, seal({FrameKind::auth_request, 7, 3}, &req, key, buf, sizeof buf));
  gatemeter_AuthResponse resp = gatemeter_AuthResponse_init_zero;
  resp.decision = gatemeter_AuthDecision_AUTH_TEMPORARY;
  write_seed(dir, "auth_response", buf, seal({FrameKind::auth_response, 7, 4}, &resp, key, buf, sizeof buf));
  std::printf("frame_fuzz_seeds: wrote 12 seeds to %s\n", dir.c_str());
  return 0;
}
