// Asking a realm's approval system about a session (BILLING.md, "Authorisation and grants", 6):
// one HTTP/1.1 POST of a JSON inquiry to the realm's approval_url, answered with
// {"decision":"approve"} or {"decision":"reject","reason":"..."}. Anything else (no connection,
// a timeout, another status, a body that says neither) is no answer, which the billing server
// retries with backoff until the session's temporary period ends, when it counts as a reject.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace gm::billing {

struct ApprovalInquiry {
  std::string session;  // the agent's session id, 16 hex digits
  std::string agent;    // the agent's id
  std::string subscriber, option, account;
};

struct ApprovalReply {
  enum class Kind { approve, reject, no_answer };
  Kind kind = Kind::no_answer;
  std::string reason;  // a reject's, or why there was no answer
};

// {"session":"...","agent":"...","subscriber":"...","option":"...","account":"..."}, escaped.
std::string inquiry_json(const ApprovalInquiry& inquiry);
// The reply's body read: "decision" approve or reject (with "reason"), else no_answer.
ApprovalReply parse_approval_reply(std::string_view body);
// The value of a top-level string field of a flat JSON object ("" if absent or not a string).
std::string json_string_field(std::string_view body, std::string_view name);

// POSTs `body` to `url` (http://host[:port]/path; https is not spoken) with Content-Type
// application/json; each step (resolve and connect, write, read) within `timeout`.
ApprovalReply post_inquiry(const std::string& url, const std::string& body,
                           std::chrono::milliseconds timeout);

}  // namespace gm::billing
