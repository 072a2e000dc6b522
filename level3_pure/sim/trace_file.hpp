#pragma once
/// \file
/// Trace files: a simulated run of level 3 saved as JSON lines, enough to run it again bit for bit
/// (`ladder replay`), to shrink it (`ladder shrink`) and to draw it (`ladder diagram trace`).
///
/// ## The format, version 1
///
/// One JSON object per line. The first line says what ran; the last says what came of it; every
/// line between is one event of the network's trace, in order.
///
///     {"format":"ladder-trace","version":1,"level":3,"seed":17,"variant":"first-release",
///      "scenario":{...},"name":"partition","kept_faults":null,
///      "ops":[[{"op":"add","delta":3,"think_ms":5},{"op":"read","think_ms":0}],[...]]}
///     {"t":0,"e":"send","from":"c0","to":"r0","msg":"Request c0#1 add(+3)","send":0,"delay":4}
///     {"t":4,"e":"deliver","from":"c0","to":"r0","msg":"Request c0#1 add(+3)","send":0}
///     ...
///     {"end":true,"digest":"8a3f...","verdict":"LOST 3","kinds":["LOST"],"summary":"LOST 3: ...",
///      "events":1234,"culprit":"c0#3"}
///
/// The header: `scenario` is the scenario file's document (net::to_json), `name` its name; `ops`
/// holds every client's operations (outer index: client), which the seed drew and a shrink may have
/// trimmed; `kept_faults` is null when every random fault the network drew applies, else the
/// sorted list of send indices whose fault still applies (the others are forgiven).
///
/// The events (field `e`): `send` (with `send`, the send's index, `delay` and, when the network
/// duplicates it, `copy_delay`; `fault` names a drawn fault that applied, `forgiven` one that did
/// not), `deliver`, `drop` (with `why`: random, response lost, cut, down) and `duplicate` (each
/// with `send`, the index of the send it belongs to, when known); `timer` (`node`, `timer`),
/// `crash` and `restart` (`node`), `partition` and `heal` (`detail`), `note` (`node`, `text`).
/// Every event has `t`, its virtual time in ms. Messages appear as protocol::describe renders them;
/// an event the culprit request is named in carries `"culprit":true`.
///
/// The last line: the run's digest (16 hex digits, net::SimNetwork::digest), the verdict's cell,
/// kinds and summary, the simulated events processed, and the request the diagram highlights.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "level3_pure/sim/sim.hpp"

namespace ladder::level3 {

/// The version this code writes and reads.
inline constexpr int kTraceFormatVersion = 1;

/// How a recorded run ended: the trace file's last line.
struct TraceEnd {
  std::uint64_t digest = 0;            ///< the run's digest
  std::string verdict;                 ///< the verdict's cell: "ok", "LOST 3", ...
  std::vector<std::string> kinds;      ///< the verdict's kinds: {"ok"}, {"LOST"}, ...
  std::string summary;                 ///< the verdict's one-line summary
  std::uint64_t events = 0;            ///< simulated events processed
  std::optional<std::string> culprit;  ///< "c0#3": the request the first finding is about
};

/// A whole trace file in memory.
struct Trace {
  SimSpec spec;                        ///< what ran
  std::vector<nlohmann::json> events;  ///< one object per event, in order
  TraceEnd end;                        ///< what came of it
};

/// A trace file that cannot be used. what() names the file, the line and the field.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Runs `spec` while recording its trace. `result`, when given, receives the run's result.
Trace record_trace(const SimSpec& spec, SimResult* result = nullptr, const SimLimits& limits = {});

/// Writes `trace` as JSON lines.
void write_trace(std::ostream& out, const Trace& trace);
/// Reads a trace written by write_trace. `source` names it in errors. Throws TraceError.
Trace read_trace(std::istream& in, const std::string& source);
/// Writes `trace` to `file`. Throws std::runtime_error when it cannot be written.
void save_trace(const std::filesystem::path& file, const Trace& trace);
/// Reads the trace in `file`. Throws TraceError.
Trace load_trace(const std::filesystem::path& file);

/// The header line of `spec` (the first line of its trace file).
nlohmann::json header_of(const SimSpec& spec);
/// The end of a run in a trace file's last line (digest, verdict, kinds, summary, events, culprit);
/// `where` prefixes errors ("run.jsonl:9"). Throws TraceError naming the field. Level 4's schedule
/// traces end with the same line.
TraceEnd trace_end_of(const nlohmann::json& line, const std::string& where);
/// The last line of a trace file for `end`, trace_end_of()'s inverse: {"end":true,"digest":
/// "8a3f...","verdict":...,"kinds":[...],"summary":...,"events":...,"culprit":... or null}. Level
/// 4's schedule traces end with it too.
nlohmann::json trace_end_line(const TraceEnd& end);
/// The spec in a header line; `where` prefixes errors ("run.jsonl:1"). Throws TraceError.
SimSpec spec_of(const nlohmann::json& header, const std::string& where);

}  // namespace ladder::level3
