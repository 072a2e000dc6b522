/// \file
/// Level 4's schedule traces: recording a path of the level-3 model as level 3's event lines,
/// reading and writing the file, and replaying the schedule.

#include "level4_explore/level3_trace.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <fstream>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "level4_explore/detail/state_store.hpp"
#include "protocol/codec.hpp"

namespace ladder::level4 {

namespace {

using nlohmann::json;

// Turns what the model reports while it applies an event into level 3's event lines, and pairs
// every delivery, drop and duplicate with the send its message came from.
class Recorder final : public Level3Observer {
 public:
  explicit Recorder(const Level3Model& model) : model_(model) {}

  void step(std::size_t t, const Level3State& before, const Level3Event& event) {
    t_ = t;
    using Kind = Level3Event::Kind;
    switch (event.kind) {
      case Kind::deliver: {
        const bool down = event.packet.to < model_.config().replicas &&
                          (before.down & (1U << event.packet.to)) != 0;
        json line = message_line(down ? "drop" : "deliver", event.packet);
        if (down) line["why"] = "down";
        attach_send(line, event.packet, /*consume=*/true);
        events_.push_back(std::move(line));
        break;
      }
      case Kind::drop: {
        json line = message_line("drop", event.packet);
        line["why"] = "random";
        attach_send(line, event.packet, /*consume=*/true);
        events_.push_back(std::move(line));
        break;
      }
      case Kind::duplicate: {
        json line = message_line("duplicate", event.packet);
        auto& pending = pending_[key(event.packet)];
        if (!pending.empty()) {
          line["send"] = pending.front();
          pending.push_back(pending.front());
        }
        events_.push_back(std::move(line));
        break;
      }
      case Kind::timer:
        events_.push_back({{"t", t_},
                           {"e", "timer"},
                           {"node", model_.node_name(event.node)},
                           {"timer", level3::to_string(event.timer)}});
        break;
      case Kind::crash:
      case Kind::restart:
        events_.push_back({{"t", t_},
                           {"e", event.kind == Kind::crash ? "crash" : "restart"},
                           {"node", model_.node_name(event.node)}});
        break;
      case Kind::invoke:
        break;  // the client's "invoke c0#1 add(+1)" note says it
    }
  }

  void sent(const Packet& packet) override {
    json line = message_line("send", packet);
    line["send"] = next_send_;
    line["delay"] = 0;
    pending_[key(packet)].push_back(next_send_++);
    events_.push_back(std::move(line));
  }

  void note(std::uint8_t node, const std::string& text) override {
    events_.push_back({{"t", t_}, {"e", "note"}, {"node", model_.node_name(node)}, {"text", text}});
  }

  std::vector<json> take() { return std::move(events_); }

 private:
  using Key = std::tuple<std::uint8_t, std::uint8_t, std::string>;
  static Key key(const Packet& packet) { return {packet.from, packet.to, packet.body}; }

  json message_line(const char* kind, const Packet& packet) const {
    protocol::DecodeResult decoded = protocol::decode(packet.body);
    return {{"t", t_},
            {"e", kind},
            {"from", model_.node_name(packet.from)},
            {"to", model_.node_name(packet.to)},
            {"msg", decoded ? protocol::describe(decoded.message()) : "(malformed)"}};
  }

  // Copies of one message are interchangeable: the oldest pending send is the one that goes.
  void attach_send(json& line, const Packet& packet, bool consume) {
    auto found = pending_.find(key(packet));
    if (found == pending_.end() || found->second.empty()) return;
    line["send"] = found->second.front();
    if (consume) found->second.pop_front();
  }

