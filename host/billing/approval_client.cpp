#include "host/billing/approval_client.h"

#include "host/billing/http_post.h"
#include "host/store/json_text.h"

namespace gm::billing {

std::string inquiry_json(const ApprovalInquiry& q) {
  std::string out = "{";
  const std::pair<const char*, const std::string*> fields[] = {{"session", &q.session},
                                                               {"agent", &q.agent},
                                                               {"subscriber", &q.subscriber},
                                                               {"option", &q.option},
                                                               {"account", &q.account}};
  for (const auto& [name, value] : fields) {
    if (out.size() > 1) out += ',';
    out += host::json_string(name) + ":" + host::json_string(*value);
  }
  return out + "}";
}

std::string json_string_field(std::string_view body, std::string_view name) {
  // A flat object is all an approval system is asked to send: find "name", then : and a
  // string, reading its escapes (\uXXXX kept as is: reasons are for people).
  const std::string quoted = "\"" + std::string(name) + "\"";
  for (size_t at = body.find(quoted); at != std::string_view::npos;
       at = body.find(quoted, at + 1)) {
    size_t i = at + quoted.size();
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
      ++i;
    if (i >= body.size() || body[i] != ':') continue;  // a value that happens to read "name"
    ++i;
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
      ++i;
    if (i >= body.size() || body[i] != '"') return "";
    std::string value;
    for (++i; i < body.size() && body[i] != '"'; ++i) {
      if (body[i] == '\\' && i + 1 < body.size()) ++i;
      value += body[i];
    }
    return i < body.size() ? value : "";
  }
  return "";
}

ApprovalReply parse_approval_reply(std::string_view body) {
  const std::string decision = json_string_field(body, "decision");
  if (decision == "approve") return {ApprovalReply::Kind::approve, ""};
  if (decision == "reject") return {ApprovalReply::Kind::reject, json_string_field(body, "reason")};
  return {ApprovalReply::Kind::no_answer, "the reply says neither approve nor reject"};
}

ApprovalReply post_inquiry(const std::string& url, const std::string& body,
                           std::chrono::milliseconds timeout) {
  const HttpAnswer answer = post_json(url, body, timeout);
  if (answer.status == 0) return {ApprovalReply::Kind::no_answer, answer.error};
  if (answer.status != 200)
    return {ApprovalReply::Kind::no_answer, "HTTP status " + std::to_string(answer.status)};
  return parse_approval_reply(answer.body);
}

}  // namespace gm::billing
