// Sealing and opening datagram frames (layout in frame_format.h).
//
// Receiving is two steps because the key depends on the header: peek() checks everything that
// needs no key and yields the login-session id; the caller finds that session's tag key and
// replay window (or refuses with unknown_session); open() then checks the tag, the window and
// the payload, in that order, and marks the sequence only when all three pass.
#pragma once

#include <cstddef>
#include <cstdint>

#include "shared/frame/frame_format.h"
#include "shared/frame/frame_tag.h"
#include "shared/frame/replay_window.h"

namespace gm::frame {

// Encodes msg (the generated struct for header.kind) into out. Returns the frame's length, or 0
// if the kind is unknown, the message does not encode, or out_cap is too small.
size_t seal(const Header& header, const void* msg, const TagKey& key, uint8_t* out,
            size_t out_cap);

// Checks length, magic, version and kind; fills header. Changes nothing else.
Refusal peek(const uint8_t* in, size_t len, Header& header);

// Checks the tag, the replay window, that the kind is `expected`, and decodes the payload into
// msg (the generated struct for `expected`). On Refusal::none the window has marked the
// sequence; on any refusal neither the window nor anything the caller holds has changed
// (msg may hold a partial decode).
Refusal open(const uint8_t* in, size_t len, const Header& header, const TagKey& key,
             ReplayWindow& window, FrameKind expected, void* msg);

}  // namespace gm::frame
