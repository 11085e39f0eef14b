// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib computes it: the check value
// of the flash journal's records and sector headers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gm {

// crc32(data, len) of a whole buffer; pass the previous result as `crc` to continue over a
// second piece: crc32(b, nb, crc32(a, na)) == crc32(a|b).
uint32_t crc32(const void* data, size_t len, uint32_t crc = 0);

}  // namespace gm
