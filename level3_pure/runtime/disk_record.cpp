/// \file
/// The durable log's records: encoding, checksums and the scan recovery runs, in the order of the
/// layout table in disk_record.hpp.

#include "level3_pure/runtime/disk_record.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <variant>

#include <fmt/format.h>
#include <boost/crc.hpp>

namespace ladder::level3 {

namespace {

constexpr std::array<char, 4> kMagic = {'L', '3', 'D', 'L'};
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kLengthAt = 5;
constexpr std::size_t kPayloadCrcAt = 9;
constexpr std::size_t kHeaderCrcAt = 13;
constexpr std::size_t kViewsBytes = 16;
// Version 2's end marker, "L3DE": never zero in its last byte, so a complete record never ends
// in a zero byte (the file comment of disk_record.hpp says why that matters).
constexpr std::array<char, kEndMarkerBytes> kEndMarker = {'L', '3', 'D', 'E'};

bool known_version(std::uint8_t version) {
  return version >= kOldestDiskFormatVersion && version <= kDiskFormatVersion;
}

// The bytes after the payload: version 1 has none.
std::size_t trailer_bytes(std::uint8_t version) {
  return version >= 2 ? kEndMarkerBytes : 0;
}

static_assert(kHeaderCrcAt + 4 == kRecordHeaderBytes, "the header ends with its checksum");

void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xffU));
  }
}

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xffU));
  }
}

// Little-endian, from bytes the caller has checked exist.
std::uint64_t get_le(std::string_view bytes, std::size_t at, std::size_t width) {
  assert(at + width <= bytes.size() && "get_le past the end: the caller checks sizes");
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= std::uint64_t{static_cast<std::uint8_t>(bytes[at + i])} << (8 * i);
  }
  return value;
}

std::uint32_t get_u32(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(get_le(bytes, at, 4));
}

// The bytes of the record whose whole header starts `rest`, as its length and version say.
std::size_t record_size(std::string_view rest) {
  assert(rest.size() >= kRecordHeaderBytes && "a whole header");
  const std::uint32_t length = get_u32(rest, kLengthAt);
  return kRecordHeaderBytes + length + trailer_bytes(static_cast<std::uint8_t>(rest[kVersionAt]));
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{:02x}", static_cast<std::uint8_t>(c));
  }
  return out;
}

// One bad record's verdict, before the scan turns it into a RecordScan.
struct Verdict {
  RecordProblem problem = RecordProblem::none;
  std::string detail;
  std::optional<Durable> state;  // set when problem == none
  std::size_t size = 0;          // the record's bytes, when problem == none
};

Verdict bad(RecordProblem problem, std::string detail) {
  return Verdict{problem, std::move(detail), std::nullopt, 0};
}

// A header cut by the end of the file: torn if its bytes agree with a record's so far.
Verdict cut_header(std::string_view rest) {
  const std::size_t magic_bytes = std::min(rest.size(), kMagic.size());
  if (!std::equal(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(magic_bytes),
                  kMagic.begin())) {
    return bad(RecordProblem::corrupt, fmt::format("bad magic {} at the end of the file",
                                                   hex(rest.substr(0, magic_bytes))));
  }
  if (rest.size() > kVersionAt && !known_version(static_cast<std::uint8_t>(rest[kVersionAt]))) {
    return bad(RecordProblem::corrupt, fmt::format("format version {} in a header cut short",
                                                   static_cast<std::uint8_t>(rest[kVersionAt])));
  }
  return bad(RecordProblem::torn, fmt::format("the file ends after {} of the header's {} bytes",
                                              rest.size(), kRecordHeaderBytes));
}

