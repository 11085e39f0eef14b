// The bytes of the flash journal: sector headers and entries (FORMAT.md describes them for a
// reader without the code). Little-endian on every target, written out byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/store/record_store.h"

namespace gm::store::entry {

inline constexpr uint32_t sector_magic = 0x314A4D47;  // "GMJ1"
inline constexpr size_t sector_header_size = 16;
inline constexpr size_t header_size = 8;

enum class Type : uint8_t {
  record = 0x01,    // a session's newest unacknowledged usage record
  forget = 0x02,    // (session, acked seq): records of that session up to seq are gone
  counters = 0x03,  // boot count, next session number
  config = 0x04,    // the agent's settings blob
  retire = 0x05,    // sectors up to this epoch hold nothing live (written before reuse)
};

// A usage record's payload: fixed fields first (session id at 0, seq at 8, which is all
// recovery reads), then the two strings with their lengths.
inline constexpr size_t record_fixed_size = 49;
// The record's billing byte (@46): the BillingOption in bits 0..6, billing_outage in bit 7.
inline constexpr uint8_t billing_option_mask = 0x7F;
inline constexpr uint8_t billing_outage_bit = 0x80;
inline constexpr size_t record_max_payload =
    record_fixed_size + (subscriber_capacity - 1) + (service_capacity - 1);
inline constexpr size_t forget_payload = 12;
inline constexpr size_t counters_payload = 12;
inline constexpr size_t retire_payload = 4;
inline constexpr size_t max_payload = max_config_size > record_max_payload ? max_config_size
                                                                           : record_max_payload;
inline constexpr size_t max_alignment = 16;
inline constexpr size_t first_entry_max = 16;  // the sector header, aligned to the word size
inline constexpr size_t max_entry_size = header_size + max_payload + max_alignment;

constexpr size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

struct SectorHeader {
  uint32_t epoch = 0;            // +1 each time a sector is opened; orders the log
  uint32_t retired_through = 0;  // epochs up to this one were retired when this sector opened
};

void encode_sector_header(const SectorHeader& h, uint8_t (&out)[sector_header_size]);
bool decode_sector_header(const uint8_t (&in)[sector_header_size], SectorHeader& h);

// Writes header + payload + 0xFF padding to `alignment`; returns the entry size.
size_t encode_entry(Type type, const uint8_t* payload, size_t length, size_t alignment,
                    uint8_t* out);

enum class HeaderCheck : uint8_t { blank, valid, invalid };
// Checks the 8 header bytes of an entry at `room` bytes before the end of its sector.
HeaderCheck check_header(const uint8_t* header, size_t room, Type& type, size_t& payload_length);
// Zeroed bytes where a cut write was: skipped one alignment unit at a time. No entry can start
// with four zero bytes (its type byte keeps a bit set however far a cut got).
inline bool is_filler(const uint8_t* h) { return (h[0] | h[1] | h[2] | h[3]) == 0; }
// The CRC in the header covers its first four bytes and the payload.
bool crc_matches(const uint8_t* header, const uint8_t* payload, size_t payload_length);

size_t encode_record(const UsageRecord& r, uint8_t* out);
bool decode_record(const uint8_t* payload, size_t length, UsageRecord& r);

void put_u32(uint8_t* p, uint32_t v);
void put_u64(uint8_t* p, uint64_t v);
uint32_t get_u32(const uint8_t* p);
uint64_t get_u64(const uint8_t* p);

}  // namespace gm::store::entry
