// The datagram frame: a fixed 16-byte header, a nanopb payload, and a 16-byte tag.
//
//   offset size field
//   0      2    magic 'G' 'M'
//   2      1    version (frame_version)
//   3      1    kind (FrameKind)
//   4      8    login-session id, big-endian
//   12     4    datagram sequence, big-endian (per login session and direction)
//   16     n    payload: the nanopb message named by kind
//   16+n   16   HMAC-SHA256(tag key, header | payload), first 16 bytes
//
// The header is authenticated with the payload, so kind and sequence cannot be altered.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gatemeter.pb.h"

namespace gm::frame {

inline constexpr uint8_t magic0 = 'G';
inline constexpr uint8_t magic1 = 'M';
inline constexpr uint8_t frame_version = 1;
inline constexpr size_t header_size = 16;
inline constexpr size_t tag_size = 16;
inline constexpr size_t overhead = header_size + tag_size;
inline constexpr size_t tag_key_size = 32;

enum class FrameKind : uint8_t {
  metering_batch = 1,  // agent -> census: gatemeter_MeteringBatch
  ack = 2,             // census -> agent: gatemeter_Ack
  auth_request = 3,    // agent -> billing: gatemeter_AuthRequest
  auth_response = 4,   // billing -> agent: gatemeter_AuthResponse
  offer_request = 5,   // agent -> billing: gatemeter_OfferRequest
  offer_response = 6,  // billing -> agent: gatemeter_OfferResponse
};

// Largest payload any kind may carry, from nanopb's computed maximum encoded sizes.
inline constexpr size_t max_of(size_t a, size_t b) { return a > b ? a : b; }
inline constexpr size_t max_payload_size = max_of(
    max_of(max_of(gatemeter_MeteringBatch_size, gatemeter_Ack_size),
           max_of(gatemeter_AuthRequest_size, gatemeter_AuthResponse_size)),
    max_of(gatemeter_OfferRequest_size, gatemeter_OfferResponse_size));
inline constexpr size_t max_frame_size = overhead + max_payload_size;

struct Header {
  FrameKind kind = FrameKind::metering_batch;
  uint64_t login_session = 0;
  uint32_t seq = 0;
};

// Why a frame was refused. Each has its own counter on the receiving side; the order is part
// of the log format (host stores the number), so only append.
enum class Refusal : uint8_t {
  none = 0,
  short_frame,        // fewer bytes than header + tag
  oversized,          // more bytes than the largest legal frame
  bad_magic,          // not a gatemeter frame at all
  unknown_version,
  unknown_kind,
  unknown_session,    // receiver holds no key for this login session (decided by the caller)
  bad_tag,            // forged, corrupted or truncated inside the payload
  replayed,           // sequence already seen in the replay window
  too_old,            // sequence older than the replay window
  undecodable,        // authentic, but nanopb cannot decode the payload as its kind
  wrong_kind,         // authentic, but not a kind this receiver accepts
  count_,             // number of reasons, for counter arrays
};

const char* refusal_name(Refusal r);

// Which generated message a kind carries, or nullptr for an unknown kind.
const pb_msgdesc_t* payload_fields(FrameKind kind);

}  // namespace gm::frame
