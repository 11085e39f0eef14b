#include "tests/bench/store_ceiling.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include "host/store/store.h"

namespace gm::bench {

namespace {

double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

}  // namespace

CeilingResult measure_store_ceiling(const std::string& store_path, const PhaseRecords& phase,
                                    size_t frames_sent, size_t records_per_commit,
                                    const std::vector<int64_t>& agent_ids,
                                    const std::vector<uint64_t>& login_sessions) {
  CeilingResult out;
  // As the census's committer: a busy writer, whose store checkpoints from a thread of its own.
  auto store = host::open_store(store_path, {.busy_writer = true});

  records_per_commit = std::max<size_t>(1, records_per_commit);
  std::vector<host::VerifiedRecord> batch;
  batch.reserve(records_per_commit);
  constexpr double slice = 10;
  double slice_start = 0;
  uint64_t slice_records = 0;
  auto commit = [&] {
    std::sort(batch.begin(), batch.end(), [](const host::VerifiedRecord& a, const host::VerifiedRecord& b) {
      return a.agent != b.agent ? a.agent < b.agent
                                : static_cast<int64_t>(a.record.session_id) <
                                      static_cast<int64_t>(b.record.session_id);
    });
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_seconds();
    store->apply(batch, {}, std::time(nullptr));
    out.apply_cpu_seconds += thread_cpu_seconds() - cpu0;
    out.apply_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::error_code ec;
    const uint64_t wal = std::filesystem::file_size(store_path + "-wal", ec);
    if (!ec) out.wal_peak_bytes = std::max(out.wal_peak_bytes, wal);
    out.records += batch.size();
    ++out.commits;
    slice_records += batch.size();
    if (out.apply_seconds - slice_start >= slice) {
      out.rate_by_slice.push_back(slice_records / (out.apply_seconds - slice_start));
      slice_start = out.apply_seconds;
      slice_records = 0;
    }
    batch.clear();
  };
  for (size_t i = 0; i < frames_sent; ++i) {
    const uint32_t a = phase.agent_of(i);
    for (uint32_t j = 0; j < phase.per; ++j) {
      const auto rec = phase.record(i, j);
      host::VerifiedRecord& v = batch.emplace_back();
      v.agent = agent_ids[a];
      v.login_session = login_sessions[a];
      from_wire(wire_record(rec.session(), rec.seq, gatemeter_RecordKind_RECORD_INTERIM), v.record);
      if (batch.size() == records_per_commit) commit();
    }
  }
  if (!batch.empty()) commit();
  if (out.apply_seconds - slice_start > slice / 2)
    out.rate_by_slice.push_back(slice_records / (out.apply_seconds - slice_start));
  return out;
}

}  // namespace gm::bench
