// Round trips: what seal() writes, peek() and open() give back unchanged.
#include "shared/frame/frame_codec.h"

#include <gtest/gtest.h>

#include <pb_encode.h>

#include <cstring>

#include "tests/support/frames.h"

using namespace gm::frame;
using gm::test::make_batch;
using gm::test::seal_batch;
using gm::test::test_key;

TEST(FrameCodec, MeteringBatchRoundTripsWithEveryField) {
  const TagKey key = test_key();
  const gatemeter_MeteringBatch sent = make_batch(20);
  const auto f = seal_batch(sent, 0x1122334455667788ull, 42, key);
  ASSERT_GT(f.size(), overhead);

  Header h;
  ASSERT_EQ(peek(f.data(), f.size(), h), Refusal::none);
  EXPECT_EQ(h.kind, FrameKind::metering_batch);
  EXPECT_EQ(h.login_session, 0x1122334455667788ull);
  EXPECT_EQ(h.seq, 42u);

  ReplayWindow w;
  gatemeter_MeteringBatch got = gatemeter_MeteringBatch_init_zero;
  ASSERT_EQ(open(f.data(), f.size(), h, key, w, FrameKind::metering_batch, &got), Refusal::none);
  ASSERT_EQ(got.records_count, 20u);
  for (size_t i = 0; i < 20; ++i) {
    const auto &a = sent.records[i], &b = got.records[i];
    EXPECT_EQ(a.session_id, b.session_id);
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.charged_s, b.charged_s);
    EXPECT_EQ(a.free_s, b.free_s);
    EXPECT_EQ(a.octets_in, b.octets_in);
    EXPECT_EQ(a.octets_out, b.octets_out);
    EXPECT_STREQ(a.subscriber, b.subscriber);
    EXPECT_STREQ(a.service, b.service);
    EXPECT_EQ(a.billing, b.billing);
    EXPECT_EQ(a.start_time_unix, b.start_time_unix);
  }
  EXPECT_EQ(got.agent_time_unix, sent.agent_time_unix);
  EXPECT_EQ(w.highest(), 42u);
}

TEST(FrameCodec, OverheadIsHeaderPlusTag) {
  const TagKey key = test_key();
  const gatemeter_MeteringBatch b = make_batch(3);
  uint8_t payload[gatemeter_MeteringBatch_size];
  pb_ostream_t s = pb_ostream_from_buffer(payload, sizeof payload);
  ASSERT_TRUE(pb_encode(&s, gatemeter_MeteringBatch_fields, &b));
  const auto f = seal_batch(b, 1, 1, key);
  EXPECT_EQ(f.size(), s.bytes_written + 32u);
  EXPECT_EQ(overhead, 32u);
}

TEST(FrameCodec, FullBatchFitsTheLargestFrame) {
  gatemeter_MeteringBatch b = make_batch(32);
  for (auto& r : b.records) {  // every string at its maximum length, every number at its widest
    std::memset(r.subscriber, 'u', sizeof r.subscriber - 1);
    std::memset(r.service, 's', sizeof r.service - 1);
    r.octets_in = r.octets_out = ~0ull;
    r.charged_s = r.free_s = r.seq = ~0u;
  }
  const auto f = seal_batch(b, 1, 1, test_key());
  EXPECT_GT(f.size(), 0u);
  EXPECT_LE(f.size(), max_frame_size);
}

TEST(FrameCodec, SealRefusesABufferTooSmall) {
  const gatemeter_MeteringBatch b = make_batch(5);
  uint8_t out[64];
  const Header h{FrameKind::metering_batch, 1, 1};
  EXPECT_EQ(seal(h, &b, test_key(), out, sizeof out), 0u);
  EXPECT_EQ(seal(h, &b, test_key(), out, 10), 0u);
}

TEST(FrameCodec, SealRefusesAnUnknownKind) {
  const gatemeter_MeteringBatch b = make_batch(1);
  uint8_t out[max_frame_size];
  const Header h{static_cast<FrameKind>(77), 1, 1};
  EXPECT_EQ(seal(h, &b, test_key(), out, sizeof out), 0u);
}

