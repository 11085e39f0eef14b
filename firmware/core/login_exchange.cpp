#include "firmware/core/login_exchange.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>

namespace gm::core {

void LoginExchange::start(const AgentIdentity& identity, uint32_t boot_count, bool continuing,
                          hal::Rng& rng) {
  identity_ = &identity;
  boot_count_ = boot_count;
  continuing_ = continuing;
  rng_ = &rng;
  in_len_ = out_len_ = out_sent_ = 0;
  response_ = gatemeter_LoginResponse_init_zero;
  error_ = "";
  state_ = State::awaiting_challenge;
}

LoginExchange::State LoginExchange::on_bytes(const uint8_t* data, size_t length) {
  while (length > 0 && (state_ == State::awaiting_challenge || state_ == State::awaiting_response)) {
    const size_t take = length < sizeof in_ - in_len_ ? length : sizeof in_ - in_len_;
    std::memcpy(in_ + in_len_, data, take);
    in_len_ += take;
    data += take;
    length -= take;
    if (in_len_ < 2) continue;
    const size_t body = static_cast<size_t>(in_[0]) << 8 | in_[1];
    if (body > sizeof in_ - 2) return fail("oversized");
    if (in_len_ < 2 + body) {
      if (take == 0) return fail("oversized");
      continue;
    }
    const size_t extra = in_len_ - 2 - body;
    on_message(in_ + 2, body);
    // A well-behaved server sends nothing unasked; whatever follows is kept for the next step.
    std::memmove(in_, in_ + 2 + body, extra);
    in_len_ = extra;
  }
  return state_;
}

LoginExchange::State LoginExchange::on_message(const uint8_t* body, size_t length) {
  pb_istream_t in = pb_istream_from_buffer(body, length);
  if (state_ == State::awaiting_challenge) {
    gatemeter_LoginChallenge challenge = gatemeter_LoginChallenge_init_zero;
    if (!pb_decode(&in, gatemeter_LoginChallenge_fields, &challenge)) return fail("malformed");
    std::memcpy(server_nonce_, challenge.server_nonce, sizeof server_nonce_);
    if (!rng_->fill(client_nonce_, sizeof client_nonce_)) return fail("rng");

    gatemeter_LoginRequest req = gatemeter_LoginRequest_init_zero;
    copy_text(req.agent_id, sizeof req.agent_id, identity_->agent_id);
    std::memcpy(req.client_nonce, client_nonce_, sizeof req.client_nonce);
    if (!login::agent_proof(identity_->credential, sizeof identity_->credential, server_nonce_,
                            client_nonce_, req.agent_id, req.proof))
      return fail("proof");
    req.components_count = static_cast<pb_size_t>(identity_->component_count);
    for (size_t i = 0; i < identity_->component_count; ++i) req.components[i] = identity_->components[i];
    req.boot_count = boot_count_;
    req.continuing = continuing_;

    pb_ostream_t out = pb_ostream_from_buffer(out_ + 2, sizeof out_ - 2);
    if (!pb_encode(&out, gatemeter_LoginRequest_fields, &req)) return fail("encode");
    out_[0] = static_cast<uint8_t>(out.bytes_written >> 8);
    out_[1] = static_cast<uint8_t>(out.bytes_written);
    out_len_ = 2 + out.bytes_written;
    out_sent_ = 0;
    return state_ = State::awaiting_response;
  }

  if (!pb_decode(&in, gatemeter_LoginResponse_fields, &response_)) return fail("malformed");
  switch (wire_enum(response_.status)) {
    case gatemeter_LoginStatus_LOGIN_OK: break;
    case gatemeter_LoginStatus_LOGIN_BAD_CREDENTIAL: return fail("bad_credential");
    case gatemeter_LoginStatus_LOGIN_UNKNOWN_AGENT: return fail("unknown_agent");
    case gatemeter_LoginStatus_LOGIN_DISABLED: return fail("disabled");
    default: return fail("refused");
  }
  uint8_t expected[login::proof_size];
  if (!login::server_proof(identity_->credential, sizeof identity_->credential, server_nonce_,
                           client_nonce_, identity_->agent_id, expected) ||
      !login::proofs_equal(expected, response_.server_proof))
    return fail("server_proof");
  if (response_.login_session_id == 0) return fail("malformed");
  return state_ = State::done;
}

LoginGrant LoginExchange::grant() const {
  LoginGrant g;
  g.login_session = response_.login_session_id;
  std::memcpy(g.session_key, response_.session_key, sizeof g.session_key);
  g.interval_s = response_.metering_interval_s;
  g.track_usage = response_.track_usage;
  g.lifetime_s = response_.login_lifetime_s;
  g.billing_count = response_.billing_count;
  for (size_t i = 0; i < g.billing_count; ++i)
    copy_text(g.billing[i], sizeof g.billing[i], response_.billing[i]);
  copy_text(g.realm, sizeof g.realm, response_.realm);
  g.offer_count = response_.offers_count;
  for (size_t i = 0; i < g.offer_count; ++i) g.offers[i] = response_.offers[i];
  const int32_t policy = wire_enum(response_.outage_policy);
  // An unknown policy (a newer login service) is read as the strictest.
  g.outage_policy = policy >= 0 && policy < _gatemeter_OutagePolicy_ARRAYSIZE
                        ? policy
                        : static_cast<int32_t>(gatemeter_OutagePolicy_OUTAGE_TERMINATE);
  return g;
}

}  // namespace gm::core
