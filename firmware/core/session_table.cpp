#include "firmware/core/session_table.h"

namespace gm::core {

const char* start_result_name(StartResult r) {
  switch (r) {
    case StartResult::ok: return "ok";
    case StartResult::table_full: return "table_full";
    case StartResult::bad_identity: return "bad_identity";
    case StartResult::unknown_service: return "unknown_service";
  }
  return "invalid";
}

Session* SessionTable::allocate() {
  for (Session& s : slots_)
    if (!s.in_use()) return &s;
  return nullptr;
}

Session* SessionTable::find(uint64_t id) {
  for (Session& s : slots_)
    if (s.in_use() && s.id == id) return &s;
  return nullptr;
}

const Session* SessionTable::find(uint64_t id) const {
  for (const Session& s : slots_)
    if (s.in_use() && s.id == id) return &s;
  return nullptr;
}

size_t SessionTable::in_use() const {
  size_t n = 0;
  for (const Session& s : slots_) n += s.in_use() ? 1 : 0;
  return n;
}

int SessionTable::intern_service(const char* name) {
  for (size_t i = 0; i < service_count_; ++i) {
    size_t k = 0;
    while (k < service_capacity && services_[i][k] == name[k] && name[k] != '\0') ++k;
    if (k < service_capacity && services_[i][k] == name[k]) return static_cast<int>(i);
  }
  size_t len = 0;
  while (name[len] != '\0') ++len;
  if (service_count_ == config::max_services || len + 1 > service_capacity) return -1;
  copy_text(services_[service_count_], service_capacity, name);
  return static_cast<int>(service_count_++);
}

const char* SessionTable::service_name(uint8_t index) const {
  return index < service_count_ ? services_[index] : "";
}

bool valid_identity(const char* subscriber) {
  size_t len = 0, at = 0, ats = 0;
  for (; subscriber[len] != '\0'; ++len) {
    const char c = subscriber[len];
    if (len + 1 >= subscriber_capacity) return false;
    if (c <= ' ' || c > '~') return false;
    if (c == '@') {
      at = len;
      ++ats;
    }
  }
  return ats == 1 && at > 0 && at + 1 < len;
}

}  // namespace gm::core
