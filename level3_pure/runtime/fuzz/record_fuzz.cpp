// libFuzzer target for the durable log's record scanner: whatever bytes a log file holds,
// scan_records returns the valid records and one verdict, never crashes, and what it calls valid
// re-encodes to exactly the bytes it read.
//
// Build and run it (clang only; libFuzzer ships in libclang-rt-14-dev):
//
//     CXX=clang++ cmake --preset default -B build/fuzz -DLADDER_FUZZ=ON
//     cmake --build build/fuzz --target ladder_record_fuzz
//     build/fuzz/level3_pure/runtime/ladder_record_fuzz -max_total_time=60
//
// The first input byte picks the mode: even, the rest is a whole file; odd, the rest is a payload
// wrapped in a record with sound checksums (and a valid record before it), so that the fuzzer
// reaches the payload decoder without having to forge CRC-32Cs.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "level3_pure/runtime/disk_record.hpp"
#include "network/fuzz/require.hpp"

namespace {

using ladder::level3::RecordProblem;
using ladder::level3::RecordScan;

using ladder::fuzz::require;

void check(std::string_view file) {
  const RecordScan scan = ladder::level3::scan_records(file);
  require(scan.file_bytes == file.size());
  require(scan.valid_bytes + scan.zero_bytes <= file.size());
  require((scan.problem == RecordProblem::none) ==
          (scan.valid_bytes + scan.zero_bytes == file.size()));
  require((scan.problem == RecordProblem::none) == scan.detail.empty());
  require(scan.zero_bytes == 0 || scan.problem == RecordProblem::none);
  require(file.substr(scan.valid_bytes, scan.zero_bytes).find_first_not_of('\0') ==
          std::string_view::npos);
  require((scan.records > 0) == scan.last.has_value());
  if (scan.last) {
    // The last valid record is canonical: its state encodes, in its version, to exactly its
    // bytes.
    const auto version = static_cast<std::uint8_t>(file[scan.last_record_offset + 4]);
    const std::string record = ladder::level3::encode_record(*scan.last, version);
    require(scan.last_record_offset + record.size() == scan.valid_bytes);
    require(file.substr(scan.last_record_offset, record.size()) == record);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  // Reinterpreting bytes as chars is the one cast a byte parser needs.
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  if (data[0] % 2 == 0) {
    check(rest);
  } else if (rest.size() <= ladder::level3::kMaxRecordPayloadBytes) {
    ladder::level3::Durable first;
    first.view = 1;
    check(ladder::level3::encode_record(first) + ladder::level3::wrap_payload(rest));
  }
  return 0;
}
