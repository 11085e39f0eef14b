// Simulated NOR flash for tests and the simulator. It holds no memory of its own: the caller
// hands it the bytes (a RAM buffer, or a file mapped with MAP_SHARED so the flash outlives the
// process), which keeps it usable without a heap.
//
// It enforces the NOR rules (an erase sets a sector to 0xFF; a program only clears bits, word
// aligned; asking to turn a 0 bit back into 1 is refused and counted), counts erases per sector,
// and can cut the power at the N-th program or erase:
//   - a program loses power part-way: the words before one are programmed, that word gets an
//     arbitrary subset of its cleared bits, the words after are untouched;
//   - an erase loses power part-way: each word of the sector is left erased, unchanged, or
//     unchanged with random bits set.
// Once the power is gone every operation fails until power_on().
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/hal/flash.h"

namespace gm::store {

inline constexpr uint32_t sim_flash_max_sectors = 1024;

// Told of every program and erase before it happens (index counts from 0 since construction):
// the torture test takes its snapshots here.
class FlashObserver {
 public:
  enum class Op : uint8_t { program, erase };
  virtual void before_operation(uint64_t index, Op op, uint32_t address, const void* data,
                                size_t length) = 0;

 protected:
  ~FlashObserver() = default;
};

class SimFlash final : public hal::Flash {
 public:
  // storage holds sector_size * sector_count bytes. blank = true erases it (a new device);
  // false keeps what it holds (a device that was already in use, e.g. a mapped file).
  SimFlash(hal::FlashGeometry geometry, uint8_t* storage, bool blank, uint64_t seed = 1);

  hal::FlashGeometry geometry() const override { return geometry_; }
  bool read(uint32_t address, void* out, size_t length) override;
  bool program(uint32_t address, const void* data, size_t length) override;
  bool erase(uint32_t sector) override;

  // The operation with this index (program or erase, counted since construction) loses power
  // part-way through. One cut at a time; power_on() clears it.
  void cut_power_at(uint64_t operation_index) { cut_at_ = operation_index; }
  // Cuts now, between operations (a power cut that no write was in the middle of).
  void cut_power_now() { powered_ = false; }
  void power_on() {
    powered_ = true;
    cut_at_ = no_cut;
  }
  bool powered() const { return powered_; }

  void observe(FlashObserver* o) { observer_ = o; }

  // Applies a torn version of an operation to raw bytes the caller owns (a copy of this
  // device): what the flash would hold had the power gone during it. Used by tests that cut at
  // every operation without re-running the workload.
  static void tear_program(uint8_t* bytes, uint32_t word_size, const void* data, size_t length,
                           uint64_t& rng_state);
  // What the word being programmed holds when the power goes: none of the bits it was clearing
  // cleared, all of them, or an arbitrary subset (what tear_program does).
  enum class TornWord : uint8_t { untouched, programmed, random };
  // tear_program with the cut placed by the caller: the words before `word` are programmed,
  // that word is left as `torn` says, the words after are untouched. A test walks `word` over
  // every word of a write (word >= length / word_size: the whole write landed).
  static void tear_program_at(uint8_t* bytes, uint32_t word_size, const void* data,
                              size_t length, size_t word, TornWord torn, uint64_t& rng_state);
  static void tear_erase(uint8_t* sector_bytes, uint32_t sector_size, uint32_t word_size,
                         uint64_t& rng_state);

  uint64_t operations() const { return operations_; }
  uint64_t bytes_programmed() const { return bytes_programmed_; }
  uint64_t nor_violations() const { return nor_violations_; }
  uint32_t erase_count(uint32_t sector) const {
    return sector < sim_flash_max_sectors ? erase_counts_[sector] : 0;
  }
  const uint8_t* bytes() const { return storage_; }
  size_t size() const { return size_t{geometry_.sector_size} * geometry_.sector_count; }

 private:
  static constexpr uint64_t no_cut = ~uint64_t{0};
  bool begin(FlashObserver::Op op, uint32_t address, const void* data, size_t length,
             bool& torn);

  hal::FlashGeometry geometry_;
  uint8_t* storage_;
  uint64_t rng_;
  uint64_t operations_ = 0;
  uint64_t cut_at_ = no_cut;
  bool powered_ = true;
  uint64_t bytes_programmed_ = 0;
  uint64_t nor_violations_ = 0;
  FlashObserver* observer_ = nullptr;
  uint32_t erase_counts_[sim_flash_max_sectors] = {};
};

// A small deterministic generator (splitmix64) for the tears.
uint64_t sim_random(uint64_t& state);

}  // namespace gm::store
