#include "host/billing/feed_webhook.h"

#include "host/billing/feed_file.h"

namespace gm::billing {

std::string webhook_body(const std::vector<host::FeedEvent>& events) {
  std::string out = "{\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? "," : "") + feed_line(events[i]);
  return out + "]}";
}

bool webhook_acknowledged(int status) {
  return status >= 200 && status <= 299;
}

FeedWebhook::FeedWebhook(std::string url, host::FeedOutbox& outbox, Poster post)
    : url_(std::move(url)), outbox_(outbox), post_(std::move(post)) {}

FeedWebhook::Outcome FeedWebhook::post_pending(int64_t now, size_t batch) {
  const auto events = outbox_.undelivered(host::FeedSink::webhook, batch);
  if (events.empty()) return {};
  const HttpAnswer answer = post_(url_, webhook_body(events));
  if (!webhook_acknowledged(answer.status))
    return {0, true,
            answer.status == 0 ? answer.error : "HTTP status " + std::to_string(answer.status)};
  std::vector<int64_t> ids;
  for (const host::FeedEvent& e : events) ids.push_back(e.id);
  // The receiver has them: a crash before this line posts them again (at least once).
  outbox_.mark_delivered(host::FeedSink::webhook, ids, now);
  return {ids.size(), false, ""};
}

}  // namespace gm::billing
