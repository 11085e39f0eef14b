#include "firmware/core/auth_client.h"

#include "firmware/core/agent.h"

namespace gm::core {

void AuthClient::attach(const LoginGrant& grant, const frame::TagKey& key, Uplink& uplink,
                        uint64_t now_ms) {
  uplink_ = &uplink;
  login_session_ = grant.login_session;
  key_ = key;
  frame_seq_ = 0;
  window_.reset();
  servers_ = grant.billing_count;
  current_ = 0;
  copy_text(realm_, sizeof realm_, grant.realm);
  offer_count_ = grant.offer_count < wire::max_offers ? grant.offer_count : wire::max_offers;
  for (size_t i = 0; i < offer_count_; ++i) offers_[i] = grant.offers[i];
  outage_policy_ = grant.outage_policy;
  if (uplink.billing_count() < servers_)
    log_.write(hal::LogLevel::error, "auth.billing_servers_missing",
               static_cast<int64_t>(servers_), static_cast<int64_t>(uplink.billing_count()));
  // The answers to what was sent under the old login are refused from now on (another key):
  // what still waits goes again under this one, as if new, to the primary first.
  for (Pending& p : pending_) {
    if (p.session_id == 0) continue;
    p.next_send_ms = now_ms;
    p.tries = 0;
    p.server = 0;
    p.servers_left = 0;
    const Session* s = table_.find(p.session_id);
    if (s != nullptr && s->outage_policy() != gatemeter_OutagePolicy_OUTAGE_TERMINATE &&
        servers_ > 0)
      p.servers_left = static_cast<uint8_t>(servers_ - 1);
  }
}

// Session ids are never 0, so 0 marks a free slot and finds nothing here.
AuthClient::Pending* AuthClient::find(uint64_t session_id) {
  return const_cast<Pending*>(static_cast<const AuthClient*>(this)->find(session_id));
}

const AuthClient::Pending* AuthClient::find(uint64_t session_id) const {
  for (const Pending& p : pending_)
    if (p.session_id == session_id && session_id != 0) return &p;
  return nullptr;
}

void AuthClient::cancel(uint64_t session_id) {
  if (Pending* p = find(session_id)) *p = Pending{};
}

AuthRequestResult AuthClient::ask(const Session& s, const char* account,
                                  const char* subscriber_address, uint64_t now_ms,
                                  uint32_t retransmit_ms) {
  if (!enabled()) return AuthRequestResult::no_billing;
  Pending* p = find(s.id);
  for (size_t i = 0; i < capacity && p == nullptr; ++i)
    if (pending_[i].session_id == 0) p = &pending_[i];
  if (p == nullptr) {
    ++stats_.table_full;
    log_.write(hal::LogLevel::warning, "auth.requests_full", static_cast<int64_t>(capacity),
               static_cast<int64_t>(s.id));
    return AuthRequestResult::table_full;
  }
  *p = Pending{};
  p->session_id = s.id;
  p->request = s.request;
  copy_text(p->account, sizeof p->account, account != nullptr ? account : "");
  copy_text(p->address, sizeof p->address, subscriber_address != nullptr ? subscriber_address : "");
  // RFC 4006's TERMINATE asks the primary alone; the others go round every server once, from
  // the one that answered last, so an outage of the primary costs each request nothing.
  if (s.outage_policy() == gatemeter_OutagePolicy_OUTAGE_TERMINATE) {
    p->server = 0;
  } else {
    p->server = static_cast<uint8_t>(current_ < servers_ ? current_ : 0);
    p->servers_left = static_cast<uint8_t>(servers_ - 1);
  }
  ++stats_.requests;
  // The first try goes at once: a subscriber waits in the walled garden for it.
  p->tries = 1;
  p->next_send_ms = now_ms + retransmit_ms;
  send(*p);
  return AuthRequestResult::sent;
}

size_t AuthClient::flush(uint64_t now_ms, uint32_t retransmit_ms, uint64_t (&exhausted)[capacity]) {
  size_t n = 0;
  for (Pending& p : pending_) {
    if (p.session_id == 0 || now_ms < p.next_send_ms) continue;
    if (p.tries >= config::auth_tries_per_server || servers_ == 0) {
      if (p.servers_left == 0 || servers_ == 0) {
        ++stats_.exhausted;
        log_.write(hal::LogLevel::warning, "auth.billing_silent", static_cast<int64_t>(p.session_id),
                   p.request);
        exhausted[n++] = p.session_id;
        p = Pending{};
        continue;
      }
      --p.servers_left;
      p.server = static_cast<uint8_t>((p.server + 1) % servers_);
      p.tries = 0;
      ++stats_.server_moves;
      log_.write(hal::LogLevel::warning, "auth.billing_failover", static_cast<int64_t>(p.session_id),
                 p.server);
    }
    ++p.tries;
    p.next_send_ms = now_ms + retransmit_ms;
    if (!send(p)) p = Pending{};  // the session is gone: nobody waits for the answer
  }
  return n;
}

size_t AuthClient::seal(frame::FrameKind kind, const void* msg) {
  const frame::Header h{kind, login_session_, ++frame_seq_};
  return frame::seal(h, msg, key_, frame_, sizeof frame_);
}

bool AuthClient::send(Pending& p) {
  const Session* s = table_.find(p.session_id);
  if (s == nullptr || s->state == SessionState::stopping) return false;
  request_ = gatemeter_AuthRequest_init_zero;
  request_.session_id = s->id;
  copy_text(request_.subscriber, sizeof request_.subscriber, s->subscriber);
  copy_text(request_.service, sizeof request_.service, table_.service_name(s->service));
  request_.billing = static_cast<gatemeter_BillingOption>(s->billing);
  copy_text(request_.account, sizeof request_.account, p.account);
  copy_text(request_.subscriber_address, sizeof request_.subscriber_address, p.address);
  request_.request = p.request;
  const size_t n = uplink_ != nullptr ? seal(frame::FrameKind::auth_request, &request_) : 0;
  // A try that could not even leave counts as one: an uplink that stays down runs the requests
  // out on the same schedule as silent servers, so the outage policy decides just as soon.
  if (n != 0 && uplink_->send_billing(p.server, frame_, n))
    ++stats_.frames_sent;
  else
    ++stats_.send_failures;
  return true;
}

bool AuthClient::request_offers(const char* realm) {
  if (!enabled() || uplink_ == nullptr) return false;
  gatemeter_OfferRequest req = gatemeter_OfferRequest_init_zero;
  copy_text(req.realm, sizeof req.realm, realm != nullptr ? realm : "");
  const size_t n = seal(frame::FrameKind::offer_request, &req);
  if (n == 0 || !uplink_->send_billing(current_ < servers_ ? current_ : 0, frame_, n)) return false;
  ++stats_.offer_requests;
  return true;
}

frame::Refusal AuthClient::on_datagram(const uint8_t* data, size_t length, Answer& answer) {
  answer = Answer::none;
  frame::Header h;
  frame::Refusal r = frame::peek(data, length, h);
  if (r == frame::Refusal::none && (uplink_ == nullptr || h.login_session != login_session_))
    r = frame::Refusal::unknown_session;
  if (r == frame::Refusal::none) {
    if (h.kind == frame::FrameKind::auth_response) {
      response_ = gatemeter_AuthResponse_init_zero;
      r = frame::open(data, length, h, key_, window_, h.kind, &response_);
    } else if (h.kind == frame::FrameKind::offer_response) {
      offers_in_ = gatemeter_OfferResponse_init_zero;
      r = frame::open(data, length, h, key_, window_, h.kind, &offers_in_);
    } else {
      r = frame::Refusal::wrong_kind;
    }
  }
  if (r != frame::Refusal::none) {
    ++stats_.refused[static_cast<size_t>(r)];
    return r;
  }
  if (h.kind == frame::FrameKind::offer_response) {
    ++stats_.offer_responses;
    answer = Answer::offers;
    return r;
  }
  Pending* p = find(response_.session_id);
  if (p == nullptr || p->request != response_.request) {
    ++stats_.answers_stale;
    answer = Answer::stale;
    return r;
  }
  ++stats_.answers;
  current_ = p->server;  // it answered (or the one before it, late): start there next time
  *p = Pending{};
  answer = Answer::auth;
  return r;
}

}  // namespace gm::core
