#include "shared/proto/wire_limits.h"

#include <gtest/gtest.h>
#include <pb_decode.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace gm::wire;

namespace {

template <typename T, size_t N>
constexpr size_t count_of(const T (&)[N]) {
  return N;
}

TEST(WireLimits, EqualTheGeneratedFields) {
  const gatemeter_LoginRequest req{};
  EXPECT_EQ(max_agent_id + 1, sizeof req.agent_id);
  EXPECT_EQ(max_components, count_of(req.components));
  EXPECT_EQ(max_component_name + 1, sizeof req.components[0].name);
  const gatemeter_LoginResponse resp{};
  EXPECT_EQ(max_census, count_of(resp.census));
  EXPECT_EQ(max_census_address + 1, sizeof resp.census[0]);
  EXPECT_EQ(max_updates, count_of(resp.updates));
  EXPECT_EQ(max_component_name + 1, sizeof resp.updates[0].name);
  EXPECT_EQ(max_location + 1, sizeof resp.updates[0].location);
  const gatemeter_Command command{};
  EXPECT_EQ(max_component_name + 1, sizeof command.component);
  const gatemeter_MeteringBatch batch{};
  EXPECT_EQ(max_batch_records, count_of(batch.records));
  EXPECT_EQ(max_confirmed_commands, count_of(batch.confirmed_commands));
  const gatemeter_Ack ack{};
  EXPECT_EQ(max_ack_records, count_of(ack.records));
  EXPECT_EQ(max_ack_commands, count_of(ack.commands));
  const gatemeter_UsageRecord record{};
  EXPECT_EQ(max_subscriber + 1, sizeof record.subscriber);
  EXPECT_EQ(max_service + 1, sizeof record.service);
  const gatemeter_AuthRequest auth{};
  EXPECT_EQ(max_account + 1, sizeof auth.account);
  EXPECT_EQ(max_subscriber + 1, sizeof auth.subscriber);
  const gatemeter_OfferRequest offers{};
  EXPECT_EQ(max_realm + 1, sizeof offers.realm);
  const gatemeter_Offer offer{};
  EXPECT_EQ(max_offer_label + 1, sizeof offer.label);
  EXPECT_EQ(max_offer_terms + 1, sizeof offer.terms);
}

// Protobuf by hand, so that a message can hold more than the generated struct could encode.
void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<uint8_t>(v | 0x80));
  out.push_back(static_cast<uint8_t>(v));
}

std::vector<uint8_t> repeated(uint32_t tag, size_t times, const std::string& body = "") {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < times; ++i) {
    put_varint(out, tag << 3 | 2);  // length-delimited: strings and sub-messages
    put_varint(out, body.size());
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

template <typename Msg>
bool decodes(const pb_msgdesc_t* fields, const std::vector<uint8_t>& in) {
  Msg m{};
  pb_istream_t s = pb_istream_from_buffer(in.data(), in.size());
  return pb_decode(&s, fields, &m);
}

// What the agent and the servers check against is what the decoder enforces: the limit itself
// decodes, one more does not.
TEST(WireLimits, TheDecoderTakesEachLimitAndRefusesOneMore) {
  const auto request = [](const std::vector<uint8_t>& in) {
    return decodes<gatemeter_LoginRequest>(gatemeter_LoginRequest_fields, in);
  };
  const auto response = [](const std::vector<uint8_t>& in) {
    return decodes<gatemeter_LoginResponse>(gatemeter_LoginResponse_fields, in);
  };
  const auto update = [](const std::vector<uint8_t>& in) {
    return decodes<gatemeter_ComponentUpdate>(gatemeter_ComponentUpdate_fields, in);
  };
  for (size_t over : {0, 1}) {
    SCOPED_TRACE(over ? "one over" : "at the limit");
    const bool fits = over == 0;
    EXPECT_EQ(request(repeated(gatemeter_LoginRequest_agent_id_tag, 1,
                               std::string(max_agent_id + over, 'g'))),
              fits);
    EXPECT_EQ(request(repeated(gatemeter_LoginRequest_components_tag, max_components + over)),
              fits);
    EXPECT_EQ(response(repeated(gatemeter_LoginResponse_census_tag, max_census + over, "c")), fits);
    EXPECT_EQ(response(repeated(gatemeter_LoginResponse_census_tag, 1,
                                std::string(max_census_address + over, 'c'))),
              fits);
    EXPECT_EQ(response(repeated(gatemeter_LoginResponse_updates_tag, max_updates + over)), fits);
    EXPECT_EQ(update(repeated(gatemeter_ComponentUpdate_name_tag, 1,
                              std::string(max_component_name + over, 'n'))),
              fits);
    EXPECT_EQ(update(repeated(gatemeter_ComponentUpdate_location_tag, 1,
                              std::string(max_location + over, 'l'))),
              fits);
    EXPECT_EQ(decodes<gatemeter_MeteringBatch>(
                  gatemeter_MeteringBatch_fields,
                  repeated(gatemeter_MeteringBatch_records_tag, max_batch_records + over)),
              fits);
    // What billingctl lets an operator write into an offer is what the agent can receive.
    const auto offer = [](const std::vector<uint8_t>& in) {
      return decodes<gatemeter_Offer>(gatemeter_Offer_fields, in);
    };
    EXPECT_EQ(offer(repeated(gatemeter_Offer_label_tag, 1, std::string(max_offer_label + over, 'l'))),
              fits);
    EXPECT_EQ(offer(repeated(gatemeter_Offer_terms_tag, 1, std::string(max_offer_terms + over, 't'))),
              fits);
    EXPECT_EQ(decodes<gatemeter_Ack>(gatemeter_Ack_fields,
                                     repeated(gatemeter_Ack_commands_tag, max_ack_commands + over)),
              fits);
  }
}

}  // namespace
