#include "host/radius/accounting_record.h"

#include <cstring>

namespace gm::radius {

namespace {

bool integer(std::string_view v, uint32_t& out) {
  if (v.size() != 4) return false;
  const auto* b = reinterpret_cast<const uint8_t*>(v.data());
  out = static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
        static_cast<uint32_t>(b[2]) << 8 | b[3];
  return true;
}

bool text(std::string_view v, std::string& out) {
  if (v.empty() || std::memchr(v.data(), '\0', v.size()) != nullptr) return false;
  out.assign(v);
  return true;
}

}  // namespace

const char* refusal_name(AccountingRefusal r) {
  switch (r) {
    case AccountingRefusal::none: return "none";
    case AccountingRefusal::no_status_type: return "no_status_type";
    case AccountingRefusal::unknown_status: return "unknown_status";
    case AccountingRefusal::no_session_id: return "no_session_id";
    case AccountingRefusal::no_nas: return "no_nas";
    case AccountingRefusal::bad_integer: return "bad_integer";
    case AccountingRefusal::bad_text: return "bad_text";
  }
  return "?";
}

std::string nas_name(const std::string& identifier, uint32_t ip) {
  if (!identifier.empty()) return identifier;
  return std::to_string(ip >> 24) + "." + std::to_string(ip >> 16 & 0xff) + "." +
         std::to_string(ip >> 8 & 0xff) + "." + std::to_string(ip & 0xff);
}

std::string AccountingRecord::nas() const { return nas_name(nas_identifier, nas_ip); }

AccountingRefusal read_accounting(const Packet& request, int64_t arrival_unix,
                                  AccountingRecord& out) {
  out = AccountingRecord{};
  bool status = false, nas_ip = false;
  uint32_t in_low = 0, in_high = 0, out_low = 0, out_high = 0, delay = 0, stamp = 0;
  AccountingRefusal refused = AccountingRefusal::none;
  request.each_attribute([&](const Attribute& a) {
    if (refused != AccountingRefusal::none) return;
    uint32_t* number = nullptr;
    std::string* words = nullptr;
    switch (a.type) {
      case attr::acct_status_type: {
        uint32_t v = 0;
        if (!integer(a.value, v)) {
          refused = AccountingRefusal::bad_integer;
          return;
        }
        out.status = static_cast<Status>(v);
        status = true;
        return;
      }
      case attr::event_timestamp:
        out.has_event_timestamp = true;
        number = &stamp;
        break;
      case attr::nas_ip_address: nas_ip = true; number = &out.nas_ip; break;
      case attr::framed_ip_address: number = &out.framed_ip; break;
      case attr::acct_delay_time: number = &delay; break;
      case attr::acct_input_octets: number = &in_low; break;
      case attr::acct_output_octets: number = &out_low; break;
      case attr::acct_input_gigawords: number = &in_high; break;
      case attr::acct_output_gigawords: number = &out_high; break;
      case attr::acct_session_time: number = &out.session_time_s; break;
      case attr::acct_terminate_cause: number = &out.terminate_cause; break;
      case attr::acct_session_id: words = &out.session_id; break;
      case attr::user_name: words = &out.user_name; break;
      case attr::nas_identifier: words = &out.nas_identifier; break;
      case attr::operator_name: words = &out.operator_name; break;
      default: return;  // Vendor-Specific and the rest: not needed to account
    }
    if (number != nullptr && !integer(a.value, *number)) refused = AccountingRefusal::bad_integer;
    if (words != nullptr && !text(a.value, *words)) refused = AccountingRefusal::bad_text;
  });
  if (refused != AccountingRefusal::none) return refused;
  if (!status) return AccountingRefusal::no_status_type;
  switch (out.status) {
    case Status::start:
    case Status::stop:
    case Status::interim_update:
      if (out.session_id.empty()) return AccountingRefusal::no_session_id;
      break;
    case Status::accounting_on:
    case Status::accounting_off:
      break;
    default:
      return AccountingRefusal::unknown_status;
  }
  if (!nas_ip && out.nas_identifier.empty()) return AccountingRefusal::no_nas;
  out.input_octets = static_cast<uint64_t>(in_high) << 32 | in_low;
  out.output_octets = static_cast<uint64_t>(out_high) << 32 | out_low;
  out.event_unix = out.has_event_timestamp ? static_cast<int64_t>(stamp)
                                           : arrival_unix - static_cast<int64_t>(delay);
  out.delay_time_s = delay;
  out.start_unix = out.event_unix - static_cast<int64_t>(out.session_time_s);
  return AccountingRefusal::none;
}

}  // namespace gm::radius
