// One HTTP/1.1 POST of a JSON body (Boost.Beast), for the billing service's outgoing calls: a
// realm's approval endpoint (approval_client.h) and the network management feed's webhook
// (feed_webhook.h). http:// only (no TLS to those systems yet).
#pragma once

#include <chrono>
#include <string>

namespace gm::billing {

struct HttpUrl {
  std::string host, port, target;
};
// http://host[:port][/path]; false for anything else (https included).
bool parse_http_url(const std::string& url, HttpUrl& out);

struct HttpAnswer {
  int status = 0;     // the response's status; 0: none came (error says why)
  std::string body;   // the response's body
  std::string error;  // why there was no response
};

// POSTs `body` to `url` with Content-Type application/json and Connection: close; each step
// (resolve and connect, write, read) within `timeout`, the whole within 4 x `timeout`.
HttpAnswer post_json(const std::string& url, const std::string& body,
                     std::chrono::milliseconds timeout);

}  // namespace gm::billing
