// The RADIUS packet codec (host/radius/radius_packet.h): layout refusals, the Request
// Authenticator checked and the Response Authenticator written; and against Debian's radclient,
// which sends real Accounting-Requests here and itself checks every response we write (with a
// wrong secret it must refuse ours, and we its).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "host/radius/accounting_record.h"
#include "host/radius/radius_packet.h"
#include "tests/support/radclient.h"
#include "tests/support/radius_request.h"
#include "tests/support/radius_responder.h"

namespace gm::radius {
namespace {

using test::have_radclient;
using test::RadiusRequest;

std::vector<uint8_t> sample(std::string_view secret = "s3cret") {
  return RadiusRequest(7)
      .integer(attr::acct_status_type, 3)
      .text(attr::acct_session_id, "sess-1")
      .text(attr::user_name, "ann@isp.example")
      .text(attr::nas_identifier, "nas-1")
      .sealed(secret);
}

TEST(RadiusPacket, AnAuthenticRequestParsesAndItsAttributesReadBackInOrder) {
  const auto bytes = sample();
  Packet p;
  ASSERT_EQ(parse(bytes.data(), bytes.size(), p), Refusal::none);
  EXPECT_EQ(p.code, Code::accounting_request);
  EXPECT_EQ(p.identifier, 7);
  EXPECT_EQ(p.length, bytes.size());
  EXPECT_TRUE(request_authentic(p, "s3cret"));
  std::vector<uint8_t> types;
  p.each_attribute([&](const Attribute& a) { types.push_back(a.type); });
  EXPECT_EQ(types, (std::vector<uint8_t>{attr::acct_status_type, attr::acct_session_id,
                                         attr::user_name, attr::nas_identifier}));
}

TEST(RadiusPacket, AnotherSecretOrAnyChangedOctetFailsTheAuthenticator) {
  const auto bytes = sample();
  Packet p;
  ASSERT_EQ(parse(bytes.data(), bytes.size(), p), Refusal::none);
  EXPECT_FALSE(request_authentic(p, "other"));
  EXPECT_FALSE(request_authentic(p, ""));
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 2 || i == 3) continue;  // the length: a changed one fails parse() instead
    auto changed = bytes;
    changed[i] ^= 0x01;
    Packet q;
    if (parse(changed.data(), changed.size(), q) != Refusal::none) continue;
    EXPECT_FALSE(request_authentic(q, "s3cret")) << "octet " << i;
  }
}

TEST(RadiusPacket, EveryLayoutFaultIsRefusedByName) {
  const auto good = sample();
  Packet p;
  EXPECT_EQ(parse(good.data(), 19, p), Refusal::too_short);
  auto at = [&](size_t i, uint8_t v) {
    auto b = good;
    b[i] = v;
    return b;
  };
  auto refusal = [&](const std::vector<uint8_t>& b) { return parse(b.data(), b.size(), p); };
  EXPECT_EQ(refusal(at(3, 19)), Refusal::bad_length);                           // below 20
  EXPECT_EQ(refusal(at(3, static_cast<uint8_t>(good.size() + 1))), Refusal::bad_length);
  EXPECT_EQ(refusal(at(2, 0x10)), Refusal::bad_length);                         // above 4096
  EXPECT_EQ(refusal(at(21, 1)), Refusal::bad_attribute);                        // length 1
  EXPECT_EQ(refusal(at(21, 0)), Refusal::bad_attribute);
  EXPECT_EQ(refusal(at(21, 200)), Refusal::bad_attribute);                      // past the end
  auto truncated = good;
  truncated[3] = static_cast<uint8_t>(good.size() - 1);  // the last attribute cut short
  EXPECT_EQ(refusal(truncated), Refusal::bad_attribute);
  // Octets past Length are padding (RFC 2865 section 3), not refused.
  auto padded = good;
  padded.push_back(0xee);
  ASSERT_EQ(refusal(padded), Refusal::none);
  EXPECT_EQ(p.length, good.size());
  EXPECT_TRUE(request_authentic(p, "s3cret"));
  for (size_t r = 0; r < refusal_count; ++r)
    EXPECT_STRNE(refusal_name(static_cast<Refusal>(r)), "?");
}

