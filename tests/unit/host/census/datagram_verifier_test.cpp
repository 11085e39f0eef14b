// The census's verify step without sockets or a store: what an authentic datagram becomes,
// and every reason a datagram is refused, with nothing of a refused one kept.
#include "host/census/datagram_verifier.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "tests/support/frames.h"

namespace gm::host {
namespace {

using frame::Refusal;

class CensusDatagramVerifier : public ::testing::Test {
 protected:
  static constexpr uint64_t login_id = 0x1234'5678'9abc'def0;
  static constexpr int64_t agent = 5;

  void SetUp() override {
    login_ = std::make_shared<LoginEntry>();
    login_->id = login_id;
    login_->agent = agent;
    login_->agent_id = "gw-5";
    login_->key = test::test_key(1);
    from_.fd = 9;
    from_.to.sin_family = AF_INET;
    from_.to.sin_port = htons(4000);
    inet_pton(AF_INET, "192.0.2.7", &from_.to.sin_addr);
  }

  Verification verify(const std::vector<uint8_t>& d) {
    return verify_datagram(d, from_, find_, batch_);
  }
  std::vector<uint8_t> sealed(const gatemeter_MeteringBatch& b, uint32_t seq) const {
    return test::seal_batch(b, login_id, seq, login_->key);
  }
  void expect_nothing_kept() const {
    EXPECT_TRUE(batch_.acks.empty());
    EXPECT_TRUE(batch_.commit.datagrams.empty());
    EXPECT_TRUE(batch_.commit.records.empty());
    EXPECT_TRUE(batch_.commit.confirmations.empty());
  }

