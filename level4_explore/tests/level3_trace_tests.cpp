// Level 4's counterexample as a trace file: written, read back, replayed step for step, and
// refused with a clear message when it was tampered with.

#include <catch2/catch.hpp>

#include <sstream>

#include "level4_explore/explorer.hpp"
#include "level4_explore/level3_model.hpp"
#include "level4_explore/level3_trace.hpp"

namespace {

using namespace ladder::level4;

// The first-release flaw at the smallest bound that shows it (level3_model_tests.cpp).
ScheduleTrace flaw_trace() {
  Level3Config config;
  config.max_drops = 0;
  config.max_timeouts = 1;
  const Level3Model model(config);
  const auto result = explore(model);
  REQUIRE(result.violation);
  return record_schedule(model, result.violation->events);
}

std::string written(const ScheduleTrace& trace) {
  std::ostringstream out;
  write_schedule_trace(out, trace);
  return out.str();
}

TEST_CASE("a counterexample's trace uses level 3's event vocabulary", "[level4][trace]") {
  const ScheduleTrace trace = flaw_trace();
  CHECK(trace.schedule.size() == 8);
  CHECK(trace.schedule.front() == "timer r1 view_change");
  CHECK(trace.end.verdict == "LOST");
  CHECK(trace.end.kinds == std::vector<std::string>{"LOST"});
  CHECK(trace.end.culprit == "c0#1");
  CHECK(trace.end.events == trace.events.size());
  // Every line is one of level 3's kinds, and every delivery names the send it came from.
  int deliveries = 0;
  for (const auto& event : trace.events) {
    const std::string kind = event["e"].get<std::string>();
    CHECK((kind == "send" || kind == "deliver" || kind == "drop" || kind == "duplicate" ||
           kind == "timer" || kind == "crash" || kind == "restart" || kind == "note"));
    if (kind == "deliver") {
      ++deliveries;
      CHECK(event.contains("send"));
    }
  }
  CHECK(deliveries == 6);  // the other two steps are a timer and an invoke
  CHECK(trace.events.front()["e"] == "timer");
  // The acknowledged request is highlighted, as level 3's diagram expects.
  bool culprit_marked = false;
  for (const auto& event : trace.events)
    culprit_marked |= event.value("culprit", false);
  CHECK(culprit_marked);
}

TEST_CASE("a schedule trace reads back and replays identically", "[level4][trace]") {
  const ScheduleTrace trace = flaw_trace();
  const std::string text = written(trace);
  CHECK(text.find("\"level\":4") != std::string::npos);
  std::istringstream in(text);
  const ScheduleTrace read = read_schedule_trace(in, "flaw.jsonl");
  CHECK(read.config == trace.config);
  CHECK(read.schedule == trace.schedule);
  CHECK(read.end.digest == trace.end.digest);
  const ScheduleReplayReport report = replay_schedule(read);
  CHECK(report.same);
  CHECK(report.problem.empty());
  CHECK(report.replayed_digest == trace.end.digest);
  // The diagram's view of it: lanes for 3 replicas and a client.
  const auto as3 = as_level3_trace(read);
  CHECK(as3.spec.scenario.topology().size() == 4);
  CHECK(as3.events.size() == trace.events.size());
}

TEST_CASE("a replay names the first line that differs, and an impossible step", "[level4][trace]") {
  ScheduleTrace trace = flaw_trace();
  ScheduleTrace edited = trace;
  edited.events[3]["msg"] = "Prepare v9";
  const auto differs = replay_schedule(edited);
  CHECK_FALSE(differs.same);
  REQUIRE(differs.first_difference);
  CHECK(*differs.first_difference == 3);
  CHECK(differs.recorded_event.find("Prepare v9") != std::string::npos);

  ScheduleTrace impossible = trace;
  impossible.schedule[1] = "crash r0";  // crashes are bounded at 0
  const auto refused = replay_schedule(impossible);
  CHECK_FALSE(refused.same);
  CHECK(refused.problem.find("step 1: \"crash r0\" is not possible") != std::string::npos);
}

TEST_CASE("a malformed schedule trace is refused naming the line and field", "[level4][trace]") {
  const auto error_of = [](const std::string& text) {
    std::istringstream in(text);
    try {
      (void)read_schedule_trace(in, "t.jsonl");
    } catch (const ladder::level3::TraceError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("") == "t.jsonl: empty: a trace starts with its header line");
  std::string text = written(flaw_trace());
  const std::string cut = text.substr(0, text.rfind('\n', text.size() - 2) + 1);
  CHECK(error_of(cut).find("no last line") != std::string::npos);
  std::string bad_variant = text;
  bad_variant.replace(bad_variant.find("first-release"), 13, "second");
  CHECK(error_of(bad_variant).find("t.jsonl:1: field \"variant\"") != std::string::npos);
  std::string bad_replicas = text;
  bad_replicas.replace(bad_replicas.find("\"replicas\":3"), 12, "\"replicas\":4");
  CHECK(error_of(bad_replicas).find("t.jsonl:1: replicas: 4 is not an odd number") !=
        std::string::npos);
}

}  // namespace
