// Trace files and replay: a run saved as JSON lines runs again bit for bit, and a file that
// cannot be used is refused with the line and the field that are wrong.

#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>

#include "level3_pure/sim/replay.hpp"
#include "level3_pure/sim/tests/sim_helpers.hpp"
#include "level3_pure/sim/trace_file.hpp"

using namespace ladder;
using namespace ladder::level3;

namespace {

Trace sample_trace() {
  return record_trace(make_spec(test::monkey(62), 62, Variant::first_release));
}

std::string text_of(const Trace& trace) {
  std::ostringstream out;
  write_trace(out, trace);
  return out.str();
}

Trace parse(const std::string& text) {
  std::istringstream in(text);
  return read_trace(in, "run.jsonl");
}

/// `text` with the first occurrence of `from` replaced by `to`.
std::string edited(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a trace file round-trips: what is written is read back the same", "[trace]") {
  const Trace trace = sample_trace();
  const Trace back = parse(text_of(trace));
  CHECK(back.events == trace.events);
  CHECK(back.end.digest == trace.end.digest);
  CHECK(back.end.summary == trace.end.summary);
  CHECK(back.spec.seed == 62);
  REQUIRE(back.spec.ops.size() == trace.spec.ops.size());
  for (std::size_t c = 0; c < back.spec.ops.size(); ++c) {
    REQUIRE(back.spec.ops[c].size() == trace.spec.ops[c].size());
    for (std::size_t i = 0; i < back.spec.ops[c].size(); ++i) {
      CHECK(back.spec.ops[c][i].read == trace.spec.ops[c][i].read);
      CHECK(back.spec.ops[c][i].delta == trace.spec.ops[c][i].delta);
      CHECK(back.spec.ops[c][i].think_ms == trace.spec.ops[c][i].think_ms);
    }
  }
  CHECK(back.spec.scenario.faults.timeline.size() == trace.spec.scenario.faults.timeline.size());
  CHECK(text_of(back) == text_of(trace));
}

TEST_CASE("replaying a trace gives the same digest and the same events", "[trace][replay]") {
  const Trace trace = parse(text_of(sample_trace()));
  const ReplayReport report = replay(trace);
  CHECK(report.same);
  CHECK(report.replayed_digest == report.recorded_digest);
  CHECK_FALSE(report.first_difference.has_value());
}

TEST_CASE("a replay of an edited trace fails and names the first event that differs",
          "[trace][replay]") {
  Trace trace = sample_trace();
  // Client 0's first add becomes +100: the run is the same until that Request is sent.
  REQUIRE(!trace.spec.ops[0].empty());
  trace.spec.ops[0][0] = net::PlannedOp{false, 100, trace.spec.ops[0][0].think_ms};
  const ReplayReport report = replay(trace);
  CHECK_FALSE(report.same);
  CHECK(report.replayed_digest != report.recorded_digest);
  REQUIRE(report.first_difference.has_value());
  CHECK(report.replayed_event.find("+100") != std::string::npos);
}

TEST_CASE("every delivery, loss and copy names the send it came from", "[trace]") {
  const Trace trace = sample_trace();
  std::map<std::uint64_t, nlohmann::json> sends;
  int deliveries = 0;
  for (const auto& event : trace.events) {
    const std::string kind = event["e"];
    if (kind == "send") {
      REQUIRE(event.contains("send"));
      sends[event["send"]] = event;
    } else if (kind == "deliver" || kind == "drop" || kind == "duplicate") {
      REQUIRE(event.contains("send"));
      const auto& send = sends.at(event["send"]);
      CHECK(send["from"] == event["from"]);
      CHECK(send["to"] == event["to"]);
      CHECK(send["msg"] == event["msg"]);
      CHECK(event["t"].get<std::int64_t>() >= send["t"].get<std::int64_t>());
      deliveries += kind == "deliver" ? 1 : 0;
    }
  }
  CHECK(deliveries > 100);
}

TEST_CASE("a damaged trace file is refused with its line and field", "[trace]") {
  const std::string good = text_of(sample_trace());
  const auto error_of = [](const std::string& text) {
    try {
      parse(text);
    } catch (const TraceError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("") == "run.jsonl: empty: a trace starts with its header line");
  CHECK(error_of(edited(good, "\"version\":1", "\"version\":9")) ==
        "run.jsonl:1: field \"version\": this ladder reads version 1, the file is version 9");
  CHECK(error_of(edited(good, "\"first-release\"", "\"second\"")) ==
        "run.jsonl:1: field \"variant\": expected \"first-release\" or \"fixed\", got \"second\"");
  const std::string no_end = good.substr(0, good.rfind('\n', good.size() - 2) + 1);
  CHECK(error_of(no_end).find("no last line with \"end\"") != std::string::npos);
  CHECK(error_of(edited(good, "{\"e\":", "{\"e\"")).find("run.jsonl:2: not JSON") == 0);
  CHECK(error_of(edited(good, "\"op\":\"add\"", "\"op\":\"sub\"")) ==
        "run.jsonl:1: ops[0][0]: field \"op\": expected \"add\" or \"read\", got \"sub\"");
}

TEST_CASE("the culprit request is marked in the events that name it", "[trace]") {
  const auto seed = test::first_failing_seed(spec::FindingKind::lost);
  REQUIRE(seed.has_value());
  const Trace trace = record_trace(make_spec(test::monkey(*seed), *seed, Variant::first_release));
  REQUIRE(trace.end.culprit.has_value());
  int marked = 0;
  for (const auto& event : trace.events) {
    if (!event.value("culprit", false)) continue;
    ++marked;
    const std::string text = event.contains("msg") ? event["msg"] : event["text"];
    CHECK(text.find(*trace.end.culprit) != std::string::npos);
  }
  CHECK(marked >= 2);  // at least the client's invoke and its ok
}