TEST(RadiusPacket, TheResponseCarriesTheIdentifierAndAnAuthenticatorOverTheRequests) {
  const auto bytes = sample();
  Packet p;
  ASSERT_EQ(parse(bytes.data(), bytes.size(), p), Refusal::none);
  uint8_t out[header_size];
  EXPECT_EQ(accounting_response(p, "s3cret", out, sizeof out - 1), 0u);
  ASSERT_EQ(accounting_response(p, "s3cret", out, sizeof out), header_size);
  EXPECT_EQ(out[0], static_cast<uint8_t>(Code::accounting_response));
  EXPECT_EQ(out[1], 7);
  EXPECT_EQ(out[3], header_size);
  uint8_t other[header_size];
  accounting_response(p, "other", other, sizeof other);
  EXPECT_NE(std::vector<uint8_t>(out + 4, out + 20), std::vector<uint8_t>(other + 4, other + 20));
}

// Answers what radclient sends as an accounting server would: checked under the server's
// secret, read as accounting and, if authentic, answered.
class Responder {
 public:
  explicit Responder(std::string secret)
      : secret_(std::move(secret)), server_([this](const Packet& p) { return answer(p); }) {}
  void finish() { server_.finish(); }
  uint16_t port() const { return server_.port(); }
  std::atomic<int> authentic{0}, forged{0};
  AccountingRecord last;  // read after finish()

 private:
  std::vector<uint8_t> answer(const Packet& packet) {
    if (!request_authentic(packet, secret_)) {
      ++forged;
      return {};
    }
    ++authentic;
    read_accounting(packet, 1'000'000, last);
    std::vector<uint8_t> out(header_size);
    accounting_response(packet, secret_, out.data(), out.size());
    return out;
  }
  std::string secret_;
  test::RadiusResponder server_;
};

constexpr const char* interim =
    "User-Name=ann@isp.example,Acct-Status-Type=Interim-Update,Acct-Session-Id=abc123,"
    "Acct-Session-Time=60,Acct-Input-Octets=1000,Acct-Input-Gigawords=1,"
    "Acct-Output-Octets=2000,NAS-Identifier=nas-1,Event-Timestamp=1796032800";

TEST(RadiusPacket, RadclientsRequestIsAuthenticAndItAcceptsOurResponse) {
  if (!have_radclient()) GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
  Responder server("s3cret");
  const auto [status, out] = test::radclient(server.port(), "s3cret", {interim});
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Received Accounting-Response"), std::string::npos) << out;
  EXPECT_EQ(server.authentic, 1);
  EXPECT_EQ(server.forged, 0);
}

TEST(RadiusPacket, WithAnotherSecretNeitherSideAcceptsTheOther) {
  if (!have_radclient()) GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
  Responder server("s3cret");
  const auto [status, out] = test::radclient(server.port(), "wrong", {interim});
  EXPECT_NE(status, 0) << out;  // nothing answered it
  EXPECT_EQ(server.authentic, 0);
  EXPECT_GE(server.forged, 1);  // each try refused
}

TEST(RadiusPacket, WhatRadclientSendsReadsAsTheAccountingItNamed) {
  if (!have_radclient()) GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
  Responder server("s3cret");
  const auto [status, out] = test::radclient(server.port(), "s3cret", {interim});
  ASSERT_EQ(status, 0) << out;
  server.finish();
  const AccountingRecord& r = server.last;
  EXPECT_EQ(r.status, Status::interim_update);
  EXPECT_EQ(r.session_id, "abc123");
  EXPECT_EQ(r.user_name, "ann@isp.example");
  EXPECT_EQ(r.nas(), "nas-1");
  EXPECT_EQ(r.session_time_s, 60u);
  EXPECT_EQ(r.input_octets, (1ull << 32) + 1000);
  EXPECT_EQ(r.output_octets, 2000u);
  EXPECT_TRUE(r.has_event_timestamp);
  EXPECT_EQ(r.event_unix, 1'796'032'800);
  EXPECT_EQ(r.start_unix, 1'796'032'740);
}

}  // namespace
}  // namespace gm::radius
