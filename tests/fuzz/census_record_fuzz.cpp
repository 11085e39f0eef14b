// libFuzzer target for the census's record validation: the input is a metering-batch payload
// as an agent would put it in a frame.
//
// The input is framed and tagged under a known key, so that every input reaches the decoder,
// and handed to the census's own verify step, verify_datagram (host/census/datagram_verifier.h:
// peek, the login lookup, open() with the login's window, from_wire record by record). Beside
// it the target opens the same frame itself, to see the wire records the verifier judged.
//
// Properties of the verifier: it accepts exactly the frames open() accepts; it keeps, in
// order, exactly the records from_wire accepts, each equal to from_wire's result and naming
// its datagram, counts the others as invalid, and its ack names exactly the records it kept.
//
// Properties, for every record of every batch open() accepts:
//  - from_wire accepts exactly the records its header promises: session id and sequence not 0,
//    kind START/INTERIM/STOP, billing and stop cause within their enums, a subscriber with a
//    realm ('@'); everything else is refused.
//  - an accepted record carries the wire record's values unchanged (ids, totals, start time,
//    enums, subscriber and service: the in-memory fields are exactly as wide as the wire's);
//    its strings are NUL-terminated within their fields.
//  - to_wire, nanopb encode, nanopb decode and from_wire again give the same record, and the
//    decoded wire record equals what to_wire produced.
#include <cstdint>
#include <cstring>
#include <memory>

#include <pb_decode.h>
#include <pb_encode.h>

#include "host/census/datagram_verifier.h"
#include "shared/frame/frame_codec.h"
#include "shared/record/usage_record.h"
#include "tests/fuzz/wire_properties.h"

using namespace gm;
using gm::fuzz::require;

