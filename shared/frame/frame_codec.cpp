#include "shared/frame/frame_codec.h"

#include <pb_decode.h>
#include <pb_encode.h>

namespace gm::frame {

namespace {

void put_be(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

uint64_t get_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

const char* refusal_name(Refusal r) {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::short_frame: return "short";
    case Refusal::oversized: return "oversized";
    case Refusal::bad_magic: return "bad_magic";
    case Refusal::unknown_version: return "unknown_version";
    case Refusal::unknown_kind: return "unknown_kind";
    case Refusal::unknown_session: return "unknown_session";
    case Refusal::bad_tag: return "bad_tag";
    case Refusal::replayed: return "replayed";
    case Refusal::too_old: return "too_old";
    case Refusal::undecodable: return "undecodable";
    case Refusal::wrong_kind: return "wrong_kind";
    case Refusal::count_: break;
  }
  return "invalid";
}

const pb_msgdesc_t* payload_fields(FrameKind kind) {
  switch (kind) {
    case FrameKind::metering_batch: return gatemeter_MeteringBatch_fields;
    case FrameKind::ack: return gatemeter_Ack_fields;
    case FrameKind::auth_request: return gatemeter_AuthRequest_fields;
    case FrameKind::auth_response: return gatemeter_AuthResponse_fields;
    case FrameKind::offer_request: return gatemeter_OfferRequest_fields;
    case FrameKind::offer_response: return gatemeter_OfferResponse_fields;
  }
  return nullptr;
}

size_t seal(const Header& header, const void* msg, const TagKey& key, uint8_t* out,
            size_t out_cap) {
  const pb_msgdesc_t* fields = payload_fields(header.kind);
  if (fields == nullptr || out_cap < overhead) return 0;
  pb_ostream_t stream = pb_ostream_from_buffer(out + header_size, out_cap - overhead);
  if (!pb_encode(&stream, fields, msg)) return 0;
  const size_t body = header_size + stream.bytes_written;

  out[0] = magic0;
  out[1] = magic1;
  out[2] = frame_version;
  out[3] = static_cast<uint8_t>(header.kind);
  put_be(out + 4, header.login_session, 8);
  put_be(out + 12, header.seq, 4);

  uint8_t tag[tag_size];
  if (!compute_tag(key, out, body, tag)) return 0;
  for (size_t i = 0; i < tag_size; ++i) out[body + i] = tag[i];
  return body + tag_size;
}

Refusal peek(const uint8_t* in, size_t len, Header& header) {
  if (len < overhead) return Refusal::short_frame;
  if (len > max_frame_size) return Refusal::oversized;
  if (in[0] != magic0 || in[1] != magic1) return Refusal::bad_magic;
  if (in[2] != frame_version) return Refusal::unknown_version;
  const auto kind = static_cast<FrameKind>(in[3]);
  if (payload_fields(kind) == nullptr) return Refusal::unknown_kind;
  header.kind = kind;
  header.login_session = get_be(in + 4, 8);
  header.seq = static_cast<uint32_t>(get_be(in + 12, 4));
  return Refusal::none;
}

Refusal open(const uint8_t* in, size_t len, const Header& header, const TagKey& key,
             ReplayWindow& window, FrameKind expected, void* msg) {
  const size_t body = len - tag_size;  // peek() guaranteed len >= overhead
  uint8_t tag[tag_size];
  if (!compute_tag(key, in, body, tag) || !tags_equal(tag, in + body)) return Refusal::bad_tag;

  const Refusal seen = window.check(header.seq);
  if (seen != Refusal::none) return seen;
  if (header.kind != expected) return Refusal::wrong_kind;

  pb_istream_t stream = pb_istream_from_buffer(in + header_size, body - header_size);
  if (!pb_decode(&stream, payload_fields(expected), msg)) return Refusal::undecodable;

  window.mark(header.seq);
  return Refusal::none;
}

}  // namespace gm::frame
