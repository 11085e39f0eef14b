// What one authentic Accounting-Request says (RFC 2866 section 5, RFC 2869 section 5.3 for
// the Gigawords and Event-Timestamp): a plain function, no I/O, so every rule is unit-tested.
//
// The counters come back 64 bits wide (Acct-Input-Gigawords counts the 2^32 wraps of
// Acct-Input-Octets); the event's time is Event-Timestamp when the NAS sent one, else the
// arrival less Acct-Delay-Time; the session's start is that time less Acct-Session-Time, which
// with the NAS and Acct-Session-Id names the session even when a rebooted NAS reuses the id.
#pragma once

#include <cstdint>
#include <string>

#include "host/radius/radius_packet.h"

namespace gm::radius {

// Acct-Status-Type values (RFC 2866 section 5.1).
enum class Status : uint32_t {
  start = 1,
  stop = 2,
  interim_update = 3,
  accounting_on = 7,
  accounting_off = 8,
};

// RFC 2865 / 2866 / 2869 attribute types read here.
namespace attr {
inline constexpr uint8_t user_name = 1;
inline constexpr uint8_t nas_ip_address = 4;
inline constexpr uint8_t framed_ip_address = 8;
inline constexpr uint8_t nas_identifier = 32;
inline constexpr uint8_t acct_status_type = 40;
inline constexpr uint8_t acct_delay_time = 41;
inline constexpr uint8_t acct_input_octets = 42;
inline constexpr uint8_t acct_output_octets = 43;
inline constexpr uint8_t acct_session_id = 44;
inline constexpr uint8_t acct_session_time = 46;
inline constexpr uint8_t acct_terminate_cause = 49;
inline constexpr uint8_t acct_input_gigawords = 52;
inline constexpr uint8_t acct_output_gigawords = 53;
inline constexpr uint8_t operator_name = 126;  // RFC 5580: the access network's owner
inline constexpr uint8_t event_timestamp = 55;
}  // namespace attr

// Why an authentic Accounting-Request is not applied, each counted by name. It is not answered
// either: RFC 2866 section 4.1 forbids a response to what was not recorded, and a NAS that
// keeps resending it shows its operator the fault.
enum class AccountingRefusal : uint8_t {
  none,
  no_status_type,     // Acct-Status-Type missing
  unknown_status,     // a value other than Start, Stop, Interim-Update, Accounting-On / -Off
  no_session_id,      // Start, Stop or Interim-Update without Acct-Session-Id
  no_nas,             // neither NAS-IP-Address nor NAS-Identifier (RFC 2866 section 5)
  bad_integer,        // an integer attribute that is not 4 octets
  bad_text,           // a text attribute empty, or holding NUL
};
const char* refusal_name(AccountingRefusal r);
inline constexpr size_t accounting_refusal_count = 7;

struct AccountingRecord {
  Status status{};
  std::string session_id;    // Acct-Session-Id, as the NAS sent it
  std::string user_name;     // "" if absent (Accounting-On / -Off)
  std::string nas_identifier;
  std::string operator_name;  // Operator-Name as sent (its namespace octet first), "" if absent
  uint32_t nas_ip = 0;       // NAS-IP-Address in host order, 0 if absent
  uint32_t framed_ip = 0;    // Framed-IP-Address: the subscriber's address, 0 if absent
  uint32_t session_time_s = 0;
  uint32_t delay_time_s = 0;   // Acct-Delay-Time, 0 if absent
  uint64_t input_octets = 0;   // Acct-Input-Octets + 2^32 x Acct-Input-Gigawords
  uint64_t output_octets = 0;
  uint32_t terminate_cause = 0;  // Acct-Terminate-Cause, 0 if absent
  bool has_event_timestamp = false;
  int64_t event_unix = 0;  // Event-Timestamp, or the arrival less Acct-Delay-Time
  int64_t start_unix = 0;  // event_unix less the session time

  // The NAS as the store names it: NAS-Identifier when sent, else its address.
  std::string nas() const;
};

// A NAS as the store names it: its NAS-Identifier when sent (non-empty), else its NAS-IP-Address
// (host order) dotted.
std::string nas_name(const std::string& identifier, uint32_t ip);

// `request` must be an authentic Accounting-Request (parse(), request_authentic()).
AccountingRefusal read_accounting(const Packet& request, int64_t arrival_unix,
                                  AccountingRecord& out);

}  // namespace gm::radius