  const Level3Model& model_;
  std::size_t t_ = 0;
  std::uint64_t next_send_ = 0;
  std::vector<json> events_;
  std::map<Key, std::deque<std::uint64_t>> pending_;
};

// The request a finding names first ("c0#1"), if any.
std::optional<std::string> culprit_in(const std::string& text) {
  for (std::size_t at = text.find('c'); at != std::string::npos; at = text.find('c', at + 1)) {
    std::size_t end = at + 1;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0)
      ++end;
    if (end == at + 1 || end >= text.size() || text[end] != '#') continue;
    std::size_t seq_end = end + 1;
    while (seq_end < text.size() && std::isdigit(static_cast<unsigned char>(text[seq_end])) != 0) {
      ++seq_end;
    }
    if (seq_end > end + 1) return text.substr(at, seq_end - at);
  }
  return std::nullopt;
}

// Marks the lines that name `culprit` (followed by a space or the end), as level 3's traces do.
void mark_culprit(std::vector<json>& events, const std::string& culprit) {
  for (json& event : events) {
    const char* field = event.contains("msg") ? "msg" : event.contains("text") ? "text" : nullptr;
    if (field == nullptr) continue;
    const std::string text = event[field].get<std::string>();
    for (std::size_t at = text.find(culprit); at != std::string::npos;
         at = text.find(culprit, at + 1)) {
      const std::size_t after = at + culprit.size();
      if (after == text.size() || text[after] == ' ') {
        event["culprit"] = true;
        break;
      }
    }
  }
}

std::uint64_t digest_of(const std::vector<json>& events) {
  std::uint64_t digest = 0;
  for (const json& event : events)
    digest = detail::hash_bytes(event.dump(), digest);
  return digest;
}

json header_of(const ScheduleTrace& trace) {
  const Level3Config& c = trace.config;
  return {{"format", "ladder-trace"},
          {"version", level3::kTraceFormatVersion},
          {"level", 4},
          {"model", "level3"},
          {"variant", level3::to_string(c.variant)},
          {"replicas", c.replicas},
          {"clients", c.clients},
          {"ops", c.ops},
          {"max_drops", c.max_drops},
          {"max_duplicates", c.max_duplicates},
          {"max_crashes", c.max_crashes},
          {"max_timeouts", c.max_timeouts},
          {"schedule", trace.schedule}};
}

template <class T>
T field(const json& line, const char* name, const std::string& where, const char* expected) {
  if (!line.contains(name)) {
    throw level3::TraceError(fmt::format("{}: missing field \"{}\" ({})", where, name, expected));
  }
  try {
    return line[name].get<T>();
  } catch (const json::exception&) {
    throw level3::TraceError(fmt::format("{}: field \"{}\": expected {}, got {}", where, name,
                                         expected, line[name].dump()));
  }
}

void read_header(const json& header, const std::string& where, ScheduleTrace& trace) {
  if (field<std::string>(header, "format", where, "\"ladder-trace\"") != "ladder-trace") {
    throw level3::TraceError(where + ": field \"format\": expected \"ladder-trace\"");
  }
  if (field<int>(header, "level", where, "4") != 4) {
    throw level3::TraceError(where + ": field \"level\": expected 4 (a level-4 schedule trace)");
  }
  if (field<std::string>(header, "model", where, "\"level3\"") != "level3") {
    throw level3::TraceError(where + ": field \"model\": expected \"level3\"");
  }
  const auto variant = field<std::string>(header, "variant", where, "a variant");
  const auto parsed = level3::parse_variant(variant);
  if (!parsed) {
    throw level3::TraceError(
        fmt::format("{}: field \"variant\": expected \"first-release\" or \"fixed\", got \"{}\"",
                    where, variant));
  }
  Level3Config& c = trace.config;
  c.variant = *parsed;
  c.replicas = field<int>(header, "replicas", where, "a number");
  c.clients = field<int>(header, "clients", where, "a number");
  c.ops = field<int>(header, "ops", where, "a number");
  c.max_drops = field<int>(header, "max_drops", where, "a number");
  c.max_duplicates = field<int>(header, "max_duplicates", where, "a number");
  c.max_crashes = field<int>(header, "max_crashes", where, "a number");
  c.max_timeouts = field<int>(header, "max_timeouts", where, "a number");
  if (const std::string problem = c.problem(); !problem.empty()) {
    throw level3::TraceError(where + ": " + problem);
  }
  trace.schedule =
      field<std::vector<std::string>>(header, "schedule", where, "an array of event strings");
}

}  // namespace

ScheduleTrace record_schedule(const Level3Model& model, const std::vector<Level3Event>& path,
                              const std::optional<std::string>& stuck) {
  ScheduleTrace trace;
  trace.config = model.config();
  Recorder recorder(model);
  Level3State state = model.initial();
  for (std::size_t t = 0; t < path.size(); ++t) {
    trace.schedule.push_back(model.describe(path[t]));
    recorder.step(t, state, path[t]);
    state = model.apply(state, path[t], &recorder);
  }
  trace.events = recorder.take();
  level3::TraceEnd& end = trace.end;
  if (const auto finding = model.violation(state)) {
    end.verdict = finding->substr(0, finding->find(':'));
    end.summary = *finding;
  } else if (stuck) {
    end.verdict = "STUCK";
    end.summary = "STUCK: " + *stuck;
  } else {
    end.verdict = "ok";
    end.summary = "ok: no invariant is broken at the schedule's end";
  }
  end.kinds = {end.verdict};
  end.culprit = culprit_in(end.summary);
  if (end.culprit) mark_culprit(trace.events, *end.culprit);
  end.events = trace.events.size();
  end.digest = digest_of(trace.events);
  return trace;
}

