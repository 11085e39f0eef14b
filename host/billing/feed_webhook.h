// The network management feed as an HTTP webhook: the events the outbox has not posted yet, in
// id order, POSTed in batches of at most 100 as
//
//   {"events":[{"id":17,"agent":"gw-1","created_unix":1796032800,"session":{...}}, ...]}
//
// (each event as the JSON-lines file has it, feed_file.h). A 2xx answer acknowledges the whole
// batch, which is then marked posted; anything else (no connection, a timeout, another status)
// marks nothing and the batch is posted again later. At least once: a crash between the answer
// and the mark, or an answer lost on the way, posts a batch again, so the receiver drops the
// event ids it already has.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/billing/http_post.h"
#include "host/store/feed_outbox.h"

namespace gm::billing {

std::string webhook_body(const std::vector<host::FeedEvent>& events);
// Only a 2xx answer says the receiver has the events.
bool webhook_acknowledged(int status);

class FeedWebhook {
 public:
  // Sends one request (post_json in the service; a stand-in in tests).
  using Poster = std::function<HttpAnswer(const std::string& url, const std::string& body)>;
  FeedWebhook(std::string url, host::FeedOutbox& outbox, Poster post);

  struct Outcome {
    size_t posted = 0;    // events acknowledged and marked
    bool failed = false;  // a batch was not acknowledged (why says how)
    std::string why;
  };
  // Posts the oldest unposted events (at most `batch`) once.
  Outcome post_pending(int64_t now_unix, size_t batch = 100);

 private:
  std::string url_;
  host::FeedOutbox& outbox_;
  Poster post_;
};

}  // namespace gm::billing
