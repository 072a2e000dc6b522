#pragma once
/// \file
/// Level 3's disk: the file a real replica's Persist actions go to, and the Durable state a
/// restart reads back (Recovered{disk, nonce}).
///
/// ## What is on disk
///
/// One append-only file of records (disk_record.hpp has the byte layout). Every record holds a
/// whole Durable, because a Persist is always whole (action.hpp): the disk's state is therefore
/// the **last valid record**, and nothing older is ever read back. The file is compacted when its
/// records pass a threshold: the current state is written alone to `<file>.compact`, that file is
/// fsync'ed and renamed over the log, and the directory is fsync'ed.
///
/// **Space written ahead.** The records are followed by zero bytes, written and synced before
/// any record goes there (DurableLogOptions::preallocate): a record then overwrites zeros in
/// place and the file's size never changes, so an fdatasync writes the record's page and
/// nothing else. Appending past the end would change the size, which fdatasync must also make
/// durable: one more write to the disk per sync, about a quarter of the sync's time here
/// (bench/RESULTS.md, "Level 3's durable log"). Zeros after the records are the clean end of the
/// log, whether written ahead or left by a lost write (disk_record.hpp: the same state, none).
///
/// ## The driver's duties (group commit)
///
/// 1. For each Persist of a batch of inputs, call append(state) (or stage(state), below).
/// 2. Call sync() once, **before** executing any Send or ReplyToClient of the batch (rule P2).
///    One fdatasync then covers every record of the batch: with 50 clients that is 50 Persists
///    for one disk flush instead of 50.
/// 3. If sync() (or anything else) throws DiskError, stop the node: see "Errors" below.
///
/// stage(state) is the cheap form of append: it keeps only the latest staged state in memory
/// and writes it at the next sync (or before the next append). Writing only the last Persist of
/// a batch is equivalent to writing all of them, because (a) each record is whole and recovery
/// reads only the last one, so the earlier ones could only ever be read back after a crash
/// between their write and the batch's sync, and (b) in that case no action that depends on
/// them has run yet (the batch's sends wait for sync), so recovering the previous batch's state
/// is exactly what the replica promised the world.
///
/// ## Recovery, on open
///
/// Records are read from the start; reading stops at the first record that is not valid.
///
/// - **A torn tail** (the file, or its nonzero bytes with zeros after them, ends inside a record
///   whose bytes so far are those of a record: the header is cut, or the header is sound and
///   claims more bytes than there are) is the normal result of a crash during a write that was
///   never synced, so nobody relied on it. It is cut off (ftruncate + fdatasync, then the space
///   ahead is written again) so that new records follow the last good one, and the report says
///   so: `r1.log: 1,204 records, valid up to byte 98,112; torn record at byte 98,112 (its header
///   says 94 bytes, the file holds 31 of them): truncated`.
/// - **A corrupt record** (bad magic, header or payload checksum mismatch, undecodable payload)
///   whose bytes are all there is not the result of a crash: something damaged written data.
///   open() refuses with a DiskError naming the record and the byte. Starting from the last good
///   record before it would be wrong: that state is older than what the replica told the world
///   (a PrepareOk for a later op, a vote in a later view), so an acknowledged op could be lost.
///   With DurableLogOptions::repair (the node's `--repair-disk`), open() moves **the whole file**
///   aside to `<file>.corrupt-at-<offset>` (fsync'ed; nothing is lost silently), truncates the log
///   to empty and recovers nullopt: the replica starts without a disk and learns its state from
///   the other replicas (rules R0-R3), which is what the protocol provides for a lost disk, and
///   is safe while a majority of the others is up. A crash before its next Persist finds the log
///   empty and recovers the same way.
/// - **A record of a newer format version** is always refused, with or without repair: this
///   build cannot tell what the newer records say, and truncating them would destroy them.
/// - A leftover `<file>.compact` is a compaction that crashed before its rename: the log itself
///   is intact, and the leftover is removed (and reported).
///
/// ## Why compaction is crash-safe
///
/// The new file holds only the state the log already ends with, and it is complete and synced
/// before the rename. A crash before the rename leaves the old log intact plus a leftover
/// `.compact` (removed on open); rename(2) replaces the name atomically, so a crash after it leaves
/// either the old or the new file under the log's name, both ending with the same state; the
/// directory fsync makes the new name durable before any later append is reported synced.
///
/// ## Errors
///
/// Every OS error (ENOSPC, EIO, ...) throws DiskError with the file, the call and strerror, and
/// leaves the DurableLog unusable (every later call throws). The node must stop and restart from
/// what is on disk. An fsync failure in particular cannot be retried: Linux reports a writeback
/// error once and may mark the failed pages clean, so a second fsync can succeed although the data
/// never reached the disk (PostgreSQL's "fsyncgate", 2018). Only a restart, which reads back what
/// really is on disk, is safe.
///
/// A DurableLog is not thread-safe: one driver thread owns it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "level3_pure/core/replica.hpp"

