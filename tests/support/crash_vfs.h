// A recording SQLite VFS, for host power-cut tests. SQLite's own crash-test VFS (src/test6.c)
// is the model: a disk keeps what was written to a file before its last fsync, and of the
// writes after that a power cut leaves any subset, some of them torn at sector granularity.
//
// CrashVfs wraps the default (unix) VFS and passes every call through, locks and the
// shared-memory wal-index included, so the database runs exactly as it would without it. Along
// the way it logs every write, truncate, sync, open and delete of a durable file (database,
// WAL, rollback journal) under one operation counter for the whole process. CrashImages then
// builds, for any cut point k, the files a power cut between operation k-1 and k would have left
// on disk. The -shm file is never in an image: it is not durable state, and SQLite rebuilds the
// wal-index from the WAL when it opens a database that nobody has open.
//
//   CrashVfs vfs("gm_crash");
//   auto store = open_store(vfs.uri(dir + "/usage.db"));   // recorded
//   const uint64_t at = vfs.now();                                 // "after everything so far"
//   ... close every connection ...
//   CrashImages images(vfs, seed);
//   images.write(at, image_dir);        // cut points in rising order
//   open_store(image_dir + "/usage.db") ...
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace gm::test {

// One logged operation; its index in CrashVfs::operations() is its place on the clock.
struct FileOperation {
  enum class Kind : uint8_t { open, write, truncate, sync, remove };
  Kind kind = Kind::open;
  uint32_t file = 0;   // index into CrashVfs::files()
  int64_t offset = 0;  // write: where it starts; truncate: the new size
  // sync: it makes durable this file's operations logged before this index (the counter when
  // the fsync began: a write that completed while it ran may have missed it).
  uint64_t covers_before = 0;
  // write: the bytes; open: what the file held when it came into sight (a file that existed
  // before the VFS saw it counts as durable).
  std::vector<uint8_t> data{};
};

class CrashVfs {
 public:
  // Registers the VFS under `name` (not as the default); throws std::runtime_error if SQLite
  // refuses. It must outlive every connection opened through it.
  explicit CrashVfs(std::string name);
  ~CrashVfs();
  CrashVfs(const CrashVfs&) = delete;
  CrashVfs& operator=(const CrashVfs&) = delete;

  const std::string& name() const { return name_; }
  // "file:PATH?vfs=NAME" and, if given, "&" + params (e.g. "gm_test_synchronous=NORMAL").
  std::string uri(const std::string& path, const std::string& params = "") const;

  // Operations completed so far. Anything that happened after this call returned (an ack
  // received, say) happened after each of them: a cut at now() or later keeps them all.
  uint64_t now() const { return count_.load(); }

  // The log. Read it only once no connection through this VFS is open.
  const std::vector<FileOperation>& operations() const { return ops_; }
  const std::vector<std::string>& files() const { return files_; }
  std::vector<uint64_t> sync_points() const;  // indices of the sync operations

 private:
  struct Shim;  // the C callbacks SQLite calls (crash_vfs.cpp)

  // The id of a durable file by its full path; logs an open (with what the file holds) when the
  // log has it absent.
  uint32_t opened(const std::string& path, sqlite3_file* real);
  void removed(const std::string& path);
  void log(FileOperation op);

  std::string name_;
  sqlite3_vfs vfs_{};
  sqlite3_vfs* real_ = nullptr;
  std::mutex mutex_;  // guards ops_, files_, present_
  std::vector<FileOperation> ops_;
  std::vector<std::string> files_;
  std::vector<bool> present_;
  std::atomic<uint64_t> count_{0};
};

// What one image left of the writes that had no sync after them (before the cut).
struct CutFaults {
  uint64_t unsynced = 0;  // writes and truncates after their file's last sync
  uint64_t kept = 0;      // reached the disk whole
  uint64_t dropped = 0;   // never reached it
  uint64_t torn = 0;      // reached it in part: each sector-sized piece new or old at random
  CutFaults& operator+=(const CutFaults& o) {
    unsynced += o.unsynced, kept += o.kept, dropped += o.dropped, torn += o.torn;
    return *this;
  }
};

// Builds crash images from a finished recording, for cut points in rising order (each call
// moves forward through the log, so a thousand images cost about one pass over it plus what
// each image writes).
class CrashImages {
 public:
  struct Model {
    uint32_t sector = 512;  // the unit a torn write is torn in
    double keep = 0.375;    // SQLite's crash VFS: 3/8 written, 3/8 not, 1/4 damaged
    double drop = 0.375;    // the rest are torn
  };
  CrashImages(const CrashVfs& recording, uint64_t seed, Model model);
  CrashImages(const CrashVfs& recording, uint64_t seed) : CrashImages(recording, seed, Model{}) {}

  // Empties dir and writes into it, under its own name, each durable file that existed before
  // the cut: its content as of its last sync before the cut, plus a random subset of its later
  // writes before the cut (applied in order, some dropped, some torn). `cut` must not be below
  // the previous call's. Throws std::runtime_error if the folder cannot be written.
  CutFaults write(uint64_t cut, const std::filesystem::path& dir);

 private:
  struct File {
    bool present = false;
    std::vector<uint8_t> durable;  // the content as of its last sync
    std::vector<size_t> unsynced;  // its writes and truncates since, by index, in order
  };
  void advance(uint64_t cut);

  const std::vector<FileOperation>& ops_;
  const std::vector<std::string>& names_;
  std::vector<File> files_;
  uint64_t next_ = 0;  // the first operation not yet taken into files_
  uint64_t last_cut_ = 0;
  Model model_;
  std::mt19937_64 rng_;
};

}  // namespace gm::test
