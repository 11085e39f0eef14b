#include "tests/support/crash_vfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace gm::test {

namespace {

// SQLite allocates szOsFile bytes per open file and constructs nothing in them: plain data only.
// The wrapped VFS's own file lives in the same allocation, after this header.
struct RecordedFile {
  sqlite3_file base;  // first, so SQLite sees a sqlite3_file
  CrashVfs* vfs;
  sqlite3_file* real;
  int64_t file;  // index into CrashVfs::files(); -1 for files that are not durable state
};
constexpr int real_offset = (sizeof(RecordedFile) + 15) / 16 * 16;

// The files whose content survives a power cut and matters after it. Temporary files and the
// wal-index (-shm, which the unix VFS opens by itself, not through xOpen) are not among them.
constexpr int durable_kinds =
    SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL;

}  // namespace

struct CrashVfs::Shim {
  static CrashVfs& self(sqlite3_vfs* v) { return *static_cast<CrashVfs*>(v->pAppData); }
  static sqlite3_vfs* below(sqlite3_vfs* v) { return self(v).real_; }
  static RecordedFile& rec(sqlite3_file* f) { return *reinterpret_cast<RecordedFile*>(f); }
  static sqlite3_file* real(sqlite3_file* f) { return rec(f).real; }
  static const sqlite3_io_methods& m(sqlite3_file* f) { return *real(f)->pMethods; }