namespace ladder::level3 {

struct RecordScan;

/// A disk failure the node cannot continue after: an OS error, a corrupt log (without repair) or
/// a log of a newer format. what() is one line naming the file, the record or call, and the cause.
class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How a DurableLog opens its file.
struct DurableLogOptions {
  /// Compact when a sync leaves the file larger than this: the log then holds one record again.
  std::uint64_t compact_bytes_min = std::uint64_t{1} << 20;
  /// `--repair-disk`: on a corrupt record, move the whole file aside and start with an empty log
  /// (recovered() is nullopt), instead of refusing to start. Never applies to a newer format
  /// version.
  bool repair = false;
  /// Keep the file compact_bytes_min + 64 KiB long, zeros written (and synced) after the records,
  /// so that every record until the next compaction lands in place (the file comment says why).
  /// false: records are appended, the file grows with each sync (what builds before 2026-12 did).
  bool preallocate = true;
};

/// What open() found, in one value.
enum class DiskRecovery {
  created,    ///< the file did not exist: it was created (and its directory fsync'ed), empty
  clean,      ///< every byte of the file belongs to a valid record (possibly none)
  torn_tail,  ///< a torn last record was cut off: the normal result of a crash
  repaired,   ///< a corrupt record was found and, as `repair` asked, the file moved aside
};

/// "created", "clean", "torn_tail", "repaired".
const char* to_string(DiskRecovery recovery);

/// What open() found and did, for the node's log.
struct DiskReport {
  std::filesystem::path path;                    ///< the log file
  DiskRecovery outcome = DiskRecovery::created;  ///< what was found
  std::uint64_t records = 0;                     ///< valid records read (the last one is the state)
  std::uint64_t valid_bytes = 0;                 ///< bytes 0 .. valid_bytes hold those records
  /// Bytes cut off the file: a torn tail; or, repaired, the whole file.
  std::uint64_t dropped_bytes = 0;
  std::filesystem::path saved_to;     ///< repaired: where the whole file was copied; else empty
  bool removed_compact_file = false;  ///< a crashed compaction's leftover was removed
  /// One line, e.g. "r1.log: 1,204 records, valid up to byte 98,112; torn record at byte 98,112
  /// (its header says 94 bytes, the file holds 31 of them): truncated".
  std::string summary;
};

/// Counters since open(), for logs and the benchmark.
struct DiskStats {
  std::uint64_t records_written = 0;  ///< records written (staged ones that were replaced: not)
  std::uint64_t syncs = 0;            ///< fdatasync calls made by sync()
  std::uint64_t compactions = 0;      ///< compactions done
  /// The bytes of records in the file, written ones included (the zeros ahead are not counted).
  std::uint64_t record_bytes = 0;
  /// The file's size: record_bytes, plus the zeros ahead when preallocating.
  std::uint64_t file_bytes = 0;
};

/// The durable log of one replica: append, sync, recover. Move-only; closes its file.
class DurableLog {
 public:
  /// Opens the log at `path`, creating it (and nothing else: the directory must exist) if it is
  /// missing, and recovers as the file comment says. Throws DiskError on an OS error, on a corrupt
  /// record (unless options.repair) and on a newer format version.
  static DurableLog open(const std::filesystem::path& path, const DurableLogOptions& options = {});

  /// Moves the open file; `other` is left closed.
  DurableLog(DurableLog&& other) noexcept;
  /// Moves the open file, closing this one's first.
  DurableLog& operator=(DurableLog&& other) noexcept;
  DurableLog(const DurableLog&) = delete;
  DurableLog& operator=(const DurableLog&) = delete;
  /// Closes the file. Appended but unsynced records may or may not reach the disk.
  ~DurableLog();

  /// The state the disk held at open(): the last valid record, or nullopt when it held none (or
  /// when a repair moved it aside). Feed it to the core as Recovered{recovered(), nonce}.
  [[nodiscard]] const std::optional<Durable>& recovered() const { return recovered_; }
  /// What open() found and did.
  [[nodiscard]] const DiskReport& report() const { return report_; }

  /// Adds a record holding `state` (after a staged one, if any). It may be written (write(2))
  /// now or later, but it is durable only when sync() returns.
  void append(const Durable& state);
  /// Keeps `state` as the one to write at the next sync(), replacing a state staged earlier and
  /// not yet written: the cheap way to persist only the last Persist of a batch (see the file
  /// comment for why that is equivalent).
  void stage(const Durable& state);
  /// Writes what append and stage left in memory, then one fdatasync: when it returns, the last
  /// state appended or staged is on disk. Compacts the file when it grew past the threshold.
  void sync();
  /// append(state) then sync(): a Persist on its own.
  void persist(const Durable& state) {
    append(state);
    sync();
  }

  /// Counters since open().
  [[nodiscard]] const DiskStats& stats() const { return stats_; }
  /// The log file.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  DurableLog(std::filesystem::path path, DurableLogOptions options);
  void recover();
  void handle(const RecordScan& scan, std::string_view bytes);
  void repair_or_refuse(const RecordScan& scan, std::string_view bytes);
  std::filesystem::path save_aside(std::string_view bytes, std::uint64_t offset);
  void truncate_at(std::uint64_t size);
  void write_ahead();
  [[nodiscard]] std::uint64_t preallocated_size(std::uint64_t record_bytes) const;
  void check_usable() const;
  void encode_staged();
  void write_buffer();
  void compact();
  void close_fd() noexcept;
  [[noreturn]] void fail(const std::string& call);

  std::filesystem::path path_;
  DurableLogOptions options_;
  int fd_ = -1;
  bool failed_ = false;    // an OS error happened: every later call throws
  bool unsynced_ = false;  // bytes were written since the last fdatasync
  std::optional<Durable> recovered_;
  DiskReport report_;
  DiskStats stats_;
  std::optional<Durable> staged_;  // stage()'s state, not yet encoded
  std::string buffer_;             // encoded records not yet written
  std::string last_record_;        // the last record encoded: what a compaction writes
};

}  // namespace ladder::level3
