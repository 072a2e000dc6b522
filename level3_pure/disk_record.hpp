#pragma once
/// \file
/// The records of level 3's durable log (durable_log.hpp): their byte layout, their encoder, and
/// the scanner that recovery runs over a whole file. Pure functions on bytes, no IO: the fuzz
/// target and the tests call them directly.
///
/// ## The byte layout, version 1
///
/// A log file is records back to back, nothing before or between them. A record is:
///
///     bytes     field
///     [0, 4)    magic "L3DL" (4c 33 44 4c)
///     [4]       format version, 1
///     [5, 9)    payload length n, u32 little-endian, <= kMaxRecordPayloadBytes
///     [9, 13)   CRC-32C (Castagnoli) of the payload, u32 little-endian
///     [13, 17)  CRC-32C of bytes [0, 13): the header's own checksum
///     [17, 17+n) payload: view u64 LE, last_normal_view u64 LE, then the log exactly as
///               protocol::encode_log writes it (the Log row of protocol/codec.hpp)
///
/// The header has its own checksum so that a damaged length is caught as corruption, and not
/// taken for a record cut short by a crash (which would silently drop every record after it).
/// Those 17 bytes keep this layout in every future version, so that a newer file is recognised
/// and refused by name; a newer version may change the payload.
///
/// The encoding is canonical, as the codec's: a Durable has exactly one record.
///
/// ## How a scan classifies the first bad record
///
/// - **torn**: the file ends inside the record and its bytes so far agree with a record (a cut
///   header whose bytes match the magic and the version; or a sound header claiming more bytes
///   than remain), or every byte from the record on is zero. What a crash during an unsynced
///   write leaves.
/// - **newer_version**: a sound header (magic and header checksum) of a version above
///   kDiskFormatVersion.
/// - **corrupt**: anything else: bad magic, header or payload checksum mismatch, an impossible
///   length or version, a payload that does not decode (or whose last_normal_view exceeds its
///   view). What damage to a synced file leaves.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "level3_pure/replica.hpp"
#include "protocol/codec.hpp"

namespace ladder::level3 {

/// The format version this build writes and reads.
inline constexpr std::uint8_t kDiskFormatVersion = 1;
/// The bytes of a record's header.
inline constexpr std::size_t kRecordHeaderBytes = 17;
/// The largest payload: the two views and the widest log.
inline constexpr std::size_t kMaxRecordPayloadBytes = 16 + protocol::kMaxLogBytes;

/// The record holding `state`. Precondition (asserted): its log respects the codec's bounds and
/// state.last_normal_view <= state.view.
std::string encode_record(const Durable& state);

/// A record around any `payload` with sound checksums and the given version byte: for tests and
/// the fuzz target, which reach the payload decoder (or write a "newer" file) through it.
/// Precondition (asserted): payload.size() <= kMaxRecordPayloadBytes.
std::string wrap_payload(std::string_view payload, std::uint8_t version = kDiskFormatVersion);

/// The CRC-32C (Castagnoli, reflected, as iSCSI and ext4 use) of `bytes`.
std::uint32_t crc32c(std::string_view bytes);

/// What stopped a scan.
enum class RecordProblem {
  none,           ///< every byte belongs to a valid record
  torn,           ///< the last record is cut short (or zero bytes follow the valid ones)
  corrupt,        ///< a record is damaged
  newer_version,  ///< a record of a format version this build cannot read
};

/// "none", "torn", "corrupt", "newer_version".
const char* to_string(RecordProblem problem);

/// What a scan of a whole log file found.
struct RecordScan {
  std::uint64_t records = 0;      ///< valid records before the first bad one (or the end)
  std::uint64_t valid_bytes = 0;  ///< the valid records are bytes [0, valid_bytes)
  std::uint64_t file_bytes = 0;   ///< the bytes scanned
  /// Where the last valid record starts (meaningful when records > 0).
  std::uint64_t last_record_offset = 0;
  std::optional<Durable> last;  ///< the last valid record's state, nullopt when there is none
  RecordProblem problem = RecordProblem::none;  ///< what stopped the scan
  /// Why, when problem != none: "its header says 94 bytes, the file holds 48 of them", "payload
  /// checksum mismatch", "format version 2; this build reads version 1", ...
  std::string detail;
};

/// Reads `file` record by record from its first byte and stops at the first bad record (which
/// starts at valid_bytes and is record number records + 1). Never throws on any input.
RecordScan scan_records(std::string_view file);

/// `value` with a comma between groups of three digits: 98112 -> "98,112".
std::string group_digits(std::uint64_t value);

}  // namespace ladder::level3