  // ---- the file methods: every call passes through; writes, truncates and syncs are logged
  // once they have returned, so an operation's index is after everything it depends on ----
  static int close(sqlite3_file* f) { return m(f).xClose(real(f)); }
  static int read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
    return m(f).xRead(real(f), p, n, off);
  }
  // Whether a call that returned rc is logged: it succeeded, on a file that is durable state.
  static bool logged(sqlite3_file* f, int rc) { return rc == SQLITE_OK && rec(f).file >= 0; }
  static void log(sqlite3_file* f, FileOperation op) {
    op.file = static_cast<uint32_t>(rec(f).file);
    rec(f).vfs->log(std::move(op));
  }
  static int write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
    const int rc = m(f).xWrite(real(f), p, n, off);
    const auto* bytes = static_cast<const uint8_t*>(p);
    if (logged(f, rc))
      log(f, {.kind = FileOperation::Kind::write, .offset = off, .data = {bytes, bytes + n}});
    return rc;
  }
  static int truncate(sqlite3_file* f, sqlite3_int64 size) {
    const int rc = m(f).xTruncate(real(f), size);
    if (logged(f, rc)) log(f, {.kind = FileOperation::Kind::truncate, .offset = size});
    return rc;
  }
  static int sync(sqlite3_file* f, int flags) {
    // Only what had completed when the fsync began is sure to be covered by it.
    const uint64_t began = rec(f).vfs->now();
    const int rc = m(f).xSync(real(f), flags);
    if (logged(f, rc)) log(f, {.kind = FileOperation::Kind::sync, .covers_before = began});
    return rc;
  }
  static int file_size(sqlite3_file* f, sqlite3_int64* size) {
    return m(f).xFileSize(real(f), size);
  }
  static int lock(sqlite3_file* f, int level) { return m(f).xLock(real(f), level); }
  static int unlock(sqlite3_file* f, int level) { return m(f).xUnlock(real(f), level); }
  static int check_reserved_lock(sqlite3_file* f, int* out) {
    return m(f).xCheckReservedLock(real(f), out);
  }
  static int file_control(sqlite3_file* f, int op, void* arg) {
    return m(f).xFileControl(real(f), op, arg);
  }
  static int sector_size(sqlite3_file* f) { return m(f).xSectorSize(real(f)); }
  static int device_characteristics(sqlite3_file* f) {
    return m(f).xDeviceCharacteristics(real(f));
  }
  // The wal-index in shared memory: passed through untouched (every connection in the process
  // must see the same one), and never part of an image.
  static int shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** p) {
    return m(f).xShmMap(real(f), page, size, extend, p);
  }
  static int shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return m(f).xShmLock(real(f), offset, n, flags);
  }
  static void shm_barrier(sqlite3_file* f) { m(f).xShmBarrier(real(f)); }
  static int shm_unmap(sqlite3_file* f, int remove) { return m(f).xShmUnmap(real(f), remove); }
  // Memory-mapped reads (the store sets mmap_size). SQLite writes through xWrite even then,
  // unless built with SQLITE_MMAP_READWRITE, which Debian's library is not.
  static int fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
    return m(f).xFetch(real(f), off, n, p);
  }
  static int unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
    return m(f).xUnfetch(real(f), off, p);
  }

  static constexpr sqlite3_io_methods io = {
      .iVersion = 3,
      .xClose = close,
      .xRead = read,
      .xWrite = write,
      .xTruncate = truncate,
      .xSync = sync,
      .xFileSize = file_size,
      .xLock = lock,
      .xUnlock = unlock,
      .xCheckReservedLock = check_reserved_lock,
      .xFileControl = file_control,
      .xSectorSize = sector_size,
      .xDeviceCharacteristics = device_characteristics,
      .xShmMap = shm_map,
      .xShmLock = shm_lock,
      .xShmBarrier = shm_barrier,
      .xShmUnmap = shm_unmap,
      .xFetch = fetch,
      .xUnfetch = unfetch,
  };

  // ---- the VFS methods ----
  static int open(sqlite3_vfs* v, sqlite3_filename name, sqlite3_file* f, int flags,
                  int* out_flags) {
    RecordedFile& r = rec(f);
    r.vfs = &self(v);
    r.real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + real_offset);
    r.real->pMethods = nullptr;
    r.file = -1;
    const int rc = below(v)->xOpen(below(v), name, r.real, flags, out_flags);
    // When the wrapped open has set its methods SQLite calls xClose even after a failure:
    // ours then, so that it reaches the wrapped file.
    r.base.pMethods = r.real->pMethods != nullptr ? &io : nullptr;
    if (rc == SQLITE_OK && name != nullptr && (flags & durable_kinds) != 0)
      r.file = self(v).opened(name, r.real);
    return rc;
  }
  static int remove(sqlite3_vfs* v, const char* name, int sync_dir) {
    const int rc = below(v)->xDelete(below(v), name, sync_dir);
    if (rc == SQLITE_OK) self(v).removed(name);
    return rc;
  }
  static int access(sqlite3_vfs* v, const char* name, int flags, int* out) {
    return below(v)->xAccess(below(v), name, flags, out);
  }
  static int full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
    return below(v)->xFullPathname(below(v), name, n, out);
  }
  static void* dl_open(sqlite3_vfs* v, const char* name) {
    return below(v)->xDlOpen(below(v), name);
  }
  static void dl_error(sqlite3_vfs* v, int n, char* out) { below(v)->xDlError(below(v), n, out); }
  static void (*dl_sym(sqlite3_vfs* v, void* h, const char* sym))(void) {
    return below(v)->xDlSym(below(v), h, sym);
  }
  static void dl_close(sqlite3_vfs* v, void* h) { below(v)->xDlClose(below(v), h); }
  static int randomness(sqlite3_vfs* v, int n, char* out) {
    return below(v)->xRandomness(below(v), n, out);
  }
  static int sleep(sqlite3_vfs* v, int us) { return below(v)->xSleep(below(v), us); }
  static int current_time(sqlite3_vfs* v, double* t) { return below(v)->xCurrentTime(below(v), t); }
  static int last_error(sqlite3_vfs* v, int n, char* out) {
    return below(v)->xGetLastError(below(v), n, out);
  }
  static int current_time_64(sqlite3_vfs* v, sqlite3_int64* t) {
    return below(v)->xCurrentTimeInt64(below(v), t);
  }
  static int set_system_call(sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr p) {
    return below(v)->xSetSystemCall(below(v), name, p);
  }
  static sqlite3_syscall_ptr get_system_call(sqlite3_vfs* v, const char* name) {
    return below(v)->xGetSystemCall(below(v), name);
  }
  static const char* next_system_call(sqlite3_vfs* v, const char* name) {
    return below(v)->xNextSystemCall(below(v), name);
  }
};

