/// \file
/// Level 3's durable log: records, group commit, recovery from torn and corrupt files, compaction
/// and its crashes, and the OS errors that stop a node. Every test works in its own temporary
/// directory, removed at the end.

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "level3_pure/runtime/disk_record.hpp"
#include "level3_pure/runtime/durable_log.hpp"

namespace ladder::level3 {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device entropy;
    path_ = fs::temp_directory_path() / fmt::format("ladder-disk-{}-{:08x}", ::getpid(), entropy());
    fs::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] fs::path file(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// The durable state after `ops` adds of +1 by client 0, one uncommitted, in view `view`.
Durable state(std::uint64_t ops, protocol::ViewNumber view = 1) {
  Durable d;
  d.view = view;
  d.last_normal_view = view;
  d.log.snapshot.commit_number = ops;
  d.log.snapshot.value = static_cast<std::int64_t>(ops);
  if (ops > 0) d.log.snapshot.clients.push_back({{0, ops}, static_cast<std::int64_t>(ops)});
  d.log.suffix.push_back(protocol::Request{{1, ops + 1}, protocol::Op::add(1)});
  return d;
}

// The message of the DiskError that opening `path` throws (fails the test if none is thrown).
std::string open_error(const fs::path& path, const DurableLogOptions& options = {}) {
  try {
    (void)DurableLog::open(path, options);
  } catch (const DiskError& error) {
    return error.what();
  }
  FAIL("open succeeded on " << path);
  return "";
}

void flip(std::string& bytes, std::size_t at) {
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- records --------------------------------------------------------------------------------

TEST_CASE("crc32c is the Castagnoli CRC", "[disk][record]") {
  // The check value of CRC-32C (RFC 3720, B.4): the CRC of the ASCII digits 1..9.
  CHECK(crc32c("123456789") == 0xE3069283U);
  CHECK(crc32c("") == 0U);
}

TEST_CASE("a record is its 17-byte header, the views, the log and the end marker",
          "[disk][record]") {
  const Durable d = state(6, 2);
  const std::string record = encode_record(d);
  CHECK(record.substr(0, 5) == std::string("L3DL\x02"));
  const std::string log = protocol::encode_log(d.log);
  REQUIRE(record.size() == kRecordHeaderBytes + 16 + log.size() + kEndMarkerBytes);
  CHECK(static_cast<std::uint8_t>(record[5]) == 16 + log.size());  // length, little-endian
  CHECK(record.substr(6, 3) == std::string(3, '\0'));
  CHECK(record.substr(kRecordHeaderBytes, 8) == std::string("\x02\0\0\0\0\0\0\0", 8));
  CHECK(record.substr(kRecordHeaderBytes + 16, log.size()) == log);
  CHECK(record.substr(record.size() - kEndMarkerBytes) == "L3DE");

  const RecordScan scan = scan_records(record + record);
  CHECK(scan.problem == RecordProblem::none);
  CHECK(scan.records == 2);
  CHECK(scan.valid_bytes == 2 * record.size());
  CHECK(scan.last_record_offset == record.size());
  CHECK(scan.last == d);
}

TEST_CASE("version 1 records, without the end marker, are still read", "[disk][record]") {
  const std::string old = encode_record(state(1), 1);
  CHECK(old.substr(0, 5) == std::string("L3DL\x01"));
  CHECK(old.size() + kEndMarkerBytes == encode_record(state(1)).size());
  // An earlier build's log, then this build's records after it.
  const RecordScan scan = scan_records(old + encode_record(state(2), 1) + encode_record(state(3)));
  CHECK(scan.problem == RecordProblem::none);
  CHECK(scan.records == 3);
  CHECK(scan.last == state(3));
}

TEST_CASE("scan_records names what stopped it", "[disk][record]") {
  const std::string a = encode_record(state(1));
  const std::string b = encode_record(state(2));
  SECTION("a cut payload") {
    const RecordScan scan = scan_records(a + b.substr(0, 31));
    CHECK(scan.problem == RecordProblem::torn);
    CHECK(scan.records == 1);
    CHECK(scan.valid_bytes == a.size());
    CHECK(scan.detail ==
          fmt::format("its header says {} bytes, the file holds 31 of them", b.size()));
  }
  SECTION("a cut header") {
    const RecordScan scan = scan_records(a + b.substr(0, 9));
    CHECK(scan.problem == RecordProblem::torn);
    CHECK(scan.detail == "the file ends after 9 of the header's 17 bytes");
  }
  SECTION("zero bytes after the last record: the clean end") {
    const RecordScan scan = scan_records(a + std::string(4096, '\0'));
    CHECK(scan.problem == RecordProblem::none);
    CHECK(scan.detail.empty());
    CHECK(scan.records == 1);
    CHECK(scan.valid_bytes == a.size());
    CHECK(scan.zero_bytes == 4096);
    CHECK(scan.file_bytes == a.size() + 4096);
  }
  SECTION("a record cut short in the zeros after it, a whole sector of it missing") {
    std::string filler;  // records up to where b crosses the first sector boundary
    std::uint64_t records = 0;
    while (filler.size() + b.size() <= kSectorBytes) {
      filler += a;
      ++records;
    }
    std::size_t cut = kSectorBytes - filler.size();  // b's bytes in the first sector
    while (b[cut - 1] == '\0')
      --cut;  // the record's own zeros before the cut count as cut
    REQUIRE(cut > kRecordHeaderBytes);
    const RecordScan scan = scan_records(filler + b.substr(0, cut) + std::string(4096, '\0'));
    CHECK(scan.problem == RecordProblem::torn);
    CHECK(scan.records == records);
    CHECK(scan.valid_bytes == filler.size());
    CHECK(scan.zero_bytes == 0);
    CHECK(scan.detail == fmt::format("its header says {} bytes, the file holds {} of them, then "
                                     "4,096 zero bytes to the end of the file",
                                     b.size(), cut));
  }
  SECTION("a record whose zeros start inside its last sector: corrupt") {
    std::size_t cut = 31;
    while (b[cut - 1] == '\0')
      --cut;
    const RecordScan scan = scan_records(a + b.substr(0, cut) + std::string(4096, '\0'));
    CHECK(scan.problem == RecordProblem::corrupt);
    CHECK(scan.detail == "payload checksum mismatch");
  }
  SECTION("a complete record damaged, zeros after it: corrupt, never torn") {
    // The payload of a state with an empty log ends in zero bytes (the empty log's encoding):
    // without the end marker, a damaged version 1 record would read as cut short where its own
    // zeros begin.
    const std::string old = encode_record(Durable{}, 1);
    REQUIRE(old.back() == '\0');
    for (const std::string& record : {old, encode_record(Durable{})}) {
      std::string damaged = a + record + std::string(100, '\0');
      flip(damaged, a.size() + kRecordHeaderBytes + 2);
      const RecordScan scan = scan_records(damaged);
      CHECK(scan.problem == RecordProblem::corrupt);
      CHECK(scan.detail == "payload checksum mismatch");
    }
  }
  SECTION("a bad end marker") {
    std::string damaged = a + b;
    damaged.back() = 'X';
    const RecordScan scan = scan_records(damaged + std::string(10, '\0'));
    CHECK(scan.problem == RecordProblem::corrupt);
    CHECK(scan.detail == "end marker 4c 33 44 58, expected 4c 33 44 45 (\"L3DE\")");
  }
  SECTION("a last_normal_view beyond the view") {
    std::string payload = std::string("\x01\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0", 16);
    payload += protocol::encode_log(protocol::Log{});
    const RecordScan scan = scan_records(wrap_payload(payload));
    CHECK(scan.problem == RecordProblem::corrupt);
    CHECK(scan.detail == "payload's last_normal_view 2 exceeds its view 1");
  }
  SECTION("a payload that is not a log") {
    const RecordScan scan = scan_records(wrap_payload(std::string(16, '\0') + "\x01"));
    CHECK(scan.problem == RecordProblem::corrupt);
    CHECK(contains(scan.detail, "payload does not decode: Log.snapshot.value at byte 34"));
  }
}

TEST_CASE("group_digits puts a comma between groups of three", "[disk][record]") {
  CHECK(group_digits(0) == "0");
  CHECK(group_digits(999) == "999");
  CHECK(group_digits(1000) == "1,000");
  CHECK(group_digits(98112) == "98,112");
  CHECK(group_digits(1234567) == "1,234,567");
}

// ---- writing and reading back ---------------------------------------------------------------

TEST_CASE("a persisted state is what the next open recovers", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  {
    DurableLog log = DurableLog::open(path);
    CHECK(log.report().outcome == DiskRecovery::created);
    CHECK(log.report().summary == path.string() + ": created, empty: no state on disk yet");
    CHECK_FALSE(log.recovered());
    log.persist(state(7, 3));
    CHECK(log.stats().syncs == 1);
  }
  const DurableLog log = DurableLog::open(path);
  REQUIRE(log.recovered());
  CHECK(*log.recovered() == state(7, 3));
  CHECK(log.report().outcome == DiskRecovery::clean);
  const std::size_t size = encode_record(state(7, 3)).size();
  const std::uint64_t ahead = fs::file_size(path) - size;
  CHECK(ahead >= (std::uint64_t{1} << 20));  // the default compact_bytes_min, at least
  CHECK(log.report().summary ==
        fmt::format("{}: 1 record, valid up to byte {}; clean, then {} zero bytes written ahead",
                    path.string(), size, group_digits(ahead)));
}

TEST_CASE("records land in the zeros written ahead: the file's size does not change", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const DurableLogOptions options{.compact_bytes_min = 4096};
  const std::uint64_t size = 4096 + 64 * 1024;  // compact_bytes_min + the write buffer
  std::uint64_t bytes = 0;
  {
    DurableLog log = DurableLog::open(path, options);
    CHECK(fs::file_size(path) == size);
    CHECK(read_file(path) == std::string(size, '\0'));
    for (std::uint64_t op = 1; op <= 20; ++op) {
      log.persist(state(op));
      bytes += encode_record(state(op)).size();
      REQUIRE(fs::file_size(path) == size);
      REQUIRE(log.stats().record_bytes == bytes);
      REQUIRE(log.stats().file_bytes == size);
    }
  }
  REQUIRE(bytes < 4096);  // no compaction yet
  DurableLog log = DurableLog::open(path, options);
  CHECK(log.report().records == 20);
  CHECK(log.recovered() == state(20));
  CHECK(log.report().valid_bytes == bytes);
  CHECK(log.report().dropped_bytes == 0);
  log.persist(state(21));  // after the last valid record, not at the end of the file
  CHECK(fs::file_size(path) == size);
  const DurableLog reopened = DurableLog::open(path, options);
  CHECK(reopened.report().records == 21);
  CHECK(reopened.recovered() == state(21));
}

TEST_CASE("a log an earlier build wrote is read, and new records follow it in place", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string old = encode_record(state(1), 1) + encode_record(state(2), 1);
  write_file(path, old);  // version 1, appended: no zeros after the records
  const DurableLogOptions options{.compact_bytes_min = 4096};
  {
    DurableLog log = DurableLog::open(path, options);
    CHECK(log.recovered() == state(2));
    CHECK(log.report().summary ==
          fmt::format("{}: 2 records, valid up to byte {}; clean", path.string(), old.size()));
    CHECK(fs::file_size(path) == 4096 + 64 * 1024);  // the zeros ahead, written at open
    log.persist(state(3));
  }
  const std::string bytes = read_file(path);
  CHECK(bytes.substr(0, old.size()) == old);
  CHECK(bytes.substr(old.size(), encode_record(state(3)).size()) == encode_record(state(3)));
  const DurableLog log = DurableLog::open(path, options);
  CHECK(log.report().records == 3);
  CHECK(log.recovered() == state(3));
}

TEST_CASE("without preallocation, each sync appends and the file grows", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const DurableLogOptions options{.preallocate = false};
  DurableLog log = DurableLog::open(path, options);
  CHECK(fs::file_size(path) == 0);
  log.persist(state(1));
  log.persist(state(2));
  CHECK(read_file(path) == encode_record(state(1)) + encode_record(state(2)));
}

TEST_CASE("fifty appends and one sync: one flush, every record, the last one recovered", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  {
    DurableLog log = DurableLog::open(path);
    for (std::uint64_t op = 1; op <= 50; ++op)
      log.append(state(op));
    CHECK(log.stats().syncs == 0);
    log.sync();
    CHECK(log.stats().syncs == 1);
    CHECK(log.stats().records_written == 50);
    log.sync();  // nothing new: no second flush
    CHECK(log.stats().syncs == 1);
  }
  const DurableLog log = DurableLog::open(path);
  CHECK(log.report().records == 50);
  CHECK(log.recovered() == state(50));
}

TEST_CASE("stage keeps only the last state of a batch", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  {
    DurableLog log = DurableLog::open(path);
    for (std::uint64_t op = 1; op <= 50; ++op)
      log.stage(state(op));
    log.sync();
    CHECK(log.stats().records_written == 1);
    log.stage(state(60));
    log.append(state(61));  // the staged state goes first: order is kept
    log.sync();
    CHECK(log.stats().records_written == 3);
  }
  const DurableLog log = DurableLog::open(path);
  CHECK(log.report().records == 3);
  CHECK(log.recovered() == state(61));
}

TEST_CASE("appends beyond the write buffer are written before the sync", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  DurableLog log = DurableLog::open(path, DurableLogOptions{.preallocate = false});
  std::size_t bytes = 0;
  std::uint64_t op = 0;
  while (bytes < 64 * 1024) {
    ++op;
    log.append(state(op));
    bytes += encode_record(state(op)).size();
  }
  CHECK(fs::file_size(path) == bytes);  // written, not yet synced
  log.append(state(op + 1));
  CHECK(fs::file_size(path) == bytes);  // in the buffer
  log.sync();
  CHECK(fs::file_size(path) == bytes + encode_record(state(op + 1)).size());
}

TEST_CASE("a moved log keeps writing to the same file", "[disk]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  {
    DurableLog first = DurableLog::open(path);
    DurableLog second = std::move(first);
    second.persist(state(3));
    CHECK_THROWS_AS(first.sync(), DiskError);  // NOLINT(bugprone-use-after-move): it must throw
  }
  CHECK(DurableLog::open(path).recovered() == state(3));
}

// ---- recovery -------------------------------------------------------------------------------

TEST_CASE("an empty file holds no state", "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  write_file(path, "");
  const DurableLog log = DurableLog::open(path);
  CHECK(log.report().outcome == DiskRecovery::clean);
  CHECK(log.report().summary == path.string() + ": empty: no state on disk yet");
  CHECK_FALSE(log.recovered());
}

// Whether `path` holds `good` then zeros to `size` bytes, and recovers `expected`, then takes a
// new record after it.
void check_truncated(const fs::path& path, const std::string& good, std::uint64_t size,
                     const DurableLogOptions& options, std::uint64_t records) {
  // Cut off, and the space ahead written again: zeros after the good records.
  REQUIRE(read_file(path) == good + std::string(size - good.size(), '\0'));
  DurableLog(DurableLog::open(path, options)).persist(state(99));
  const DurableLog reopened = DurableLog::open(path, options);
  REQUIRE(reopened.report().outcome == DiskRecovery::clean);
  REQUIRE(reopened.report().records == records + 1);
  REQUIRE(reopened.recovered() == state(99));
}

TEST_CASE("a torn last record, cut at any byte, is truncated and the one before it recovered",
          "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string good = encode_record(state(1)) + encode_record(state(2));
  const std::string last = encode_record(state(3));
  const DurableLogOptions options{.compact_bytes_min = 4096};
  const std::uint64_t size = 4096 + 64 * 1024;  // compact_bytes_min + the write buffer
  for (std::size_t cut = 1; cut < last.size(); ++cut) {
    INFO("cut after " << cut << " of the last record's " << last.size() << " bytes");
    write_file(path, good + last.substr(0, cut));
    {
      const DurableLog log = DurableLog::open(path, options);
      REQUIRE(log.recovered() == state(2));
      CHECK(log.report().outcome == DiskRecovery::torn_tail);
      CHECK(log.report().records == 2);
      CHECK(log.report().dropped_bytes == cut);
      const std::string detail =
          cut < kRecordHeaderBytes
              ? fmt::format("the file ends after {} of the header's 17 bytes", cut)
              : fmt::format("its header says {} bytes, the file holds {} of them", last.size(),
                            cut);
      REQUIRE(log.report().summary ==
              fmt::format("{}: 2 records, valid up to byte {}; torn record at byte {} ({}): "
                          "truncated",
                          path.string(), good.size(), good.size(), detail));
    }
    check_truncated(path, good, size, options, 2);
  }
}

TEST_CASE("a record cut short in the zeros ahead is torn only when a whole sector of it is zero",
          "[disk][recovery]") {
  // A write in place, cut by a crash, leaves the record's first sectors and zeros after them.
  // The last record here crosses the file's first sector boundary: cut at or before it, the
  // record misses a whole sector (torn); cut after it, the zeros start inside its last sector,
  // which a crash cannot leave (corrupt: the node refuses to start, --repair-disk applies).
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string last = encode_record(state(50));
  std::string good;
  std::uint64_t records = 0;
  while (good.size() + last.size() <= kSectorBytes)
    good += encode_record(state(++records));
  REQUIRE(good.size() < kSectorBytes);
  const DurableLogOptions options{.compact_bytes_min = 4096};
  const std::uint64_t size = 4096 + 64 * 1024;
  int torn = 0;
  int corrupt = 0;
  for (std::size_t cut = 1; cut < last.size(); ++cut) {
    INFO("cut after " << cut << " of the last record's " << last.size() << " bytes, at byte "
                      << good.size());
    if (last[cut - 1] == '\0') continue;  // its own zeros would join the tail: a shorter cut
    const std::string file = good + last.substr(0, cut) + std::string(1000, '\0');
    write_file(path, file);
    // Torn needs a sound header (else the record's length is unknown: it is taken to be its
    // header, which lies inside the first sector) and the cut inside the first sector.
    if (cut < kRecordHeaderBytes || good.size() + cut > kSectorBytes) {
      ++corrupt;
      REQUIRE(contains(open_error(path, options),
                       fmt::format("corrupt record {} at byte {} (", records + 1, good.size())));
      REQUIRE(read_file(path) == file);  // a refusal changes nothing
      continue;
    }
    ++torn;
    {
      const DurableLog log = DurableLog::open(path, options);
      REQUIRE(log.recovered() == state(records));
      CHECK(log.report().outcome == DiskRecovery::torn_tail);
      CHECK(log.report().dropped_bytes == cut + 1000);
      const std::string detail =
          fmt::format("its header says {} bytes, the file holds {} of them", last.size(), cut);
      REQUIRE(contains(log.report().summary,
                       fmt::format("torn record at byte {} ({}, then 1,000 zero bytes to the end "
                                   "of the file): truncated",
                                   good.size(), detail)));
    }
    check_truncated(path, good, size, options, records);
  }
  CHECK(torn > 0);  // both outcomes were reached
  CHECK(corrupt > 0);
}

TEST_CASE("a flipped byte anywhere in a middle record refuses to start, naming record and byte",
          "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string first = encode_record(state(1));
  const std::string middle = encode_record(state(2));
  const std::string last = encode_record(state(3));
  const std::string file = first + middle + last;
  for (std::size_t at = 0; at < middle.size(); ++at) {
    INFO("byte " << at << " of the middle record flipped");
    std::string damaged = file;
    damaged[first.size() + at] = static_cast<char>(damaged[first.size() + at] ^ 0x20);
    write_file(path, damaged);

    const std::string error = open_error(path);
    REQUIRE(contains(
        error, fmt::format("{}: corrupt record 2 at byte {} (", path.string(), first.size())));
    REQUIRE(contains(error, "refusing to start"));
    REQUIRE(contains(error, "--repair-disk"));
    REQUIRE(read_file(path) == damaged);  // a refusal changes nothing

    {
      // Repaired: the whole file moved aside, the replica starts without a disk.
      DurableLog log = DurableLog::open(path, DurableLogOptions{.repair = true});
      REQUIRE_FALSE(log.recovered());
      CHECK(log.report().outcome == DiskRecovery::repaired);
      CHECK(contains(log.report().summary,
                     fmt::format("corrupt record 2 at byte {} (", first.size())));
      CHECK(contains(log.report().summary, "stopped there, records after it ignored"));
      REQUIRE(read_file(path).find_first_not_of('\0') == std::string::npos);
      REQUIRE(read_file(log.report().saved_to) == damaged);
      fs::remove(log.report().saved_to);
      log.persist(state(9));
    }
    REQUIRE(DurableLog::open(path).recovered() == state(9));
  }
}

TEST_CASE("the corruption messages say what was wrong", "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string first = encode_record(state(1));
  std::string file = first + encode_record(state(2));
  SECTION("the payload") {
    flip(file, first.size() + kRecordHeaderBytes + 3);
    write_file(path, file);
    CHECK(contains(open_error(path), fmt::format("corrupt record 2 at byte {} (payload checksum "
                                                 "mismatch): refusing to start.",
                                                 first.size())));
  }
  SECTION("the header") {
    flip(file, first.size() + 5);
    write_file(path, file);
    CHECK(contains(open_error(path), "(header checksum mismatch)"));
  }
  SECTION("the magic") {
    file[first.size()] = 'X';
    write_file(path, file);
    CHECK(contains(open_error(path), "(bad magic 58 33 44 4c, expected 4c 33 44 4c (\"L3DL\"))"));
  }
}

TEST_CASE("a repair never overwrites an earlier repair's copy", "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string first = encode_record(state(1));
  const std::string garbage = "this is not a record";
  for (int round = 0; round < 2; ++round) {
    write_file(path, first + garbage);
    const DurableLog log = DurableLog::open(path, DurableLogOptions{.repair = true});
    const std::string expected =
        fmt::format("{}.corrupt-at-{}{}", path.string(), first.size(), round == 0 ? "" : ".1");
    CHECK(log.report().saved_to == fs::path(expected));
    CHECK(read_file(expected) == first + garbage);
    CHECK(log.report().summary ==
          fmt::format("{}: corrupt record 2 at byte {} (bad magic 74 68 69 73, expected 4c 33 44 "
                      "4c (\"L3DL\")): stopped there, records after it ignored; --repair-disk "
                      "moved the whole log ({} bytes, 1 record before it) to {}: the replica "
                      "starts without a disk and learns its state from the other replicas (rules "
                      "R0-R3)",
                      path.string(), first.size(), first.size() + garbage.size(), expected));
  }
}

TEST_CASE("a file of garbage is refused; a file of zeros is an empty log", "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  std::mt19937 rng(6);
  std::string garbage;
  for (int i = 0; i < 1000; ++i)
    garbage.push_back(static_cast<char>('A' + rng() % 26));
  write_file(path, garbage);
  CHECK(contains(open_error(path), "corrupt record 1 at byte 0 (bad magic"));

  write_file(path, std::string(1000, '\0'));
  DurableLog log = DurableLog::open(path, DurableLogOptions{.compact_bytes_min = 4096});
  CHECK(log.report().outcome == DiskRecovery::clean);
  CHECK(log.report().summary == path.string() + ": empty: no state on disk yet");
  CHECK(log.report().dropped_bytes == 0);
  CHECK_FALSE(log.recovered());
  CHECK(fs::file_size(path) == 4096 + 64 * 1024);  // the zeros ahead, grown to their size
  log.persist(state(1));
  CHECK(read_file(path).substr(0, encode_record(state(1)).size()) == encode_record(state(1)));
}

TEST_CASE("a record of a newer format version is refused, even with repair", "[disk][recovery]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::string first = encode_record(state(1));
  const std::string file = first + wrap_payload("the future", 3);
  write_file(path, file);
  for (const bool repair : {false, true}) {
    const std::string error = open_error(path, DurableLogOptions{.repair = repair});
    CHECK(contains(error, fmt::format("{}: record 2 at byte {} has format version 3; this build "
                                      "reads versions 1 to 2: the file was written by a newer "
                                      "ladder",
                                      path.string(), first.size())));
    CHECK(read_file(path) == file);
  }
}

TEST_CASE("a path that is not a regular file is refused", "[disk][recovery]") {
  const TempDir dir;
  fs::create_symlink("/dev/null", dir.file("null.log"));
  CHECK(contains(open_error(dir.file("null.log")), "null.log: not a regular file"));
  fs::create_directory(dir.file("dir.log"));
  CHECK(contains(open_error(dir.file("dir.log")), "dir.log: open failed: Is a directory"));
  CHECK(contains(open_error(dir.file("missing/r1.log")),
                 "r1.log: open (to create the log) failed: No such file or directory"));
}

// ---- compaction -----------------------------------------------------------------------------

TEST_CASE("compaction bounds the file and keeps the last state", "[disk][compaction]") {
  const bool preallocate = GENERATE(false, true);
  INFO("preallocate: " << preallocate);
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const std::size_t record = encode_record(state(1)).size();
  const DurableLogOptions options{.compact_bytes_min = 10 * record, .preallocate = preallocate};
  {
    DurableLog log = DurableLog::open(path, options);
    std::uint64_t compactions = 0;  // the expected count: whenever the file passes 10 records
    std::size_t bytes = 0;
    for (std::uint64_t op = 1; op <= 100; ++op) {
      log.persist(state(op));
      bytes += encode_record(state(op)).size();
      if (bytes > 10 * record) {
        ++compactions;
        bytes = encode_record(state(op)).size();
      }
      REQUIRE(log.stats().record_bytes == bytes);
      // Preallocated, the file keeps its size: the threshold and a write buffer.
      REQUIRE(fs::file_size(path) == (preallocate ? 10 * record + 64 * 1024 : bytes));
    }
    CHECK(compactions >= 9);
    CHECK(log.stats().compactions == compactions);
    CHECK(log.stats().file_bytes == fs::file_size(path));
  }
  const DurableLog log = DurableLog::open(path, options);
  CHECK(log.report().outcome == DiskRecovery::clean);
  CHECK(log.recovered() == state(100));
  CHECK_FALSE(fs::exists(path.string() + ".compact"));
}

TEST_CASE("a crash at any step of a compaction recovers the last state", "[disk][compaction]") {
  // A compaction writes <log>.compact, fsyncs it, renames it over the log, fsyncs the
  // directory. Each case is the disk a crash leaves between two of those steps.
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  const fs::path temp = path.string() + ".compact";
  const std::string old_log = encode_record(state(1)) + encode_record(state(2));
  const std::string new_log = encode_record(state(2));
  SECTION("before the temporary file is complete: a torn leftover") {
    write_file(path, old_log);
    write_file(temp, new_log.substr(0, 10));
  }
  SECTION("after it is written, before the rename: a complete leftover") {
    write_file(path, old_log);
    write_file(temp, new_log);
  }
  SECTION("after the rename: the new file alone") {
    write_file(path, new_log);
  }
  DurableLog log = DurableLog::open(path);
  CHECK(log.recovered() == state(2));
  CHECK(log.report().outcome == DiskRecovery::clean);
  CHECK_FALSE(fs::exists(temp));
  log.persist(state(3));
  CHECK(DurableLog::open(path).recovered() == state(3));
}

TEST_CASE("a leftover compaction file is reported", "[disk][compaction]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  write_file(path, encode_record(state(1)));
  write_file(path.string() + ".compact", "half");
  CHECK(DurableLog::open(path).report().removed_compact_file);
  CHECK_FALSE(DurableLog::open(path).report().removed_compact_file);
}

// ---- OS errors ------------------------------------------------------------------------------

// While it lives, RLIMIT_FSIZE makes the kernel refuse to grow a file past `bytes` (EFBIG), as a
// full disk (ENOSPC) would; SIGXFSZ, which it also sends, is ignored so that write(2) reports
// the error. Both come back when it goes, also when a check fails in between.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uintmax_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved_;
    small.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    CHECK(::setrlimit(RLIMIT_FSIZE, &saved_) == 0);  // a check, not a REQUIRE: no throw here
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = SIG_DFL;
};

