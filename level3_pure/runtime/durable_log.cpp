/// \file
/// The durable log: recovery on open, group commit, compaction. Every system call's failure goes
/// through fail(), which makes the log unusable and throws: the node stops (durable_log.hpp says
/// why retrying is not safe).

#include "level3_pure/runtime/durable_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "level3_pure/runtime/disk_record.hpp"

namespace ladder::level3 {

namespace {

// Write in pieces of at least this size when append() alone fills the buffer: one write(2) per
// batch in the normal case, bounded memory when a caller appends without syncing.
constexpr std::size_t kWriteBufferBytes = 64 * 1024;

std::string compact_path(const std::filesystem::path& path) {
  return path.string() + ".compact";
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

[[noreturn]] void throw_os_error(const std::filesystem::path& path, std::string_view call,
                                 int error) {
  throw DiskError(fmt::format(
      "{}: {} failed: {}; the disk's state is unknown after a failed {}, so the node stops: "
      "restart it to recover from what is on disk",
      path.string(), call, std::strerror(error), call));
}

// A file descriptor closed on scope exit: for the files a recovery or a compaction opens briefly.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  // Gives up ownership: the caller closes it.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Writes all of `bytes` through short writes and EINTR: at the file's offset (moving it), or at
// byte `at` (leaving the offset alone); false on an error (errno says which).
bool write_all(int fd, std::string_view bytes, std::optional<std::uint64_t> at = std::nullopt) {
  while (!bytes.empty()) {
    const ssize_t written = at ? ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(*at))
                               : ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
    if (at) *at += static_cast<std::uint64_t>(written);
  }
  return true;
}

// Writes zero bytes over [from, to) of the file, without moving its offset; false on an error.
bool write_zeros(int fd, std::uint64_t from, std::uint64_t to) {
  static const std::string zeros(kWriteBufferBytes, '\0');
  for (; from < to; from += zeros.size()) {
    const std::uint64_t size = std::min<std::uint64_t>(to - from, zeros.size());
    if (!write_all(fd, std::string_view(zeros).substr(0, size), from)) return false;
  }
  return true;
}

// Reads the whole file from offset 0; false on an error (errno says which).
bool read_all(int fd, std::string& out) {
  out.clear();
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t got = ::pread(fd, chunk, sizeof chunk, static_cast<off_t>(out.size()));
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (got == 0) return true;
    out.append(chunk, static_cast<std::size_t>(got));
  }
}

// Makes a directory entry's creation, rename or removal durable.
void sync_directory(const std::filesystem::path& file) {
  const std::filesystem::path dir = directory_of(file);
  const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_os_error(dir, "open (of the directory)", errno);
  if (::fsync(fd.get()) != 0) throw_os_error(dir, "fsync (of the directory)", errno);
}

}  // namespace

const char* to_string(DiskRecovery recovery) {
  switch (recovery) {
    case DiskRecovery::created:
      return "created";
    case DiskRecovery::clean:
      return "clean";
    case DiskRecovery::torn_tail:
      return "torn_tail";
    case DiskRecovery::repaired:
      return "repaired";
  }
  assert(false && "to_string of a DiskRecovery outside the enum");
  return "?";
}

DurableLog::DurableLog(std::filesystem::path path, DurableLogOptions options)
    : path_(std::move(path)), options_(options) {
  report_.path = path_;
}

DurableLog::DurableLog(DurableLog&& other) noexcept
    : path_(std::move(other.path_)),
      options_(other.options_),
      fd_(std::exchange(other.fd_, -1)),
      failed_(other.failed_),
      unsynced_(other.unsynced_),
      recovered_(std::move(other.recovered_)),
      report_(std::move(other.report_)),
      stats_(other.stats_),
      staged_(std::move(other.staged_)),
      buffer_(std::move(other.buffer_)),
      last_record_(std::move(other.last_record_)) {}

DurableLog& DurableLog::operator=(DurableLog&& other) noexcept {
  if (this != &other) {
    close_fd();
    path_ = std::move(other.path_);
    options_ = other.options_;
    fd_ = std::exchange(other.fd_, -1);
    failed_ = other.failed_;
    unsynced_ = other.unsynced_;
    recovered_ = std::move(other.recovered_);
    report_ = std::move(other.report_);
    stats_ = other.stats_;
    staged_ = std::move(other.staged_);
    buffer_ = std::move(other.buffer_);
    last_record_ = std::move(other.last_record_);
  }
  return *this;
}

DurableLog::~DurableLog() {
  close_fd();
}

void DurableLog::close_fd() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void DurableLog::fail(const std::string& call) {
  const int error = errno;
  failed_ = true;
  throw_os_error(path_, call, error);
}

DurableLog DurableLog::open(const std::filesystem::path& path, const DurableLogOptions& options) {
  DurableLog log(path, options);
  log.recover();
  return log;
}