CrashVfs::CrashVfs(std::string name) : name_(std::move(name)) {
  real_ = sqlite3_vfs_find(nullptr);
  if (real_ == nullptr || real_->iVersion < 3)
    throw std::runtime_error("crash vfs: no default VFS of version 3 to wrap");
  vfs_.iVersion = 3;
  vfs_.szOsFile = real_offset + real_->szOsFile;
  vfs_.mxPathname = real_->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = Shim::open;
  vfs_.xDelete = Shim::remove;
  vfs_.xAccess = Shim::access;
  vfs_.xFullPathname = Shim::full_pathname;
  vfs_.xDlOpen = Shim::dl_open;
  vfs_.xDlError = Shim::dl_error;
  vfs_.xDlSym = Shim::dl_sym;
  vfs_.xDlClose = Shim::dl_close;
  vfs_.xRandomness = Shim::randomness;
  vfs_.xSleep = Shim::sleep;
  vfs_.xCurrentTime = Shim::current_time;
  vfs_.xGetLastError = Shim::last_error;
  vfs_.xCurrentTimeInt64 = Shim::current_time_64;
  vfs_.xSetSystemCall = Shim::set_system_call;
  vfs_.xGetSystemCall = Shim::get_system_call;
  vfs_.xNextSystemCall = Shim::next_system_call;
  if (sqlite3_vfs_register(&vfs_, 0) != SQLITE_OK)
    throw std::runtime_error("crash vfs: cannot register '" + name_ + "'");
}

CrashVfs::~CrashVfs() {
  sqlite3_vfs_unregister(&vfs_);
}

std::string CrashVfs::uri(const std::string& path, const std::string& params) const {
  // Test folders have no '?', '#' or '%' in them, so the path needs no escaping.
  return "file:" + path + "?vfs=" + name_ + (params.empty() ? "" : "&" + params);
}

std::vector<uint64_t> CrashVfs::sync_points() const {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < ops_.size(); ++i)
    if (ops_[i].kind == FileOperation::Kind::sync) out.push_back(i);
  return out;
}

uint32_t CrashVfs::opened(const std::string& path, sqlite3_file* real) {
  std::lock_guard lock(mutex_);
  const auto it = std::find(files_.begin(), files_.end(), path);
  const auto id = static_cast<uint32_t>(it - files_.begin());
  if (it == files_.end()) files_.push_back(path), present_.push_back(false);
  if (!present_[id]) {
    // A file that was there before the VFS saw it is taken as durable as found.
    FileOperation op{.kind = FileOperation::Kind::open, .file = id};
    sqlite3_int64 size = 0;
    if (real->pMethods->xFileSize(real, &size) == SQLITE_OK && size > 0) {
      op.data.resize(static_cast<size_t>(size));
      if (real->pMethods->xRead(real, op.data.data(), static_cast<int>(size), 0) != SQLITE_OK)
        throw std::runtime_error("crash vfs: cannot read '" + path + "' as found");
    }
    present_[id] = true;
    ops_.push_back(std::move(op));
    count_.store(ops_.size());
  }
  return id;
}

void CrashVfs::removed(const std::string& path) {
  std::lock_guard lock(mutex_);
  const auto it = std::find(files_.begin(), files_.end(), path);
  if (it == files_.end()) return;
  const auto id = static_cast<uint32_t>(it - files_.begin());
  if (!present_[id]) return;
  // SQLite deletes a journal or WAL only once nothing in it is needed any more (and syncs the
  // directory when it matters), so a delete is taken as durable at once.
  present_[id] = false;
  ops_.push_back({.kind = FileOperation::Kind::remove, .file = id});
  count_.store(ops_.size());
}

void CrashVfs::log(FileOperation op) {
  std::lock_guard lock(mutex_);
  ops_.push_back(std::move(op));
  count_.store(ops_.size());
}

// ---- crash images ----

