#include "firmware/store/record_store.h"

namespace gm::store {

const char* journal_status_name(JournalStatus s) {
  switch (s) {
    case JournalStatus::ok: return "ok";
    case JournalStatus::flash_error: return "flash_error";
    case JournalStatus::full: return "full";
    case JournalStatus::index_full: return "index_full";
    case JournalStatus::not_found: return "not_found";
    case JournalStatus::too_large: return "too_large";
    case JournalStatus::not_mounted: return "not_mounted";
    case JournalStatus::bad_geometry: return "bad_geometry";
  }
  return "invalid";
}

}  // namespace gm::store
