#include "level3_pure/sim/replay.hpp"

#include <algorithm>

namespace ladder::level3 {

ReplayReport replay(const Trace& trace) {
  ReplayReport report;
  report.replayed = record_trace(trace.spec);
  report.recorded_digest = trace.end.digest;
  report.replayed_digest = report.replayed.end.digest;
  const auto& recorded = trace.events;
  const auto& replayed = report.replayed.events;
  const std::size_t common = std::min(recorded.size(), replayed.size());
  for (std::size_t i = 0; i < common && !report.first_difference; ++i) {
    if (recorded[i] != replayed[i]) report.first_difference = i;
  }
  if (!report.first_difference && recorded.size() != replayed.size()) {
    report.first_difference = common;
  }
  if (report.first_difference) {
    const std::size_t i = *report.first_difference;
    report.recorded_event = i < recorded.size() ? recorded[i].dump() : std::string();
    report.replayed_event = i < replayed.size() ? replayed[i].dump() : std::string();
  }
  report.same = !report.first_difference && report.recorded_digest == report.replayed_digest;
  return report;
}

}  // namespace ladder::level3