TEST(FrameCodec, AckWithCommandsRoundTrips) {
  const TagKey key = test_key(9);
  gatemeter_Ack ack = gatemeter_Ack_init_zero;
  ack.datagram_seq = 77;
  ack.records_count = 2;
  ack.records[0] = {1001, 4};
  ack.records[1] = {1002, 9};
  ack.commands_count = 3;
  ack.commands[0].kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  ack.commands[0].session_id = 1001;
  ack.commands[0].cause = gatemeter_StopCause_STOP_ZERO_BALANCE;
  ack.commands[1].kind = gatemeter_CommandKind_COMMAND_SET_INTERVAL;
  ack.commands[1].interval_s = 30;
  ack.commands[2].kind = gatemeter_CommandKind_COMMAND_UPDATE_AVAILABLE;
  std::strcpy(ack.commands[2].component, "agent");
  ack.commands[2].version = 12;

  uint8_t buf[max_frame_size];
  const size_t n = seal({FrameKind::ack, 5, 3}, &ack, key, buf, sizeof buf);
  ASSERT_GT(n, 0u);
  Header h;
  ASSERT_EQ(peek(buf, n, h), Refusal::none);
  ReplayWindow w;
  gatemeter_Ack got = gatemeter_Ack_init_zero;
  ASSERT_EQ(open(buf, n, h, key, w, FrameKind::ack, &got), Refusal::none);
  EXPECT_EQ(got.datagram_seq, 77u);
  ASSERT_EQ(got.records_count, 2u);
  EXPECT_EQ(got.records[1].session_id, 1002u);
  EXPECT_EQ(got.records[1].seq, 9u);
  ASSERT_EQ(got.commands_count, 3u);
  EXPECT_EQ(got.commands[0].cause, gatemeter_StopCause_STOP_ZERO_BALANCE);
  EXPECT_EQ(got.commands[1].interval_s, 30u);
  EXPECT_STREQ(got.commands[2].component, "agent");
  EXPECT_EQ(got.commands[2].version, 12u);
}

TEST(FrameCodec, AuthorisationRequestAndResponseRoundTrip) {
  const TagKey key = test_key(3);
  gatemeter_AuthRequest req = gatemeter_AuthRequest_init_zero;
  req.session_id = 555;
  std::strcpy(req.subscriber, "alice@isp.example");
  std::strcpy(req.service, "premium");
  req.billing = gatemeter_BillingOption_BILLING_ROAMING;
  uint8_t buf[max_frame_size];
  size_t n = seal({FrameKind::auth_request, 8, 1}, &req, key, buf, sizeof buf);
  Header h;
  ASSERT_EQ(peek(buf, n, h), Refusal::none);
  ReplayWindow w;
  gatemeter_AuthRequest got_req = gatemeter_AuthRequest_init_zero;
  ASSERT_EQ(open(buf, n, h, key, w, FrameKind::auth_request, &got_req), Refusal::none);
  EXPECT_STREQ(got_req.subscriber, "alice@isp.example");
  EXPECT_EQ(got_req.billing, gatemeter_BillingOption_BILLING_ROAMING);

  gatemeter_AuthResponse resp = gatemeter_AuthResponse_init_zero;
  resp.session_id = 555;
  resp.decision = gatemeter_AuthDecision_AUTH_TEMPORARY;
  resp.temporary_s = 120;
  std::strcpy(resp.reason, "home provider not answering");
  n = seal({FrameKind::auth_response, 8, 1}, &resp, key, buf, sizeof buf);
  ASSERT_EQ(peek(buf, n, h), Refusal::none);
  ReplayWindow w2;
  gatemeter_AuthResponse got = gatemeter_AuthResponse_init_zero;
  ASSERT_EQ(open(buf, n, h, key, w2, FrameKind::auth_response, &got), Refusal::none);
  EXPECT_EQ(got.decision, gatemeter_AuthDecision_AUTH_TEMPORARY);
  EXPECT_EQ(got.temporary_s, 120u);
  EXPECT_STREQ(got.reason, "home provider not answering");
}

TEST(FrameCodec, EveryRefusalHasADistinctName) {
  for (int a = 0; a < static_cast<int>(Refusal::count_); ++a)
    for (int b = a + 1; b < static_cast<int>(Refusal::count_); ++b)
      EXPECT_STRNE(refusal_name(static_cast<Refusal>(a)), refusal_name(static_cast<Refusal>(b)));
}