void write_schedule_trace(std::ostream& out, const ScheduleTrace& trace) {
  out << header_of(trace).dump() << '\n';
  for (const json& event : trace.events)
    out << event.dump() << '\n';
  out << level3::trace_end_line(trace.end).dump() << '\n';
}

void save_schedule_trace(const std::filesystem::path& file, const ScheduleTrace& trace) {
  std::ofstream out(file, std::ios::binary);
  write_schedule_trace(out, trace);
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
}

ScheduleTrace read_schedule_trace(std::istream& in, const std::string& source) {
  ScheduleTrace trace;
  bool have_header = false;
  bool have_end = false;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    const std::string where = fmt::format("{}:{}", source, number);
    if (text.empty()) continue;
    if (have_end) throw level3::TraceError(where + ": a line after the last line (with \"end\")");
    json line;
    try {
      line = json::parse(text);
    } catch (const json::exception& error) {
      throw level3::TraceError(fmt::format("{}: not JSON: {}", where, error.what()));
    }
    if (!line.is_object()) throw level3::TraceError(where + ": expected a JSON object");
    if (!have_header) {
      read_header(line, where, trace);
      have_header = true;
    } else if (line.contains("end")) {
      trace.end = level3::trace_end_of(line, where);
      have_end = true;
    } else {
      trace.events.push_back(std::move(line));
    }
  }
  if (!have_header) {
    throw level3::TraceError(source + ": empty: a trace starts with its header line");
  }
  if (!have_end) {
    throw level3::TraceError(source +
                             ": no last line with \"end\" and the digest (the file is cut short?)");
  }
  return trace;
}

ScheduleTrace load_schedule_trace(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw level3::TraceError(fmt::format("{}: cannot open it", file.string()));
  return read_schedule_trace(in, file.string());
}

bool is_schedule_trace_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string first;
  if (!in || !std::getline(in, first)) return false;
  const json header = json::parse(first, nullptr, /*allow_exceptions=*/false);
  return header.is_object() && header.contains("level") && header["level"] == 4;
}

level3::Trace as_level3_trace(const ScheduleTrace& trace) {
  level3::Trace out;
  out.spec.scenario.name = "level 4 schedule";
  out.spec.scenario.replicas = trace.config.replicas;
  out.spec.scenario.workload.clients = trace.config.clients;
  out.spec.scenario.workload.operations = trace.config.ops;
  out.spec.seed = 0;
  out.spec.variant = trace.config.variant;
  out.events = trace.events;
  out.end = trace.end;
  out.end.summary = fmt::format("level 4 schedule of {} steps (t = step): {}",
                                trace.schedule.size(), trace.end.summary);
  return out;
}

ScheduleReplayReport replay_schedule(const ScheduleTrace& trace) {
  ScheduleReplayReport report;
  report.recorded_digest = trace.end.digest;
  const Level3Model model(trace.config);
  Level3State state = model.initial();
  std::vector<Level3Event> path;
  std::vector<std::pair<Level3Event, Level3State>> out;
  for (std::size_t step = 0; step < trace.schedule.size(); ++step) {
    out.clear();
    model.successors(state, out);
    const auto found = std::find_if(out.begin(), out.end(), [&](const auto& successor) {
      return model.describe(successor.first) == trace.schedule[step];
    });
    if (found == out.end()) {
      report.problem = fmt::format("step {}: \"{}\" is not possible in the state reached ({})",
                                   step, trace.schedule[step], model.describe(state));
      return report;
    }
    path.push_back(found->first);
    state = found->second;
  }
  const std::optional<std::string> stuck =
      trace.end.verdict == "STUCK" && trace.end.summary.starts_with("STUCK: ")
          ? std::optional(trace.end.summary.substr(7))
          : std::nullopt;
  report.replayed = record_schedule(model, path, stuck);
  report.replayed_digest = report.replayed.end.digest;
  const auto& recorded = trace.events;
  const auto& replayed = report.replayed.events;
  for (std::size_t i = 0; i < std::max(recorded.size(), replayed.size()); ++i) {
    const std::string a = i < recorded.size() ? recorded[i].dump() : "";
    const std::string b = i < replayed.size() ? replayed[i].dump() : "";
    if (a == b) continue;
    report.first_difference = i;
    report.recorded_event = a;
    report.replayed_event = b;
    break;
  }
  report.same = !report.first_difference && report.recorded_digest == report.replayed_digest &&
                trace.end.verdict == report.replayed.end.verdict;
  return report;
}

}  // namespace ladder::level4