namespace {

// What from_wire's contract says a census may apply, written out independently of it.
// Printable ASCII only, as the agent's valid_identity() emits (a space only in a service name).
bool ascii(const char* text, bool space) {
  for (const char* c = text; *c != '\0'; ++c)
    if (static_cast<unsigned char>(*c) < (space ? 0x20 : 0x21) || static_cast<unsigned char>(*c) > 0x7e)
      return false;
  return true;
}

bool census_may_apply(const gatemeter_UsageRecord& r) {
  const int32_t kind = wire_enum(r.kind), billing = wire_enum(r.billing),
                cause = wire_enum(r.stop_cause);
  return r.session_id != 0 && r.seq != 0 && kind >= gatemeter_RecordKind_RECORD_START &&
         kind <= gatemeter_RecordKind_RECORD_STOP && billing >= 0 &&
         billing < _gatemeter_BillingOption_ARRAYSIZE && cause >= 0 &&
         cause < _gatemeter_StopCause_ARRAYSIZE && std::strchr(r.subscriber, '@') != nullptr &&
         ascii(r.subscriber, false) && ascii(r.service, true);
}

bool terminated(const char* field, size_t cap) {
  return std::memchr(field, '\0', cap) != nullptr;
}

void check_record(const gatemeter_UsageRecord& in) {
  UsageRecord out;
  const bool accepted = from_wire(in, out);
  require(accepted == census_may_apply(in), "from_wire accepts exactly the records it promises");
  if (!accepted) return;

  require(
      out.session_id == in.session_id && out.seq == in.seq && out.start_unix == in.start_time_unix,
      "an accepted record keeps its ids and start time");
  require(out.totals == UsageTotals{in.charged_s, in.free_s, in.octets_in, in.octets_out},
          "an accepted record keeps its totals");
  require(out.kind == wire_enum(in.kind) && out.kind >= gatemeter_RecordKind_RECORD_START &&
              out.kind <= gatemeter_RecordKind_RECORD_STOP,
          "an accepted record's kind is START, INTERIM or STOP");
  require(out.billing == wire_enum(in.billing) && out.billing < _gatemeter_BillingOption_ARRAYSIZE,
          "an accepted record's billing is a BillingOption");
  require(out.cause == wire_enum(in.stop_cause) && out.cause < _gatemeter_StopCause_ARRAYSIZE,
          "an accepted record's cause is a StopCause");
  require(out.billing_outage == in.billing_outage, "an accepted record keeps billing_outage");
  require(terminated(out.subscriber, sizeof out.subscriber) &&
              terminated(out.service, sizeof out.service),
          "an accepted record's strings end within their fields");
  require(std::strchr(out.subscriber, '@') != nullptr, "an accepted subscriber has a realm");
  require(
      fuzz::same_text(out.subscriber, in.subscriber) && fuzz::same_text(out.service, in.service),
      "an accepted record keeps subscriber and service whole");

  gatemeter_UsageRecord wire;
  to_wire(out, wire);
  uint8_t bytes[gatemeter_UsageRecord_size];
  pb_ostream_t os = pb_ostream_from_buffer(bytes, sizeof bytes);
  require(pb_encode(&os, gatemeter_UsageRecord_fields, &wire), "an accepted record encodes");
  gatemeter_UsageRecord decoded = gatemeter_UsageRecord_init_zero;
  pb_istream_t is = pb_istream_from_buffer(bytes, os.bytes_written);
  require(pb_decode(&is, gatemeter_UsageRecord_fields, &decoded), "its encoding decodes");
  require(fuzz::same(decoded, wire), "its encoding decodes to what to_wire gave");
  UsageRecord again;
  require(from_wire(decoded, again), "a re-encoded accepted record is accepted again");
  require(fuzz::same(again, out), "a re-encoded accepted record validates to the same record");
}

frame::TagKey fuzz_key() {
  frame::TagKey k{};
  for (size_t i = 0; i < sizeof k.bytes; ++i) k.bytes[i] = static_cast<uint8_t>(0x40 + i);
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const frame::TagKey key = fuzz_key();
  static uint8_t datagram[frame::max_frame_size];
  if (size > frame::max_payload_size) return 0;  // peek would refuse it as oversized
  // The frame around the payload (frame_format.h): metering_batch, login session 1, seq 1.
  datagram[0] = frame::magic0;
  datagram[1] = frame::magic1;
  datagram[2] = frame::frame_version;
  datagram[3] = static_cast<uint8_t>(frame::FrameKind::metering_batch);
  std::memset(datagram + 4, 0, 12);
  datagram[11] = 1;  // login session, big-endian in bytes 4-11
  datagram[15] = 1;  // sequence, big-endian in bytes 12-15
  std::memcpy(datagram + frame::header_size, data, size);
  const size_t body = frame::header_size + size;
  uint8_t tag[frame::tag_size];
  frame::compute_tag(key, datagram, body, tag);
  std::memcpy(datagram + body, tag, sizeof tag);
  const size_t len = body + frame::tag_size;

  // Every input is the login's first datagram: its window starts empty.
  static const auto login = [] {
    auto l = std::make_shared<host::LoginEntry>();
    l->id = 1;
    l->agent = 3;
    l->key = key;
    return l;
  }();
  login->window.reset();
  static const host::LoginLookup find = [](uint64_t id) {
    return id == 1 ? login : std::shared_ptr<host::LoginEntry>();
  };
  static host::VerifiedBatch verified;
  verified.clear();
  const host::Verification v = host::verify_datagram({datagram, len}, {}, find, verified);

  frame::Header h;
  frame::ReplayWindow window;
  static gatemeter_MeteringBatch batch;
  batch = gatemeter_MeteringBatch_init_zero;
  const bool opened =
      frame::peek(datagram, len, h) == frame::Refusal::none &&
      frame::open(datagram, len, h, key, window, frame::FrameKind::metering_batch, &batch) ==
          frame::Refusal::none;
  require(v.accepted() == opened, "the verifier accepts exactly the frames open() accepts");
  if (!opened) {
    require(verified.empty() && verified.commit.records.empty(),
            "a refused datagram leaves nothing to commit");
    return 0;
  }
  require(batch.records_count <= sizeof batch.records / sizeof batch.records[0],
          "a decoded batch holds at most its capacity");
  require(verified.acks.size() == 1 && verified.commit.datagrams.size() == 1,
          "an accepted datagram is one datagram to commit and one ack");
  size_t kept = 0;
  for (pb_size_t i = 0; i < batch.records_count; ++i) {
    check_record(batch.records[i]);
    UsageRecord valid;
    if (!from_wire(batch.records[i], valid)) continue;
    require(kept < verified.commit.records.size() &&
                fuzz::same(verified.commit.records[kept].record, valid) &&
                verified.commit.records[kept].datagram == 0 &&
                verified.commit.records[kept].agent == 3,
            "the verifier keeps each record from_wire accepts, in order, as from_wire gave it");
    require(verified.acks[0].records[kept].session_id == valid.session_id &&
                verified.acks[0].records[kept].seq == valid.seq,
            "the ack names each record the verifier kept, in order");
    ++kept;
  }
  require(kept == verified.commit.records.size() && kept == verified.acks[0].count &&
              batch.records_count - kept == v.invalid_records,
          "the verifier keeps no other record, and counts every other as invalid");
  return 0;
}
