// The network management system's event for one ended session (SCHEMA.md, feed): one JSON
// line, written into `feed` by the transaction that ends the session, whichever that is (the
// census's commit of a STOP, the billing service's sweep of a stale or lost session), so every
// ended session reads alike downstream.
#pragma once

#include <cstdint>
#include <string>

#include "shared/record/usage_record.h"

namespace gm::host {

struct EndedSession {
  uint64_t session_id = 0;
  std::string subscriber, service;
  int32_t billing = 0;  // gatemeter.BillingOption
  uint64_t start_unix = 0;
  int64_t end_unix = 0;  // when the host ended it (the commit's or the sweep's time)
  UsageTotals totals;    // the final totals as stored
  int32_t stop_cause = 0;  // gatemeter.StopCause
  int64_t amount_micros = 0;  // everything charged
};

// {"session_id":..,"subscriber":"..","service":"..","billing":"prepaid","start_unix":..,
//  "end_unix":..,"charged_s":..,"free_s":..,"octets_in":..,"octets_out":..,
//  "stop_cause":"session_timeout","amount_micros":..}
std::string feed_event(const EndedSession& s);

}  // namespace gm::host
