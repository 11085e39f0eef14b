// The agent's side of authorisation with the billing servers of its login (LoginResponse.billing):
// AuthRequest and OfferRequest frames out, AuthResponse and OfferResponse frames back, all under
// the login's tag key. It carries requests and keeps them until they are answered; what an answer
// means for a session is the agent's business (Agent applies it).
//
// Requests: a fixed table (config::max_auth_requests) of requests awaiting an answer, one per
// session at most. Each is sent at once, then again every retransmit interval; after
// config::auth_tries_per_server sends to one billing server it moves to the next, and once every
// server the outage policy allows stayed silent it is given up and reported (flush()): under
// OUTAGE_TERMINATE only the primary is ever asked (RFC 4006: no failover), otherwise every
// server in order, starting at the one that answered last. A table that is full refuses a new
// request (table_full, counted and logged); the agent asks again later, never loses a session.
//
// Answers: an AuthResponse counts only if it names a session and request number this table is
// waiting for; the slot is freed when it matches, so a late, repeated or older answer finds
// nothing and changes nothing (`stale`). Each resend is a new frame (new sequence), so the
// billing server's replay window takes it; the answer's frame must carry the sequence of the
// request frame it answers (as the census's acks do), which keeps the agent's replay window
// correct whichever billing server answers, without the servers sharing any state. The agent's
// frames to billing servers are numbered on their own, from 1 at each login, apart from its
// metering batches to the census, and so are the answers' in the agent's window: an ack and an
// auth response may carry the same sequence and both are accepted, each in its own window.
//
// Offers: request_offers() sends one OfferRequest to the current billing server, once; the board
// asks again if no OfferResponse comes (a captive portal's page reload).
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/core/session_table.h"
#include "firmware/core/uplink.h"
#include "firmware/gatemeter_config.h"
#include "firmware/hal/log.h"
#include "gatemeter.pb.h"
#include "shared/frame/frame_codec.h"
#include "shared/proto/wire_limits.h"

namespace gm::core {

struct LoginGrant;

enum class AuthRequestResult : uint8_t {
  sent,             // on its way; the answer comes through on_datagram
  no_billing,       // the login listed no billing server: the board decides (Agent::authorise)
  unknown_session,  // no such session, or it is stopping
  not_authorising,  // the session is past authorisation: its updates are the agent's to ask
  table_full,       // config::max_auth_requests requests are waiting: ask again later
};

struct AuthClientStats {
  uint64_t requests = 0;        // requests asked (request numbers used)
  uint64_t frames_sent = 0;     // AuthRequest frames handed to the uplink, resends included
  uint64_t send_failures = 0;   // ... that the uplink could not take (counted as tries)
  uint64_t answers = 0;         // AuthResponses that matched a waiting request
  uint64_t answers_stale = 0;   // authentic, but for no waiting request: late, repeated, older
  uint64_t server_moves = 0;    // a request moved on to the next billing server
  uint64_t exhausted = 0;       // requests no allowed billing server answered
  uint64_t table_full = 0;      // requests refused for want of a slot
  uint64_t offer_requests = 0;
  uint64_t offer_responses = 0;
  uint64_t refused[static_cast<size_t>(frame::Refusal::count_)] = {};
};

class AuthClient {
 public:
  static constexpr size_t capacity = config::max_auth_requests;

  enum class Answer : uint8_t {
    none,    // refused (the Refusal says why)
    auth,    // response() answers a waiting request, now forgotten here: apply it
    offers,  // offer_response() holds the offers of a realm
    stale,   // authentic, but nothing waits for it
  };

  AuthClient(const SessionTable& table, hal::Log& log) : table_(table), log_(log) {}

  // A login: its billing servers (how many; the uplink holds their addresses), the gateway's
  // realm, offers and outage policy. Frames are numbered from 1 again under the new key, and
  // requests still waiting go again at the next flush, from their first try.
  void attach(const LoginGrant& grant, const frame::TagKey& key, Uplink& uplink, uint64_t now_ms);
  void detach() { uplink_ = nullptr; }
  // The login listed billing servers: sessions are authorised through them.
  bool enabled() const { return servers_ > 0; }
  uint32_t servers() const { return static_cast<uint32_t>(servers_); }