  std::shared_ptr<LoginEntry> login_;
  LoginLookup find_ = [this](uint64_t id) { return id == login_id ? login_ : nullptr; };
  ReplyPath from_;
  VerifiedBatch batch_;
};

TEST_F(CensusDatagramVerifier, AuthenticDatagramBecomesItsRecordsConfirmationsAndAckSkeleton) {
  auto b = test::make_batch(3, 1000, 4);
  b.confirmed_commands[b.confirmed_commands_count++] = 11;
  b.confirmed_commands[b.confirmed_commands_count++] = 12;
  const Verification v = verify(sealed(b, 7));
  ASSERT_TRUE(v.accepted()) << frame::refusal_name(v.refusal);
  EXPECT_EQ(v.invalid_records, 0u);

  ASSERT_EQ(batch_.commit.datagrams.size(), 1u);
  const VerifiedDatagram& d = batch_.commit.datagrams[0];
  EXPECT_EQ(d.agent, agent);
  EXPECT_EQ(d.login_session, login_id);
  EXPECT_EQ(d.seq, 7u);
  EXPECT_EQ(d.verdict, DatagramVerdict::none);  // the store decides, at commit

  ASSERT_EQ(batch_.commit.records.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const VerifiedRecord& r = batch_.commit.records[i];
    EXPECT_EQ(r.agent, agent);
    EXPECT_EQ(r.login_session, login_id);
    EXPECT_EQ(r.datagram, 0u);
    EXPECT_EQ(r.record.session_id, 1000 + i);
    EXPECT_EQ(r.record.seq, 4u);
    EXPECT_EQ(r.record.totals.charged_s, 240u);
  }
  ASSERT_EQ(batch_.commit.confirmations.size(), 2u);
  EXPECT_EQ(batch_.commit.confirmations[0].datagram, 0u);
  EXPECT_EQ(batch_.commit.confirmations[0].command, 11);
  EXPECT_EQ(batch_.commit.confirmations[1].command, 12);

  ASSERT_EQ(batch_.acks.size(), 1u);
  const PendingAck& ack = batch_.acks[0];
  EXPECT_EQ(ack.reply.fd, 9);
  EXPECT_EQ(ack.reply.to.sin_port, htons(4000));
  EXPECT_EQ(ack.reply.to.sin_addr.s_addr, from_.to.sin_addr.s_addr);
  EXPECT_EQ(ack.login, login_);
  EXPECT_EQ(ack.seq, 7u);
  ASSERT_EQ(ack.count, 3);
  for (pb_size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ack.records[i].session_id, 1000u + i);
    EXPECT_EQ(ack.records[i].seq, 4u);
  }
  EXPECT_EQ(login_->window.highest(), 7u);
}

TEST_F(CensusDatagramVerifier, ALaterDatagramNamesItsOwnIndexInTheBatch) {
  ASSERT_TRUE(verify(sealed(test::make_batch(2, 1000), 1)).accepted());
  auto b = test::make_batch(1, 2000);
  b.confirmed_commands[b.confirmed_commands_count++] = 30;
  ASSERT_TRUE(verify(sealed(b, 2)).accepted());
  ASSERT_EQ(batch_.acks.size(), 2u);
  ASSERT_EQ(batch_.commit.records.size(), 3u);
  EXPECT_EQ(batch_.commit.records[2].datagram, 1u);
  EXPECT_EQ(batch_.commit.records[2].record.session_id, 2000u);
  ASSERT_EQ(batch_.commit.confirmations.size(), 1u);
  EXPECT_EQ(batch_.commit.confirmations[0].datagram, 1u);
  EXPECT_EQ(batch_.acks[1].seq, 2u);
  EXPECT_EQ(batch_.acks[1].count, 1);
}

TEST_F(CensusDatagramVerifier, InvalidRecordAmongValidOnesIsLeftOutOfCommitAndAck) {
  auto b = test::make_batch(3, 60);
  std::snprintf(b.records[1].subscriber, sizeof b.records[1].subscriber, "no-realm");
  const Verification v = verify(sealed(b, 1));
  ASSERT_TRUE(v.accepted());
  EXPECT_EQ(v.invalid_records, 1u);
  ASSERT_EQ(batch_.commit.records.size(), 2u);
  EXPECT_EQ(batch_.commit.records[0].record.session_id, 60u);
  EXPECT_EQ(batch_.commit.records[1].record.session_id, 62u);
  ASSERT_EQ(batch_.acks.size(), 1u);
  ASSERT_EQ(batch_.acks[0].count, 2);
  EXPECT_EQ(batch_.acks[0].records[0].session_id, 60u);
  EXPECT_EQ(batch_.acks[0].records[1].session_id, 62u);
}

TEST_F(CensusDatagramVerifier, DatagramOfOnlyInvalidRecordsIsStillAcceptedAndAckedWithNone) {
  auto b = test::make_batch(2, 60);
  b.records[0].session_id = 0;
  b.records[1].seq = 0;
  const Verification v = verify(sealed(b, 1));
  ASSERT_TRUE(v.accepted());
  EXPECT_EQ(v.invalid_records, 2u);
  EXPECT_TRUE(batch_.commit.records.empty());
  ASSERT_EQ(batch_.acks.size(), 1u);
  EXPECT_EQ(batch_.acks[0].count, 0);
}

TEST_F(CensusDatagramVerifier, HeaderRefusalsSayWhyAndKeepNothing) {
  const auto good = sealed(test::make_batch(1), 1);
  EXPECT_EQ(verify(std::vector<uint8_t>(good.begin(), good.begin() + 20)).refusal,
            Refusal::short_frame);
  EXPECT_EQ(verify(std::vector<uint8_t>(frame::max_frame_size + 1, 0)).refusal,
            Refusal::oversized);
  auto d = good;
  d[0] = 'X';
  EXPECT_EQ(verify(d).refusal, Refusal::bad_magic);
  d = good;
  d[2] = frame::frame_version + 1;
  EXPECT_EQ(verify(d).refusal, Refusal::unknown_version);
  d = good;
  d[3] = 99;
  EXPECT_EQ(verify(d).refusal, Refusal::unknown_kind);
  EXPECT_EQ(verify(test::seal_batch(test::make_batch(1), login_id ^ 1, 1, login_->key)).refusal,
            Refusal::unknown_session);
  expect_nothing_kept();
  EXPECT_EQ(login_->window.highest(), 0u);
}

TEST_F(CensusDatagramVerifier, RefusalsAfterTheLoginIsFoundSayWhyAndLeaveTheWindowAsItWas) {
  auto forged = sealed(test::make_batch(1), 5);
  forged.back() ^= 1;
  EXPECT_EQ(verify(forged).refusal, Refusal::bad_tag);
  EXPECT_EQ(verify(test::seal_batch(test::make_batch(1), login_id, 5, test::test_key(2))).refusal,
            Refusal::bad_tag);

  auto undecodable = sealed(test::make_batch(1), 5);
  undecodable[frame::header_size] = 0xff;  // not a valid protobuf tag
  test::resign(undecodable, login_->key);
  EXPECT_EQ(verify(undecodable).refusal, Refusal::undecodable);

  gatemeter_Ack ack = gatemeter_Ack_init_zero;
  std::vector<uint8_t> wrong(frame::max_frame_size);
  wrong.resize(frame::seal({frame::FrameKind::ack, login_id, 5}, &ack, login_->key, wrong.data(),
                           wrong.size()));
  EXPECT_EQ(verify(wrong).refusal, Refusal::wrong_kind);
  expect_nothing_kept();
  EXPECT_EQ(login_->window.highest(), 0u);  // none of them moved it: seq 5 is still new

  ASSERT_TRUE(verify(sealed(test::make_batch(1), 100)).accepted());
  batch_.clear();
  EXPECT_EQ(verify(sealed(test::make_batch(1), 100)).refusal, Refusal::replayed);
  EXPECT_EQ(verify(sealed(test::make_batch(1), 100 - frame::ReplayWindow::width)).refusal,
            Refusal::too_old);
  expect_nothing_kept();
  EXPECT_TRUE(verify(sealed(test::make_batch(1), 60)).accepted());  // within the window, unseen
}

}  // namespace
}  // namespace gm::host
