#pragma once
/// \file
/// Level 4's counterexamples as trace files: schedule-driven where level 3's are seed-driven.
///
/// A level-3 trace says "run this spec with this seed". A level-4 trace says "from the initial
/// state, take these events, in this order": the explorer's path. `ladder replay` re-executes the
/// schedule through the same pure core and compares every event line and the digest;
/// `ladder diagram trace` draws it with level 3's Lamport diagram, because the event lines use
/// level 3's vocabulary (level3_pure/sim/trace_file.hpp): send, deliver, drop, duplicate, timer,
/// crash, restart, note. Their `t` is the step number, not a time: level 4 has no clock.
///
///     {"format":"ladder-trace","version":1,"level":4,"model":"level3","variant":"first-release",
///      "replicas":3,"clients":1,"ops":1,"max_drops":0,"max_duplicates":0,"max_crashes":0,
///      "max_timeouts":1,"schedule":["timer r1 view_change","invoke c0",...]}
///     {"t":0,"e":"timer","node":"r1","timer":"view_change"}
///     {"t":0,"e":"send","from":"r1","to":"r0","msg":"StartViewChange v1 from r1","send":0,...}
///     ...
///     {"end":true,"digest":"8a3f...","verdict":"LOST","kinds":["LOST"],"summary":"LOST: ...",
///      "events":31,"culprit":"c0#1"}
///
/// Each schedule entry is Level3Model::describe of the event taken: readable, and enough to find
/// the event again among the successors of the state it was taken in.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "level3_pure/sim/trace_file.hpp"
#include "level4_explore/level3_model.hpp"

namespace ladder::level4 {

/// A level-4 trace file in memory.
struct ScheduleTrace {
  Level3Config config;                 ///< the model explored
  std::vector<std::string> schedule;   ///< the events taken, as Level3Model::describe says them
  std::vector<nlohmann::json> events;  ///< one object per event line, in order
  level3::TraceEnd end;                ///< the verdict at the schedule's end, and the digest
};

/// Executes `path` from `model`'s initial state and records it. The end line's verdict is the
/// final state's violation() (LOST, DUPLICATED, DIVERGED), else `stuck` when given (a liveness
/// counterexample: STUCK), else ok.
ScheduleTrace record_schedule(const Level3Model& model, const std::vector<Level3Event>& path,
                              const std::optional<std::string>& stuck = std::nullopt);

/// Writes `trace` as JSON lines.
void write_schedule_trace(std::ostream& out, const ScheduleTrace& trace);
/// Writes `trace` to `file`. Throws std::runtime_error when it cannot be written.
void save_schedule_trace(const std::filesystem::path& file, const ScheduleTrace& trace);
/// Reads a trace written by write_schedule_trace; `source` names it in errors. Throws
/// level3::TraceError naming the line and the field.
ScheduleTrace read_schedule_trace(std::istream& in, const std::string& source);
/// Reads the level-4 trace in `file`. Throws level3::TraceError.
ScheduleTrace load_schedule_trace(const std::filesystem::path& file);
/// True when the first line of `file` is a level-4 trace header ("level":4). False for a level-3
/// trace, and for a file that cannot be read (its reader reports why).
bool is_schedule_trace_file(const std::filesystem::path& file);

/// The trace as level 3's Trace, for level3::trace_diagram: lanes for the replicas and clients,
/// the same event lines, and a title that says it is a level-4 schedule.
level3::Trace as_level3_trace(const ScheduleTrace& trace);

/// What re-executing a schedule found.
struct ScheduleReplayReport {
  bool same = false;                  ///< every event and the digest are as recorded
  std::uint64_t recorded_digest = 0;  ///< the file's
  std::uint64_t replayed_digest = 0;  ///< the replay's
  /// The first event line that differs (0 = the first after the header), when one does.
  std::optional<std::size_t> first_difference;
  std::string recorded_event;  ///< that line as the file has it ("" past its end)
  std::string replayed_event;  ///< that line as the replay made it ("" past its end)
  /// Set when a schedule entry names no event possible in the state reached: "step 3: ...".
  std::string problem;
  ScheduleTrace replayed;  ///< the trace of the replay
};

/// Re-executes `trace.schedule` on a model of `trace.config` and compares.
ScheduleReplayReport replay_schedule(const ScheduleTrace& trace);

}  // namespace ladder::level4