// The payload's two views and log, or why not; `payload_at` is its offset in the file.
Verdict decode_payload(std::string_view payload, std::uint64_t payload_at) {
  if (payload.size() < kViewsBytes) {
    return bad(RecordProblem::corrupt,
               fmt::format("payload of {} bytes is shorter than its two views ({} bytes)",
                           payload.size(), kViewsBytes));
  }
  Durable state;
  state.view = get_le(payload, 0, 8);
  state.last_normal_view = get_le(payload, 8, 8);
  if (state.last_normal_view > state.view) {
    return bad(RecordProblem::corrupt,
               fmt::format("payload's last_normal_view {} exceeds its view {}",
                           state.last_normal_view, state.view));
  }
  std::variant<protocol::Log, protocol::DecodeError> log =
      protocol::decode_log(payload.substr(kViewsBytes), payload_at + kViewsBytes);
  if (const auto* error = std::get_if<protocol::DecodeError>(&log)) {
    return bad(RecordProblem::corrupt, "payload does not decode: " + error->message);
  }
  state.log = std::get<protocol::Log>(std::move(log));
  return Verdict{RecordProblem::none, "", std::move(state), 0};  // the caller knows the size
}

// The record at the start of `rest` (which starts at byte `at` of the file), or why it is bad,
// taking the end of `rest` for the end of the file.
Verdict read_present(std::string_view rest, std::uint64_t at) {
  assert(!rest.empty() && "read_present at the end of the file");
  if (rest.size() < kRecordHeaderBytes) return cut_header(rest);
  if (!std::equal(kMagic.begin(), kMagic.end(), rest.begin())) {
    return bad(RecordProblem::corrupt,
               fmt::format("bad magic {}, expected {} (\"L3DL\")", hex(rest.substr(0, 4)),
                           hex({kMagic.data(), 4})));
  }
  if (crc32c(rest.substr(0, kHeaderCrcAt)) != get_u32(rest, kHeaderCrcAt)) {
    return bad(RecordProblem::corrupt, "header checksum mismatch");
  }
  const auto version = static_cast<std::uint8_t>(rest[kVersionAt]);
  if (version > kDiskFormatVersion) {
    return bad(RecordProblem::newer_version,
               fmt::format("format version {}; this build reads versions {} to {}", version,
                           kOldestDiskFormatVersion, kDiskFormatVersion));
  }
  if (!known_version(version)) {
    return bad(RecordProblem::corrupt, fmt::format("format version {} does not exist", version));
  }
  const std::uint32_t length = get_u32(rest, kLengthAt);
  if (length > kMaxRecordPayloadBytes) {
    return bad(RecordProblem::corrupt,
               fmt::format("its header says {} payload bytes, more than a record holds ({})",
                           group_digits(length), group_digits(kMaxRecordPayloadBytes)));
  }
  const std::size_t record_bytes = record_size(rest);
  if (rest.size() < record_bytes) {
    return bad(RecordProblem::torn,
               fmt::format("its header says {} bytes, the file holds {} of them",
                           group_digits(record_bytes), group_digits(rest.size())));
  }
  const std::string_view payload = rest.substr(kRecordHeaderBytes, length);
  if (crc32c(payload) != get_u32(rest, kPayloadCrcAt)) {
    return bad(RecordProblem::corrupt, "payload checksum mismatch");
  }
  if (version >= 2) {
    const std::string_view marker = rest.substr(kRecordHeaderBytes + length, kEndMarkerBytes);
    if (!std::equal(kEndMarker.begin(), kEndMarker.end(), marker.begin())) {
      return bad(RecordProblem::corrupt,
                 fmt::format("end marker {}, expected {} (\"L3DE\")", hex(marker),
                             hex({kEndMarker.data(), kEndMarkerBytes})));
    }
  }
  Verdict verdict = decode_payload(payload, at + kRecordHeaderBytes);
  verdict.size = verdict.problem == RecordProblem::none ? record_bytes : 0;
  return verdict;
}

// The bytes a record starting at `rest` claims, at least: its header's length (a sound header's)
// or, for a header cut short, the header.
std::size_t claimed_bytes(std::string_view rest) {
  return rest.size() < kRecordHeaderBytes ? kRecordHeaderBytes : record_size(rest);
}