void DurableLog::recover() {
  const std::string leftover = compact_path(path_);
  if (::unlink(leftover.c_str()) == 0) {
    report_.removed_compact_file = true;
  } else if (errno != ENOENT) {
    fail("unlink of the leftover " + leftover);
  }

  fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0 && errno == ENOENT) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("open (to create the log)");
    sync_directory(path_);
    report_.outcome = DiskRecovery::created;
    report_.summary = fmt::format("{}: created, empty: no state on disk yet", path_.string());
    write_ahead();
    return;
  }
  if (fd_ < 0) fail("open");
  struct stat status {};
  if (::fstat(fd_, &status) != 0) fail("fstat");
  if (!S_ISREG(status.st_mode)) {
    failed_ = true;
    throw DiskError(fmt::format("{}: not a regular file; a durable log is one", path_.string()));
  }

  std::string bytes;
  if (!read_all(fd_, bytes)) fail("read");
  const RecordScan scan = scan_records(bytes);
  report_.records = scan.records;
  report_.valid_bytes = scan.valid_bytes;
  report_.dropped_bytes = scan.file_bytes - scan.valid_bytes - scan.zero_bytes;
  recovered_ = scan.last;
  if (scan.records > 0) {
    last_record_ =
        bytes.substr(scan.last_record_offset, scan.valid_bytes - scan.last_record_offset);
  }
  handle(scan, bytes);
  const bool repaired = report_.outcome == DiskRecovery::repaired;
  stats_.record_bytes = repaired ? 0 : scan.valid_bytes;
  stats_.file_bytes =
      report_.outcome == DiskRecovery::clean ? scan.file_bytes : stats_.record_bytes;
  // The next record goes right after the last valid one, over the zeros ahead if there are any.
  if (::lseek(fd_, static_cast<off_t>(stats_.record_bytes), SEEK_SET) < 0) fail("lseek");
  write_ahead();
}

// Records up to the compaction threshold, and one batch past it, land in place.
std::uint64_t DurableLog::preallocated_size(std::uint64_t record_bytes) const {
  return std::max(record_bytes, options_.compact_bytes_min) + kWriteBufferBytes;
}

// Zeros after the records, synced before any record lands there: a crash in the middle leaves
// zeros or a shorter file, both the clean end of the log.
void DurableLog::write_ahead() {
  if (!options_.preallocate) return;
  const std::uint64_t want = preallocated_size(stats_.record_bytes);
  if (stats_.file_bytes >= want) return;
  if (!write_zeros(fd_, stats_.file_bytes, want)) fail("write (of the zeros ahead)");
  if (::fdatasync(fd_) != 0) fail("fdatasync");
  stats_.file_bytes = want;
}

void DurableLog::handle(const RecordScan& scan, std::string_view bytes) {
  const std::string file = path_.string();
  const std::string valid =
      fmt::format("{} record{}, valid up to byte {}", group_digits(scan.records),
                  scan.records == 1 ? "" : "s", group_digits(scan.valid_bytes));
  const std::string at = group_digits(scan.valid_bytes);
  const std::uint64_t record = scan.records + 1;
  switch (scan.problem) {
    case RecordProblem::none:
      report_.outcome = DiskRecovery::clean;
      if (scan.records == 0) {
        report_.summary = fmt::format("{}: empty: no state on disk yet", file);
      } else if (scan.zero_bytes == 0) {
        report_.summary = fmt::format("{}: {}; clean", file, valid);
      } else {
        report_.summary = fmt::format("{}: {}; clean, then {} zero bytes written ahead", file,
                                      valid, group_digits(scan.zero_bytes));
      }
      return;
    case RecordProblem::torn:
      truncate_at(scan.valid_bytes);
      report_.outcome = DiskRecovery::torn_tail;
      report_.summary = fmt::format("{}: {}; torn record at byte {} ({}): truncated", file, valid,
                                    at, scan.detail);
      return;
    case RecordProblem::newer_version:
      failed_ = true;
      throw DiskError(fmt::format(
          "{}: record {} at byte {} has {}: the file was written by a newer ladder; refusing to "
          "start (run a newer ladder; --repair-disk does not apply, it would destroy the newer "
          "records)",
          file, group_digits(record), at, scan.detail));
    case RecordProblem::corrupt:
      break;
  }
  repair_or_refuse(scan, bytes);
}

