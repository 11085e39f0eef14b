#include "host/store/session_changes.h"

#include <algorithm>
#include <tuple>

namespace gm::host {

void session_changes(const std::vector<VerifiedRecord>& records, std::vector<uint32_t>& included,
                     std::vector<SessionChange>& out) {
  const auto key = [&](uint32_t i) {
    return std::make_tuple(records[i].agent, static_cast<int64_t>(records[i].record.session_id), i);
  };
  std::sort(included.begin(), included.end(),
            [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  out.clear();
  for (size_t begin = 0; begin < included.size();) {
    const VerifiedRecord& head = records[included[begin]];
    SessionChange c{head.agent, head.record.session_id, included[begin], included[begin]};
    uint32_t top = head.record.seq;
    uint32_t last_stop = head.record.kind == gatemeter_RecordKind_RECORD_STOP ? c.first : no_record;
    size_t end = begin + 1;
    for (; end < included.size(); ++end) {
      const VerifiedRecord& v = records[included[end]];
      if (v.agent != head.agent || v.record.session_id != head.record.session_id) break;
      if (v.record.seq <= top) continue;  // never applies: something before it is newer
      top = v.record.seq;
      c.newest = included[end];
      if (v.record.kind == gatemeter_RecordKind_RECORD_STOP) last_stop = c.newest;
    }
    if (last_stop != c.newest) c.stop = last_stop;
    out.push_back(c);
    begin = end;
  }
}

}  // namespace gm::host