  // Sends the session's request number s.request now (the caller has numbered it), with the
  // account and address the subscriber gave ("" for updates), and again every retransmit_ms
  // (flush). Replaces a request of the same session that is still waiting (its answer is stale
  // from now on).
  AuthRequestResult ask(const Session& s, const char* account, const char* subscriber_address,
                        uint64_t now_ms, uint32_t retransmit_ms);
  bool waiting(uint64_t session_id) const { return find(session_id) != nullptr; }
  // The session ended: nothing waits for its answer any more.
  void cancel(uint64_t session_id);

  // Resends what is due and moves requests on to the next server. Requests that every allowed
  // server left unanswered are forgotten and their session ids written to `exhausted`; returns
  // how many.
  size_t flush(uint64_t now_ms, uint32_t retransmit_ms, uint64_t (&exhausted)[capacity]);

  // An auth_response or offer_response frame (the agent dispatches by kind). On Answer::auth the
  // request it answers has been forgotten.
  frame::Refusal on_datagram(const uint8_t* data, size_t length, Answer& answer);
  const gatemeter_AuthResponse& response() const { return response_; }
  const gatemeter_OfferResponse& offer_response() const { return offers_in_; }

  // One OfferRequest to the current billing server; false without billing servers or uplink.
  bool request_offers(const char* realm);

  // From the login: the gateway's own realm, what it offers and its outage policy.
  const char* realm() const { return realm_; }
  size_t offer_count() const { return offer_count_; }
  const gatemeter_Offer* offers() const { return offers_; }
  int32_t outage_policy() const { return outage_policy_; }
  size_t current_server() const { return current_; }
  const AuthClientStats& stats() const { return stats_; }

 private:
  struct Pending {
    uint64_t session_id = 0;  // 0: slot free
    uint64_t next_send_ms = 0;
    uint32_t request = 0;
    uint8_t server = 0;        // index into the uplink's billing servers
    uint8_t tries = 0;         // sends to `server` so far
    uint8_t servers_left = 0;  // servers still to try after this one
    char account[wire::max_account + 1] = {};
    char address[wire::max_subscriber_address + 1] = {};
  };

  Pending* find(uint64_t session_id);
  const Pending* find(uint64_t session_id) const;
  // Seals and sends one AuthRequest frame for p; false if the session is gone.
  bool send(Pending& p);
  size_t seal(frame::FrameKind kind, const void* msg);

  const SessionTable& table_;
  hal::Log& log_;
  Uplink* uplink_ = nullptr;
  uint64_t login_session_ = 0;
  frame::TagKey key_{};
  uint32_t frame_seq_ = 0;
  frame::ReplayWindow window_;  // answers from billing servers, apart from the census's acks
  size_t servers_ = 0;          // billing servers the login listed
  size_t current_ = 0;          // where new requests start: the server that answered last
  Pending pending_[capacity];
  AuthClientStats stats_;

  char realm_[wire::max_realm + 1] = {};
  gatemeter_Offer offers_[wire::max_offers] = {};
  size_t offer_count_ = 0;
  int32_t outage_policy_ = gatemeter_OutagePolicy_OUTAGE_TERMINATE;

  // Static-sized, reused: one request being sealed, one answer being opened.
  gatemeter_AuthRequest request_ = gatemeter_AuthRequest_init_zero;
  gatemeter_AuthResponse response_ = gatemeter_AuthResponse_init_zero;
  gatemeter_OfferResponse offers_in_ = gatemeter_OfferResponse_init_zero;
  uint8_t frame_[frame::overhead + frame::max_of(gatemeter_AuthRequest_size,
                                                 gatemeter_OfferRequest_size)] = {};
};

}  // namespace gm::core