void DurableLog::repair_or_refuse(const RecordScan& scan, std::string_view bytes) {
  assert(scan.problem == RecordProblem::corrupt && "only corruption is repaired");
  const std::string file = path_.string();
  const std::string at = group_digits(scan.valid_bytes);
  const std::string record = group_digits(scan.records + 1);
  const std::string valid = fmt::format("{} record{} before it", group_digits(scan.records),
                                        scan.records == 1 ? "" : "s");
  if (!options_.repair) {
    failed_ = true;
    throw DiskError(fmt::format(
        "{}: corrupt record {} at byte {} ({}): refusing to start. The record is complete, so "
        "this is damage to written data, not a crash's torn write, and no state it holds can be "
        "trusted to be the latest. --repair-disk moves the whole log ({} bytes, {}) to {} and "
        "starts the replica without a disk: it then learns its state from the other replicas "
        "(rules R0-R3)",
        file, record, at, scan.detail, group_digits(bytes.size()), valid,
        file + ".corrupt-at-" + std::to_string(scan.valid_bytes)));
  }
  report_.saved_to = save_aside(bytes, scan.valid_bytes);
  truncate_at(0);
  recovered_.reset();
  last_record_.clear();
  report_.dropped_bytes = bytes.size();
  report_.outcome = DiskRecovery::repaired;
  report_.summary = fmt::format(
      "{}: corrupt record {} at byte {} ({}): stopped there, records after it ignored; "
      "--repair-disk moved the whole log ({} bytes, {}) to {}: the replica starts without a "
      "disk and learns its state from the other replicas (rules R0-R3)",
      file, record, at, scan.detail, group_digits(bytes.size()), valid, report_.saved_to.string());
}

std::filesystem::path DurableLog::save_aside(std::string_view bytes, std::uint64_t offset) {
  const std::string base = path_.string() + ".corrupt-at-" + std::to_string(offset);
  // Never overwrite an earlier repair's copy: number the new one instead.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const std::string name = attempt == 0 ? base : fmt::format("{}.{}", base, attempt);
    const Fd fd(::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      if (errno == EEXIST) continue;
      fail("open of " + name);
    }
    if (!write_all(fd.get(), bytes)) fail("write of " + name);
    if (::fsync(fd.get()) != 0) fail("fsync of " + name);
    sync_directory(name);
    return name;
  }
  errno = EEXIST;
  fail("open of " + base + " (1,000 earlier copies exist)");
}

void DurableLog::truncate_at(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("ftruncate");
  if (::fdatasync(fd_) != 0) fail("fdatasync");
}

void DurableLog::check_usable() const {
  if (failed_ || fd_ < 0) {
    throw DiskError(
        fmt::format("{}: the log is unusable after an earlier error (or was moved "
                    "from); the node must restart",
                    path_.string()));
  }
}

void DurableLog::encode_staged() {
  if (!staged_) return;
  last_record_ = encode_record(*staged_);
  buffer_ += last_record_;
  staged_.reset();
  ++stats_.records_written;
}

void DurableLog::append(const Durable& state) {
  check_usable();
  encode_staged();
  last_record_ = encode_record(state);
  buffer_ += last_record_;
  ++stats_.records_written;
  if (buffer_.size() >= kWriteBufferBytes) write_buffer();
}

void DurableLog::stage(const Durable& state) {
  check_usable();
  staged_ = state;
}

void DurableLog::write_buffer() {
  if (buffer_.empty()) return;
  if (!write_all(fd_, buffer_)) fail("write");
  stats_.record_bytes += buffer_.size();
  stats_.file_bytes = std::max(stats_.file_bytes, stats_.record_bytes);
  unsynced_ = true;
  buffer_.clear();
}

void DurableLog::sync() {
  check_usable();
  encode_staged();
  write_buffer();
  if (!unsynced_) return;
  if (::fdatasync(fd_) != 0) fail("fdatasync");
  unsynced_ = false;
  ++stats_.syncs;
  if (stats_.record_bytes > options_.compact_bytes_min) compact();
}

void DurableLog::compact() {
  assert(!last_record_.empty() && "a log past its threshold holds a record");
  assert(buffer_.empty() && !unsynced_ && "compaction follows a complete sync");
  const std::string temp = compact_path(path_);
  Fd fd(::open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail("open of " + temp);
  // 1. The new file holds the current state alone (then the zeros ahead), and is on disk before
  //    it gets the name.
  const std::uint64_t record = last_record_.size();
  const std::uint64_t size = options_.preallocate ? preallocated_size(record) : record;
  if (!write_all(fd.get(), last_record_)) fail("write of " + temp);
  if (!write_zeros(fd.get(), record, size)) fail("write of " + temp + " (the zeros ahead)");
  if (::fsync(fd.get()) != 0) fail("fsync of " + temp);
  // 2. The name moves atomically: the old file or the new one, never neither nor a mix.
  if (::rename(temp.c_str(), path_.c_str()) != 0) fail("rename of " + temp);
  // 3. The rename is durable before any later record is reported synced.
  sync_directory(path_);
  close_fd();
  fd_ = fd.release();  // the descriptor follows the renamed file; its offset is after the record
  stats_.record_bytes = record;
  stats_.file_bytes = size;
  ++stats_.compactions;
}

}  // namespace ladder::level3
