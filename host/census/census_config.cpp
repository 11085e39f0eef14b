#include "host/census/census_config.h"

#include "host/billing/time_zone.h"

namespace gm::host {

bool apply_census_setting(CensusSettings& s, const Setting& v) {
  if (v.name == "census_listen") {
    const Endpoint e = v.endpoint();
    s.listen_ip = e.ip;
    s.port = e.port;
  } else if (v.name == "census_threads") {
    s.threads = static_cast<unsigned>(v.number(0, 64));
  } else if (v.name == "max_queued_records") {
    s.max_queued_records = v.number(64, 1u << 24);
  } else if (v.name == "receive_buffer_bytes") {
    s.receive_buffer_bytes = static_cast<int>(v.number(4096, 1u << 30));
  } else if (v.name == "census_rating") {
    s.rating = v.boolean();
  } else if (v.name == "census_settlement") {
    s.settlement.on = v.boolean();
  } else if (v.name == "census_settlement_server") {
    if (v.value.empty() || v.value.size() > 253)
      v.bad(
          "expected this operator's server id as the settlement directory names it "
          "(settlectl server set ID PROVIDER)");
    for (const char c : v.value)
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
        v.bad("expected a server id without spaces or control characters");
    s.settlement.local_server = v.value;
  } else if (v.name == "census_settlement_time_zone") {
    if (v.value.empty()) v.bad("expected a tzdata zone name such as Australia/Sydney");
    try {
      (void)billing::TimeZone::load(v.value);
    } catch (const std::exception& e) {
      v.bad(e.what());
    }
    s.settlement.time_zone = v.value;
  } else {
    return false;
  }
  return true;
}

std::string census_settings_help() {
  return R"(census:
  census_listen        ip:port                                   (127.0.0.1:7100)
  census_threads       receive sockets/threads, 0 = one per core (0)
  max_queued_records   verified records awaiting commit, at most (65536)
  receive_buffer_bytes SO_RCVBUF per census socket               (8388608)
  census_rating        price linked sessions and debit accounts in each commit (true)
  census_settlement    keep each ended roaming session (BILLING_ROAMING) as a raw
                       settlement record, in the transaction that ends it: the census's
                       commit of its STOP, the billing sweep's close, a restart's login
                       (false)
  census_settlement_server  this operator's server id in the settlement directory: the
                       records' local server (required with census_settlement)
  census_settlement_time_zone  tzdata zone of the records' local stop times (UTC)
)";
}

}  // namespace gm::host
