#include "firmware/store/sim_flash.h"

#include <cstring>

namespace gm::store {

uint64_t sim_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

SimFlash::SimFlash(hal::FlashGeometry geometry, uint8_t* storage, bool blank, uint64_t seed)
    : geometry_(geometry), storage_(storage), rng_(seed) {
  if (blank) std::memset(storage_, 0xFF, size());
}

bool SimFlash::read(uint32_t address, void* out, size_t length) {
  if (!powered_ || address > size() || length > size() - address) return false;
  std::memcpy(out, storage_ + address, length);
  return true;
}

bool SimFlash::begin(FlashObserver::Op op, uint32_t address, const void* data, size_t length,
                     bool& torn) {
  if (!powered_) return false;
  const uint64_t index = operations_++;
  if (observer_ != nullptr) observer_->before_operation(index, op, address, data, length);
  torn = index == cut_at_;
  return true;
}

void SimFlash::tear_program(uint8_t* bytes, uint32_t word_size, const void* data, size_t length,
                            uint64_t& rng_state) {
  const size_t words = length / word_size;
  const size_t torn_word = words == 0 ? 0 : sim_random(rng_state) % words;
  tear_program_at(bytes, word_size, data, length, torn_word, TornWord::random, rng_state);
}

void SimFlash::tear_program_at(uint8_t* bytes, uint32_t word_size, const void* data,
                               size_t length, size_t word, TornWord torn, uint64_t& rng_state) {
  const auto* src = static_cast<const uint8_t*>(data);
  const size_t words = length / word_size;
  const size_t done = word < words ? word : words;
  for (size_t i = 0; i < done * word_size; ++i) bytes[i] &= src[i];
  if (word >= words) return;
  // The torn word: some of the bits it was clearing are cleared, the rest are not.
  for (uint32_t b = 0; b < word_size; ++b) {
    const size_t i = word * word_size + b;
    const uint8_t clearing = static_cast<uint8_t>(bytes[i] & ~src[i]);
    uint8_t subset = 0;
    switch (torn) {
      case TornWord::untouched: break;
      case TornWord::programmed: subset = clearing; break;
      case TornWord::random: subset = static_cast<uint8_t>(clearing & sim_random(rng_state)); break;
    }
    bytes[i] = static_cast<uint8_t>(bytes[i] & ~subset);
  }
}

void SimFlash::tear_erase(uint8_t* sector_bytes, uint32_t sector_size, uint32_t word_size,
                          uint64_t& rng_state) {
  for (uint32_t w = 0; w < sector_size / word_size; ++w) {
    uint8_t* word = sector_bytes + size_t{w} * word_size;
    switch (sim_random(rng_state) % 3) {
      case 0: std::memset(word, 0xFF, word_size); break;
      case 1: break;
      default:
        for (uint32_t b = 0; b < word_size; ++b)
          word[b] = static_cast<uint8_t>(word[b] | sim_random(rng_state));
    }
  }
}

bool SimFlash::program(uint32_t address, const void* data, size_t length) {
  const uint32_t ws = geometry_.word_size;
  if (address % ws != 0 || length % ws != 0 || address > size() || length > size() - address)
    return false;
  bool torn = false;
  if (!begin(FlashObserver::Op::program, address, data, length, torn)) return false;
  const auto* src = static_cast<const uint8_t*>(data);
  uint8_t* dst = storage_ + address;
  for (size_t i = 0; i < length; ++i) {
    if ((~dst[i] & src[i]) != 0) {  // a 0 bit asked to become 1: NOR cannot, the driver errs
      ++nor_violations_;
      return false;
    }
  }
  if (torn) {
    tear_program(dst, ws, data, length, rng_);
    powered_ = false;
    return false;
  }
  for (size_t i = 0; i < length; ++i) dst[i] &= src[i];
  bytes_programmed_ += length;
  return true;
}

bool SimFlash::erase(uint32_t sector) {
  if (sector >= geometry_.sector_count) return false;
  bool torn = false;
  uint8_t* s = storage_ + size_t{sector} * geometry_.sector_size;
  if (!begin(FlashObserver::Op::erase, sector * geometry_.sector_size, nullptr, 0, torn))
    return false;
  if (sector < sim_flash_max_sectors) ++erase_counts_[sector];
  if (torn) {
    tear_erase(s, geometry_.sector_size, geometry_.word_size, rng_);
    powered_ = false;
    return false;
  }
  std::memset(s, 0xFF, geometry_.sector_size);
  return true;
}

}  // namespace gm::store