TEST_CASE("a failed write stops the log for good, with the OS's reason", "[disk][errors]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  // Appending: a write in place into the zeros ahead would not grow the file.
  DurableLog log = DurableLog::open(path, DurableLogOptions{.preallocate = false});
  log.persist(state(1));

  std::string error;
  {
    const FileSizeLimit limit(fs::file_size(path));
    try {
      log.persist(state(2));
    } catch (const DiskError& e) {
      error = e.what();
    }
  }

  CHECK(contains(error, path.string() + ": write failed: File too large"));
  CHECK(contains(error, "restart it to recover from what is on disk"));
  // Unusable afterwards: a retry could report a state durable that is not.
  CHECK_THROWS_WITH(log.sync(), Catch::Contains("unusable after an earlier error"));
  CHECK_THROWS_AS(log.append(state(3)), DiskError);
  CHECK(DurableLog::open(path).recovered() == state(1));
}

TEST_CASE("a failed write of the zeros ahead stops the log at open, naming the call",
          "[disk][errors]") {
  const TempDir dir;
  const fs::path path = dir.file("r1.log");
  std::string error;
  {
    const FileSizeLimit limit(1000);  // less than the zeros ahead
    error = open_error(path, DurableLogOptions{.compact_bytes_min = 4096});
  }
  CHECK(contains(error, path.string() + ": write (of the zeros ahead) failed: File too large"));
  // Whatever zeros were written are the clean end of an empty log.
  const DurableLog log = DurableLog::open(path, DurableLogOptions{.compact_bytes_min = 4096});
  CHECK(log.report().outcome == DiskRecovery::clean);
  CHECK_FALSE(log.recovered());
}

}  // namespace
}  // namespace ladder::level3
