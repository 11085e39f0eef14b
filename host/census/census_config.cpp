#include "host/census/census_config.h"

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
)";
}

}  // namespace gm::host