namespace {

void apply(std::vector<uint8_t>& content, const FileOperation& op) {
  if (op.kind == FileOperation::Kind::truncate) {
    content.resize(static_cast<size_t>(op.offset));
    return;
  }
  const size_t end = static_cast<size_t>(op.offset) + op.data.size();
  if (content.size() < end) content.resize(end);
  std::copy(op.data.begin(), op.data.end(), content.begin() + op.offset);
}

void write_all(int fd, const uint8_t* p, size_t n, int64_t offset, const std::string& name) {
  while (n > 0) {
    const ssize_t done = ::pwrite(fd, p, n, offset);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) throw std::system_error(errno, std::generic_category(), "write " + name);
    p += done, n -= static_cast<size_t>(done), offset += done;
  }
}

}  // namespace

CrashImages::CrashImages(const CrashVfs& recording, uint64_t seed, Model model)
    : ops_(recording.operations()),
      names_(recording.files()),
      files_(recording.files().size()),
      model_(model),
      rng_(seed) {}

void CrashImages::advance(uint64_t cut) {
  if (cut < last_cut_) throw std::logic_error("crash images: cut points must not go back");
  last_cut_ = cut;
  for (; next_ < cut && next_ < ops_.size(); ++next_) {
    const FileOperation& op = ops_[next_];
    File& f = files_[op.file];
    switch (op.kind) {
      case FileOperation::Kind::open:
        f.present = true;
        f.durable = op.data;
        f.unsynced.clear();
        break;
      case FileOperation::Kind::write:
      case FileOperation::Kind::truncate: f.unsynced.push_back(next_); break;
      case FileOperation::Kind::sync: {
        // The disk now holds this file's operations from before the fsync began, in order.
        size_t n = 0;
        while (n < f.unsynced.size() && f.unsynced[n] < op.covers_before)
          apply(f.durable, ops_[f.unsynced[n++]]);
        f.unsynced.erase(f.unsynced.begin(), f.unsynced.begin() + static_cast<ptrdiff_t>(n));
        break;
      }
      case FileOperation::Kind::remove: f = File{}; break;
    }
  }
}

CutFaults CrashImages::write(uint64_t cut, const std::filesystem::path& dir) {
  advance(cut);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::uniform_real_distribution<double> fate(0.0, 1.0);
  std::bernoulli_distribution coin(0.5);
  CutFaults faults;
  for (size_t i = 0; i < files_.size(); ++i) {
    const File& f = files_[i];
    if (!f.present) continue;
    const std::string name = (dir / std::filesystem::path(names_[i]).filename()).string();
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "create " + name);
    write_all(fd, f.durable.data(), f.durable.size(), 0, name);
    // The writes after the last sync reach the disk or not, each on its own, in any order; a
    // write that reaches it in part does so in whole sectors (the unix VFS claims powersafe
    // overwrite: bytes outside a write are never damaged by it).
    for (const size_t index : f.unsynced) {
      const FileOperation& op = ops_[index];
      ++faults.unsynced;
      const double r = fate(rng_);
      if (op.kind == FileOperation::Kind::truncate) {
        if (r < model_.keep / (model_.keep + model_.drop)) {
          if (::ftruncate(fd, op.offset) != 0)
            throw std::system_error(errno, std::generic_category(), "truncate " + name);
          ++faults.kept;
        } else {
          ++faults.dropped;
        }
        continue;
      }
      if (r < model_.keep) {
        write_all(fd, op.data.data(), op.data.size(), op.offset, name);
        ++faults.kept;
      } else if (r < model_.keep + model_.drop) {
        ++faults.dropped;
      } else {
        size_t pieces_written = 0, pieces = 0;
        for (int64_t at = op.offset; at < op.offset + static_cast<int64_t>(op.data.size());) {
          const int64_t next = std::min<int64_t>((at / model_.sector + 1) * model_.sector,
                                                 op.offset + static_cast<int64_t>(op.data.size()));
          ++pieces;
          if (coin(rng_)) {
            write_all(fd, op.data.data() + (at - op.offset), static_cast<size_t>(next - at), at,
                      name);
            ++pieces_written;
          }
          at = next;
        }
        // Counted by what it left: a write of one sector cannot tear, only land or not.
        if (pieces_written == pieces)
          ++faults.kept;
        else if (pieces_written == 0)
          ++faults.dropped;
        else
          ++faults.torn;
      }
    }
    ::close(fd);
  }
  return faults;
}

}  // namespace gm::test
