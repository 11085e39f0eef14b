// What bench_journal runs under callgrind: builds a full journal image in RAM (the ring wrapped
// and every sector but the spare ones full), then mounts it once inside gm_bench_recover_once,
// the only function callgrind is told to count.
//
//   journal_recovery_probe SECTORS SECTOR_SIZE SESSIONS
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "firmware/store/journal.h"
#include "firmware/store/sim_flash.h"

using namespace gm;

extern "C" __attribute__((noinline)) int gm_bench_recover_once(store::SimFlash* flash,
                                                               size_t* records) {
  store::Journal j(*flash);
  const store::JournalStatus st = j.mount();
  *records = j.record_count();
  return static_cast<int>(st);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s SECTORS SECTOR_SIZE SESSIONS\n", argv[0]);
    return 2;
  }
  const hal::FlashGeometry g{static_cast<uint32_t>(std::atoi(argv[2])),
                             static_cast<uint32_t>(std::atoi(argv[1])), 4};
  const uint64_t sessions = std::strtoull(argv[3], nullptr, 10);
  std::vector<uint8_t> bytes(size_t{g.sector_size} * g.sector_count);
  store::SimFlash flash(g, bytes.data(), true);
  {
    store::Journal j(flash);
    if (j.mount() != store::JournalStatus::ok) return 3;
    // Interim records for every session, round after round, until the ring has wrapped twice.
    for (uint32_t seq = 1; j.stats().gc_runs < 2 * g.sector_count; ++seq) {
      for (uint64_t s = 1; s <= sessions; ++s) {
        UsageRecord r;
        r.session_id = s;
        r.seq = seq;
        r.kind = gatemeter_RecordKind_RECORD_INTERIM;
        r.totals = {seq * 60, 0, seq * 123456ull, seq * 23456ull};
        // A 48-character identity: the longest the agent keeps.
        copy_text(r.subscriber, sizeof r.subscriber,
                  "subscriber-0123456789-abcdefghij@realm.example.n");
        copy_text(r.service, sizeof r.service, "internet");
        if (j.put_record(r) != store::JournalStatus::ok) return 4;
      }
    }
  }
  size_t records = 0;
  const int st = gm_bench_recover_once(&flash, &records);
  std::printf("mounted=%d records=%zu\n", st, records);
  return st == 0 ? 0 : 5;
}