// The record at the start of `rest` (byte `at` of the file), which holds a nonzero byte. Zeros
// that follow the last nonzero byte to the end of the file may be space written ahead
// (DurableLog's preallocation) where a write in place was cut short: the record is then torn, as
// if the file ended where the zeros begin, when two things hold (the file comment of
// disk_record.hpp says why): it has an end marker (version 2; or its version byte is missing
// too), and at least one whole sector of it is missing: a crash loses whole sectors, damage to a
// written record need not.
Verdict read_record(std::string_view rest, std::uint64_t at) {
  Verdict verdict = read_present(rest, at);
  if (verdict.problem != RecordProblem::corrupt) return verdict;
  const std::size_t written = rest.find_last_not_of('\0') + 1;
  assert(written > 0 && "the scan stops at an all-zero rest before reading a record");
  if (written == rest.size()) return verdict;
  const std::string_view present = rest.substr(0, written);
  if (present.size() > kVersionAt && static_cast<std::uint8_t>(present[kVersionAt]) < 2) {
    return verdict;  // version 1 has no end marker: a complete record may end in zeros
  }
  Verdict cut = read_present(present, at);
  if (cut.problem != RecordProblem::torn) return verdict;
  const std::uint64_t zeros_from = at + written;
  const std::uint64_t next_sector = (zeros_from + kSectorBytes - 1) / kSectorBytes * kSectorBytes;
  if (at + claimed_bytes(present) <= next_sector) return verdict;
  cut.detail += fmt::format(", then {} zero bytes to the end of the file",
                            group_digits(rest.size() - written));
  return cut;
}

}  // namespace

std::uint32_t crc32c(std::string_view bytes) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::string encode_record(const Durable& state, std::uint8_t version) {
  assert(state.last_normal_view <= state.view && "a Durable with last_normal_view > view");
  std::string payload;
  put_u64(payload, state.view);
  put_u64(payload, state.last_normal_view);
  payload += protocol::encode_log(state.log);
  return wrap_payload(payload, version);
}

std::string wrap_payload(std::string_view payload, std::uint8_t version) {
  assert(payload.size() <= kMaxRecordPayloadBytes && "a payload beyond its bound");
  std::string record(kMagic.begin(), kMagic.end());
  record.push_back(static_cast<char>(version));
  put_u32(record, static_cast<std::uint32_t>(payload.size()));
  put_u32(record, crc32c(payload));
  put_u32(record, crc32c(record));
  assert(record.size() == kRecordHeaderBytes && "the header is 17 bytes");
  record += payload;
  if (version >= 2) record.append(kEndMarker.begin(), kEndMarker.end());
  return record;
}

const char* to_string(RecordProblem problem) {
  switch (problem) {
    case RecordProblem::none:
      return "none";
    case RecordProblem::torn:
      return "torn";
    case RecordProblem::corrupt:
      return "corrupt";
    case RecordProblem::newer_version:
      return "newer_version";
  }
  assert(false && "to_string of a RecordProblem outside the enum");
  return "?";
}

RecordScan scan_records(std::string_view file) {
  RecordScan scan;
  scan.file_bytes = file.size();
  while (scan.valid_bytes < file.size()) {
    const std::string_view rest = file.substr(scan.valid_bytes);
    if (rest.find_first_not_of('\0') == std::string_view::npos) {
      scan.zero_bytes = rest.size();  // no record there: space written ahead, or never written
      break;
    }
    Verdict verdict = read_record(rest, scan.valid_bytes);
    if (verdict.problem != RecordProblem::none) {
      scan.problem = verdict.problem;
      scan.detail = std::move(verdict.detail);
      break;
    }
    assert(verdict.size >= kRecordHeaderBytes && "a valid record has a header");
    scan.last_record_offset = scan.valid_bytes;
    scan.last = std::move(verdict.state);
    scan.valid_bytes += verdict.size;
    ++scan.records;
  }
  assert(scan.valid_bytes + scan.zero_bytes <= file.size() && "the scan stays inside the file");
  return scan;
}

std::string group_digits(std::uint64_t value) {
  std::string digits = fmt::format("{}", value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace ladder::level3
