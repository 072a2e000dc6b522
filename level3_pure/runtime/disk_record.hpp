#pragma once
/// \file
/// The records of level 3's durable log (durable_log.hpp): their byte layout, their encoder, and
/// the scanner that recovery runs over a whole file. Pure functions on bytes, no IO: the fuzz
/// target and the tests call them directly.
///
/// ## The byte layout, version 2
///
/// A log file is records back to back, nothing before or between them, then zero bytes: space
/// that DurableLog writes ahead so that a record lands in place, without changing the file's
/// size (an fdatasync then has no inode to write: bench/RESULTS.md, "Level 3's durable log").
/// A record is:
///
///     bytes          field
///     [0, 4)         magic "L3DL" (4c 33 44 4c)
///     [4]            format version, 2
///     [5, 9)         payload length n, u32 little-endian, <= kMaxRecordPayloadBytes
///     [9, 13)        CRC-32C (Castagnoli) of the payload, u32 little-endian
///     [13, 17)       CRC-32C of bytes [0, 13): the header's own checksum
///     [17, 17+n)     payload: view u64 LE, last_normal_view u64 LE, then the log exactly as
///                    protocol::encode_log writes it (the Log row of protocol/codec.hpp)
///     [17+n, 21+n)   end marker "L3DE" (4c 33 44 45)
///
/// Version 1, which earlier builds wrote and this one still reads, is the same without the end
/// marker. The header has its own checksum so that a damaged length is caught as corruption,
/// and not taken for a record cut short by a crash (which would silently drop every record after
/// it). Those 17 bytes keep this layout in every future version, so that a newer file is
/// recognised and refused by name; a newer version may change the rest.
///
/// The encoding is canonical, as the codec's: a Durable has exactly one record of each version.
///
/// ## Why the end marker, and sectors
///
/// A record written into the zeros ahead and cut short by a crash leaves its first bytes and
/// then zeros, not the end of the file. The scan must tell that (torn: the write was never
/// synced, nobody relied on it) from a complete record damaged later (corrupt: it may be the
/// state the replica promised the world). Two facts separate them. A disk writes whole sectors
/// (kSectorBytes), so a cut write misses at least one whole sector of the record: zeros from a
/// sector boundary on, inside the record. And the end marker's last byte is not zero, so the
/// zeros after a record's last nonzero byte never cut a complete version 2 record short (a
/// version 1 record may end in zeros of its own, the high bytes of a small number: the rule does
/// not apply to it). A record whose zeros start inside a sector, or that keeps its whole length,
/// is corrupt.
///
/// ## How a scan classifies what follows the last valid record
///
/// - **nothing, or only zero bytes**: the clean end (RecordScan::zero_bytes counts the zeros).
///   Zeros are the space written ahead; they are also what a filesystem can leave where a
///   record's write never reached the disk, which is the same state: none there.
/// - **torn**: the record is cut short: the file ends inside it (or, for version 2, its nonzero
///   bytes do, zeros following to the end of the file, a whole sector of the record among them)
///   and its bytes so far agree with a record (a cut header whose bytes match the magic and a
///   known version; or a sound header claiming more bytes than remain). What a crash during an
///   unsynced write leaves.
/// - **newer_version**: a sound header (magic and header checksum) of a version above
///   kDiskFormatVersion.
/// - **corrupt**: anything else: bad magic, header or payload checksum mismatch, a bad end
///   marker, an impossible length or version, a payload that does not decode (or whose
///   last_normal_view exceeds its view). What damage to a synced file leaves. A crash can leave
///   this too when the sectors of one write reach the disk out of order (a later one written, an
///   earlier one not): the node then refuses to start and --repair-disk applies, but no
///   acknowledged state is ever taken for torn.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "level3_pure/core/replica.hpp"
#include "protocol/codec.hpp"

namespace ladder::level3 {

/// The format version this build writes (and the newest it reads).
inline constexpr std::uint8_t kDiskFormatVersion = 2;
/// The oldest format version this build reads.
inline constexpr std::uint8_t kOldestDiskFormatVersion = 1;
/// The bytes of version 2's end marker.
inline constexpr std::size_t kEndMarkerBytes = 4;
/// The unit a disk writes whole or not at all, as the scan assumes: a write cut short by a crash
/// leaves whole sectors of zeros (disk_record.hpp's file comment).
inline constexpr std::size_t kSectorBytes = 512;
/// The bytes of a record's header.
inline constexpr std::size_t kRecordHeaderBytes = 17;
/// The largest payload: the two views and the widest log.
inline constexpr std::size_t kMaxRecordPayloadBytes = 16 + protocol::kMaxLogBytes;

/// The record holding `state`, in format `version` (1 only to write an earlier build's file, in
/// tests). Precondition (asserted): its log respects the codec's bounds and
/// state.last_normal_view <= state.view.
std::string encode_record(const Durable& state, std::uint8_t version = kDiskFormatVersion);

/// A record around any `payload` with sound checksums, the given version byte and, from version 2
/// on, the end marker: for tests and the fuzz target, which reach the payload decoder (or write a
/// "newer" file) through it.
/// Precondition (asserted): payload.size() <= kMaxRecordPayloadBytes.
std::string wrap_payload(std::string_view payload, std::uint8_t version = kDiskFormatVersion);

/// The CRC-32C (Castagnoli, reflected, as iSCSI and ext4 use) of `bytes`.
std::uint32_t crc32c(std::string_view bytes);

/// What stopped a scan.
enum class RecordProblem {
  none,           ///< every byte belongs to a valid record
  torn,           ///< the last record is cut short
  corrupt,        ///< a record is damaged
  newer_version,  ///< a record of a format version this build cannot read
};

/// "none", "torn", "corrupt", "newer_version".
const char* to_string(RecordProblem problem);

/// What a scan of a whole log file found.
struct RecordScan {
  std::uint64_t records = 0;      ///< valid records before the first bad one (or the end)
  std::uint64_t valid_bytes = 0;  ///< the valid records are bytes [0, valid_bytes)
  /// problem == none: the zero bytes after the valid records, to the end of the file; else 0.
  std::uint64_t zero_bytes = 0;
  std::uint64_t file_bytes = 0;  ///< the bytes scanned
  /// Where the last valid record starts (meaningful when records > 0).
  std::uint64_t last_record_offset = 0;
  std::optional<Durable> last;  ///< the last valid record's state, nullopt when there is none
  RecordProblem problem = RecordProblem::none;  ///< what stopped the scan
  /// Why, when problem != none: "its header says 94 bytes, the file holds 48 of them", "payload
  /// checksum mismatch", "format version 2; this build reads version 1", ...
  std::string detail;
};

/// Reads `file` record by record from its first byte and stops at the first bad record (which
/// starts at valid_bytes and is record number records + 1), or where only zero bytes remain.
/// Never throws on any input.
RecordScan scan_records(std::string_view file);

/// `value` with a comma between groups of three digits: 98112 -> "98,112".
std::string group_digits(std::uint64_t value);

}  // namespace ladder::level3
