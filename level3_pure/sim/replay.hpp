#pragma once
/// \file
/// Replay: run a trace file's spec again and check that the same run happens, bit for bit.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "level3_pure/sim/trace_file.hpp"

namespace ladder::level3 {

/// What a replay found.
struct ReplayReport {
  bool same = false;                  ///< the digest and every event are as recorded
  std::uint64_t recorded_digest = 0;  ///< the digest in the file
  std::uint64_t replayed_digest = 0;  ///< the digest of the run just made
  /// The first event that differs, counted from 0 (the file's line is this + 2); nullopt when
  /// every event matched (the digests may still differ, e.g. for a file whose events were cut).
  std::optional<std::size_t> first_difference;
  std::string recorded_event;  ///< that event as the file has it ("" past the file's end)
  std::string replayed_event;  ///< that event as the replay made it ("" past the run's end)
  Trace replayed;              ///< the trace of the run just made
};

/// Runs `trace.spec` again, recording, and compares the result with `trace`.
ReplayReport replay(const Trace& trace);

}  // namespace ladder::level3
