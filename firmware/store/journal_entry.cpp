#include "firmware/store/journal_entry.h"

#include <cstring>

#include "shared/crc/crc32.h"

namespace gm::store::entry {

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t get_u64(const uint8_t* p) { return get_u32(p) | uint64_t{get_u32(p + 4)} << 32; }

void encode_sector_header(const SectorHeader& h, uint8_t (&out)[sector_header_size]) {
  put_u32(out, sector_magic);
  put_u32(out + 4, h.epoch);
  put_u32(out + 8, h.retired_through);
  put_u32(out + 12, crc32(out, 12));
}

bool decode_sector_header(const uint8_t (&in)[sector_header_size], SectorHeader& h) {
  if (get_u32(in) != sector_magic || get_u32(in + 12) != crc32(in, 12)) return false;
  h.epoch = get_u32(in + 4);
  h.retired_through = get_u32(in + 8);
  return h.epoch != 0;
}

// Header: type, ~type (a half-programmed type byte rarely survives both), payload length (LE16),
// CRC32 over those four bytes and the payload.
size_t encode_entry(Type type, const uint8_t* payload, size_t length, size_t alignment,
                    uint8_t* out) {
  const size_t size = align_up(header_size + length, alignment);
  out[0] = static_cast<uint8_t>(type);
  out[1] = static_cast<uint8_t>(~out[0]);
  out[2] = static_cast<uint8_t>(length);
  out[3] = static_cast<uint8_t>(length >> 8);
  std::memcpy(out + header_size, payload, length);
  put_u32(out + 4, crc32(payload, length, crc32(out, 4)));
  std::memset(out + header_size + length, 0xFF, size - header_size - length);
  return size;
}

HeaderCheck check_header(const uint8_t* h, size_t room, Type& type, size_t& payload_length) {
  static constexpr uint8_t blank[header_size] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  if (std::memcmp(h, blank, header_size) == 0) return HeaderCheck::blank;
  if (h[1] != static_cast<uint8_t>(~h[0])) return HeaderCheck::invalid;
  if (h[0] < static_cast<uint8_t>(Type::record) || h[0] > static_cast<uint8_t>(Type::retire))
    return HeaderCheck::invalid;
  type = static_cast<Type>(h[0]);
  payload_length = size_t{h[2]} | size_t{h[3]} << 8;
  if (payload_length > max_payload || header_size + payload_length > room)
    return HeaderCheck::invalid;
  return HeaderCheck::valid;
}

bool crc_matches(const uint8_t* header, const uint8_t* payload, size_t payload_length) {
  return get_u32(header + 4) == crc32(payload, payload_length, crc32(header, 4));
}

namespace {
size_t bounded_length(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') ++n;
  return n;
}
}  // namespace

size_t encode_record(const UsageRecord& r, uint8_t* out) {
  const size_t sub = bounded_length(r.subscriber, subscriber_capacity - 1);
  const size_t svc = bounded_length(r.service, service_capacity - 1);
  put_u64(out + 0, r.session_id);
  put_u32(out + 8, r.seq);
  put_u64(out + 12, r.start_unix);
  put_u32(out + 20, r.totals.charged_s);
  put_u32(out + 24, r.totals.free_s);
  put_u64(out + 28, r.totals.octets_in);
  put_u64(out + 36, r.totals.octets_out);
  out[44] = r.kind;
  out[45] = r.cause;
  // Bit 7 of the billing byte: billing_outage (BillingOption values stay far below it), so
  // records written before the flag existed read back as they were.
  out[46] = static_cast<uint8_t>((r.billing & billing_option_mask) | (r.billing_outage ? billing_outage_bit : 0));
  out[47] = static_cast<uint8_t>(sub);
  out[48] = static_cast<uint8_t>(svc);
  std::memcpy(out + record_fixed_size, r.subscriber, sub);
  std::memcpy(out + record_fixed_size + sub, r.service, svc);
  return record_fixed_size + sub + svc;
}

bool decode_record(const uint8_t* p, size_t length, UsageRecord& r) {
  if (length < record_fixed_size) return false;
  const size_t sub = p[47], svc = p[48];
  if (sub >= subscriber_capacity || svc >= service_capacity ||
      length != record_fixed_size + sub + svc)
    return false;
  r = UsageRecord{};
  r.session_id = get_u64(p + 0);
  r.seq = get_u32(p + 8);
  r.start_unix = get_u64(p + 12);
  r.totals.charged_s = get_u32(p + 20);
  r.totals.free_s = get_u32(p + 24);
  r.totals.octets_in = get_u64(p + 28);
  r.totals.octets_out = get_u64(p + 36);
  r.kind = p[44];
  r.cause = p[45];
  r.billing = static_cast<uint8_t>(p[46] & billing_option_mask);
  r.billing_outage = (p[46] & billing_outage_bit) != 0;
  std::memcpy(r.subscriber, p + record_fixed_size, sub);
  std::memcpy(r.service, p + record_fixed_size + sub, svc);
  return true;
}

}  // namespace gm::store::entry
