// One service of gatemeter-server (login, census; billing, radius and web to come): what the
// server starts from its `services` list, stops on a signal, and scrapes for metrics.
#pragma once

#include <string>

#include "host/metrics/prometheus_text.h"

namespace gm::host {

class Service {
 public:
  virtual ~Service() = default;
  virtual const char* name() const = 0;
  // Binds and starts; throws std::runtime_error naming the setting or address at fault.
  virtual void start() = 0;
  // Stops taking work and finishes what was taken (the census commits and acknowledges).
  virtual void stop() = 0;
  // The one line the server prints once the service runs ("census: listening on ...").
  virtual std::string started_line() const = 0;
  // The port it listens on (for the server's `ready` line; 0 if none).
  virtual unsigned port() const = 0;
  // The port of an HTTP API beside it (billing: the service manager's), 0 if none.
  virtual unsigned api_port() const { return 0; }
  // The port of a second protocol beside it (radius: authentication), 0 if none.
  virtual unsigned auth_port() const { return 0; }
  virtual void write_metrics(PrometheusText& out) const = 0;
  // The line printed after stop() (totals), or empty.
  virtual std::string stopped_line() const { return {}; }
};

}  // namespace gm::host
