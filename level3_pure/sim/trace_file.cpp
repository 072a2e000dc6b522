#include "level3_pure/sim/trace_file.hpp"

#include <cassert>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace ladder::level3 {
namespace {

using nlohmann::json;

// ---- Recording --------------------------------------------------------------------------------

/// Turns the network's trace events and send decisions into the file's event lines, and pairs
/// every delivery (or late drop) with the send it came from.
///
/// A send's decision arrives right after its `send` event; a loss decided at send time (random,
/// response lost, cut) or a duplicate is the event right after that. A message that travels is
/// expected at send time + delay: it is matched by (from, to, arrival time, bytes).
class Recorder {
 public:
  explicit Recorder(net::Topology topology) : topology_(topology) {}

  SimHooks hooks() {
    SimHooks hooks;
    hooks.observer = [this](const net::TraceEvent& event) { observe(event); };
    hooks.on_send = [this](const net::SendInfo& info, const net::SendDecision& decision,
                           bool forgiven) { decided(info, decision, forgiven); };
    return hooks;
  }

  std::vector<json> take() { return std::move(events_); }

 private:
  using Key = std::tuple<net::NodeId, net::NodeId, net::Time, std::string>;

  void observe(const net::TraceEvent& event) {
    json line{{"t", event.time}, {"e", net::to_string(event.kind)}};
    switch (event.kind) {
      case net::TraceKind::send:
        message_fields(line, event);
        last_send_ = Key{event.from, event.to, event.time, std::string(event.payload)};
        break;
      case net::TraceKind::deliver:
      case net::TraceKind::drop:
      case net::TraceKind::duplicate:
        message_fields(line, event);
        if (event.kind == net::TraceKind::drop) line["why"] = std::string(event.detail);
        if (const auto send = send_of(event)) line["send"] = *send;
        break;
      case net::TraceKind::timer:
        line["node"] = topology_.name(event.to);
        line["timer"] = describe_timer_tag(event.detail);
        break;
      case net::TraceKind::crash:
      case net::TraceKind::restart:
        line["node"] = topology_.name(event.to);
        break;
      case net::TraceKind::partition:
      case net::TraceKind::heal:
        line["detail"] = std::string(event.detail);
        break;
      case net::TraceKind::note:
        line["node"] = topology_.name(event.from);
        line["text"] = std::string(event.payload);
        break;
    }
    if (event.kind != net::TraceKind::send) last_send_.reset();
    events_.push_back(std::move(line));
  }

  void message_fields(json& line, const net::TraceEvent& event) const {
    line["from"] = topology_.name(event.from);
    line["to"] = topology_.name(event.to);
    line["msg"] = describe_payload(event.payload);
  }

  void decided(const net::SendInfo& info, const net::SendDecision& decision, bool forgiven) {
    assert(last_send_ && !events_.empty() && "a decision follows its send event");
    json& line = events_.back();
    line["send"] = info.index;
    line["delay"] = decision.delay_ms;
    if (decision.duplicate) line["copy_delay"] = decision.copy_delay_ms;
    const char* fault = decision.drop            ? "drop"
                        : decision.response_lost ? "response lost"
                        : decision.duplicate     ? "duplicate"
                                                 : nullptr;
    if (fault != nullptr) line["fault"] = fault;
    if (forgiven) line["forgiven"] = true;
    decided_send_ = info.index;
    auto [from, to, time, payload] = *last_send_;
    if (!decision.drop && !decision.response_lost) {
      expected_[Key{from, to, time + decision.delay_ms, payload}].push_back(info.index);
      if (decision.duplicate) {
        expected_[Key{from, to, time + decision.copy_delay_ms, payload}].push_back(info.index);
      }
    }
  }

  /// The index of the send an event of a message belongs to.
  std::optional<std::uint64_t> send_of(const net::TraceEvent& event) {
    const bool at_send = last_send_ && decided_send_ && std::get<0>(*last_send_) == event.from &&
                         std::get<1>(*last_send_) == event.to &&
                         std::get<2>(*last_send_) == event.time;
    // Random losses and duplicates are decided at send time: they belong to the send just made.
    const bool random =
        event.kind == net::TraceKind::duplicate ||
        (event.kind == net::TraceKind::drop && event.detail != "cut" && event.detail != "down");
    if (random) return at_send ? decided_send_ : std::nullopt;
    // A delivery, or a loss on arrival (cut, down): the copy expected now.
    const auto found =
        expected_.find(Key{event.from, event.to, event.time, std::string(event.payload)});
    if (found != expected_.end() && !found->second.empty()) {
      const std::uint64_t send = found->second.front();
      found->second.pop_front();
      if (found->second.empty()) expected_.erase(found);
      return send;
    }
    // A cut at send time: the message never travels.
    if (at_send && event.kind == net::TraceKind::drop) {
      forget_expected(*last_send_, *decided_send_);
      return decided_send_;
    }
    return std::nullopt;
  }

  // A message cut at send time never arrives: its expected arrivals are void.
  void forget_expected(const Key& sent, std::uint64_t send) {
    for (auto it = expected_.begin(); it != expected_.end();) {
      const bool same = std::get<0>(it->first) == std::get<0>(sent) &&
                        std::get<1>(it->first) == std::get<1>(sent) &&
                        std::get<3>(it->first) == std::get<3>(sent);
      if (same) std::erase(it->second, send);
      it = it->second.empty() ? expected_.erase(it) : std::next(it);
    }
  }

  net::Topology topology_;
  std::vector<json> events_;
  std::optional<Key> last_send_;
  std::optional<std::uint64_t> decided_send_;
  std::map<Key, std::deque<std::uint64_t>> expected_;
};

/// Marks the events that name the culprit request ("c0#3 " or "c0#3" at the end of a message).
void mark_culprit(std::vector<json>& events, const std::string& culprit) {
  const auto names = [&culprit](const std::string& text) {
    for (std::size_t at = text.find(culprit); at != std::string::npos;
         at = text.find(culprit, at + 1)) {
      const std::size_t after = at + culprit.size();
      if (after == text.size() || text[after] == ' ') return true;
    }
    return false;
  };
  for (json& event : events) {
    const json* text = event.contains("msg")    ? &event["msg"]
                       : event.contains("text") ? &event["text"]
                                                : nullptr;
    if (text != nullptr && names(text->get<std::string>())) event["culprit"] = true;
  }
}

// ---- The header --------------------------------------------------------------------------------

json ops_to_json(const std::vector<std::vector<net::PlannedOp>>& ops) {
  json clients = json::array();
  for (const auto& client : ops) {
    json list = json::array();
    for (const net::PlannedOp& op : client) {
      list.push_back(op.read ? json{{"op", "read"}, {"think_ms", op.think_ms}}
                             : json{{"op", "add"}, {"delta", op.delta}, {"think_ms", op.think_ms}});
    }
    clients.push_back(std::move(list));
  }
  return clients;
}

/// Reads field `name` of `object` as T, or throws naming where and what was expected.
template <typename T>
T field(const json& object, const char* name, const std::string& where, const char* expected) {
  const auto it = object.find(name);
  if (it == object.end())
    throw TraceError(fmt::format("{}: missing field \"{}\" ({})", where, name, expected));
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw TraceError(
        fmt::format("{}: field \"{}\": expected {}, got {}", where, name, expected, it->dump()));
  }
}

std::vector<std::vector<net::PlannedOp>> ops_from_json(const json& clients,
                                                       const std::string& where) {
  if (!clients.is_array())
    throw TraceError(fmt::format("{}: field \"ops\": expected an array of clients", where));
  std::vector<std::vector<net::PlannedOp>> ops;
  for (std::size_t c = 0; c < clients.size(); ++c) {
    const json& list = clients[c];
    if (!list.is_array()) {
      throw TraceError(fmt::format("{}: ops[{}]: expected an array of operations", where, c));
    }
    std::vector<net::PlannedOp> client;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = fmt::format("{}: ops[{}][{}]", where, c, i);
      if (!list[i].is_object()) throw TraceError(at + ": expected an object");
      net::PlannedOp op;
      const auto kind = field<std::string>(list[i], "op", at, "\"add\" or \"read\"");
      if (kind != "add" && kind != "read")
        throw TraceError(at + ": field \"op\": expected \"add\" or \"read\", got \"" + kind + "\"");
      op.read = kind == "read";
      if (!op.read) op.delta = field<std::int64_t>(list[i], "delta", at, "an integer");
      op.think_ms = field<net::Time>(list[i], "think_ms", at, "a number of ms >= 0");
      if (op.think_ms < 0)
        throw TraceError(at + ": field \"think_ms\": expected a number of ms >= 0");
      client.push_back(op);
    }
    ops.push_back(std::move(client));
  }
  return ops;
}

std::string hex(std::uint64_t value) {
  return fmt::format("{:016x}", value);
}

}  // namespace

TraceEnd trace_end_of(const json& line, const std::string& where) {
  TraceEnd end;
  const auto digest = field<std::string>(line, "digest", where, "16 hex digits");
  std::size_t used = 0;
  try {
    end.digest = std::stoull(digest, &used, 16);
  } catch (const std::exception&) {
    used = 0;
  }
  if (digest.size() != 16 || used != 16) {
    throw TraceError(
        fmt::format("{}: field \"digest\": expected 16 hex digits, got \"{}\"", where, digest));
  }
  end.verdict = field<std::string>(line, "verdict", where, "a verdict cell such as \"ok\"");
  end.kinds = field<std::vector<std::string>>(line, "kinds", where, "a list of verdict kinds");
  end.summary = field<std::string>(line, "summary", where, "a sentence");
  end.events = field<std::uint64_t>(line, "events", where, "a count of events");
  if (line.contains("culprit") && !line["culprit"].is_null()) {
    end.culprit = field<std::string>(line, "culprit", where, "a request id such as \"c0#3\"");
  }
  return end;
}

json trace_end_line(const TraceEnd& end) {
  json line{{"end", true},        {"digest", hex(end.digest)}, {"verdict", end.verdict},
            {"kinds", end.kinds}, {"summary", end.summary},    {"events", end.events}};
  line["culprit"] = end.culprit ? json(*end.culprit) : json(nullptr);
  return line;
}

json header_of(const SimSpec& spec) {
  json header{{"format", "ladder-trace"},
              {"version", kTraceFormatVersion},
              {"level", 3},
              {"seed", spec.seed},
              {"variant", to_string(spec.variant)},
              {"name", spec.scenario.name},
              {"scenario", net::to_json(spec.scenario)},
              {"ops", ops_to_json(spec.ops)}};
  header["kept_faults"] = spec.kept_faults ? json(*spec.kept_faults) : json(nullptr);
  return header;
}

SimSpec spec_of(const json& header, const std::string& where) {
  if (!header.is_object() || header.value("format", "") != "ladder-trace") {
    throw TraceError(where +
                     ": not a ladder trace (the first line has no \"format\":\"ladder-trace\")");
  }
  const int version = field<int>(header, "version", where, "a format version");
  if (version != kTraceFormatVersion) {
    throw TraceError(
        fmt::format("{}: field \"version\": this ladder reads version {}, the file is version {}",
                    where, kTraceFormatVersion, version));
  }
  if (field<int>(header, "level", where, "3") != 3) {
    throw TraceError(where + ": field \"level\": expected 3 (only level 3 writes traces)");
  }
  SimSpec spec;
  spec.seed = field<std::uint64_t>(header, "seed", where, "an unsigned seed");
  const auto variant =
      field<std::string>(header, "variant", where, "\"first-release\" or \"fixed\"");
  const auto parsed = parse_variant(variant);
  if (!parsed)
    throw TraceError(
        fmt::format("{}: field \"variant\": expected \"first-release\" or \"fixed\", got \"{}\"",
                    where, variant));
  spec.variant = *parsed;
  const auto name = field<std::string>(header, "name", where, "the scenario's name");
  if (!header.contains("scenario")) throw TraceError(where + ": missing field \"scenario\"");
  try {
    spec.scenario = net::parse_scenario(header["scenario"], where + ": field \"scenario\"", name);
  } catch (const net::ScenarioError& error) {
    throw TraceError(error.what());
  }
  if (!header.contains("ops")) throw TraceError(where + ": missing field \"ops\"");
  spec.ops = ops_from_json(header["ops"], where);
  if (spec.ops.size() != static_cast<std::size_t>(spec.scenario.workload.clients)) {
    throw TraceError(fmt::format("{}: field \"ops\": expected {} clients (the scenario's), got {}",
                                 where, spec.scenario.workload.clients, spec.ops.size()));
  }
  if (header.contains("kept_faults") && !header["kept_faults"].is_null()) {
    auto kept = field<std::vector<std::uint64_t>>(header, "kept_faults", where,
                                                  "null or a list of send indices");
    if (!std::is_sorted(kept.begin(), kept.end())) {
      throw TraceError(where + ": field \"kept_faults\": expected send indices in ascending order");
    }
    spec.kept_faults = std::move(kept);
  }
  return spec;
}

Trace record_trace(const SimSpec& spec, SimResult* result_out, const SimLimits& limits) {
  Recorder recorder(spec.scenario.topology());
  SimResult result = run_sim(spec, recorder.hooks(), limits);
  Trace trace;
  trace.spec = spec;
  trace.events = recorder.take();
  trace.end.digest = result.digest;
  trace.end.verdict = result.verdict.cell();
  trace.end.kinds = result.verdict.kinds();
  trace.end.summary = result.verdict.summary();
  trace.end.events = result.events;
  if (result.culprit) {
    trace.end.culprit = spec::to_string(*result.culprit);
    mark_culprit(trace.events, *trace.end.culprit);
  }
  if (result_out != nullptr) *result_out = std::move(result);
  return trace;
}

void write_trace(std::ostream& out, const Trace& trace) {
  out << header_of(trace.spec).dump() << '\n';
  for (const json& event : trace.events)
    out << event.dump() << '\n';
  out << trace_end_line(trace.end).dump() << '\n';
}

Trace read_trace(std::istream& in, const std::string& source) {
  Trace trace;
  std::string text;
  std::size_t number = 0;
  bool have_header = false;
  bool have_end = false;
  while (std::getline(in, text)) {
    ++number;
    const std::string where = fmt::format("{}:{}", source, number);
    if (text.empty()) continue;
    if (have_end) throw TraceError(where + ": a line after the last line (the one with \"end\")");
    json line;
    try {
      line = json::parse(text);
    } catch (const json::parse_error& error) {
      throw TraceError(fmt::format("{}: not JSON: {}", where, error.what()));
    }
    if (!have_header) {
      trace.spec = spec_of(line, where);
      have_header = true;
    } else if (line.is_object() && line.contains("end")) {
      trace.end = trace_end_of(line, where);
      have_end = true;
    } else if (line.is_object() && line.contains("t") && line.contains("e")) {
      trace.events.push_back(std::move(line));
    } else {
      throw TraceError(
          where + ": expected an event (with \"t\" and \"e\") or the last line (with \"end\")");
    }
  }
  if (!have_header) throw TraceError(source + ": empty: a trace starts with its header line");
  if (!have_end) {
    throw TraceError(fmt::format(
        "{}: no last line with \"end\" and the digest (the file is cut short?)", source));
  }
  return trace;
}

void save_trace(const std::filesystem::path& file, const Trace& trace) {
  std::ofstream out(file, std::ios::binary);
  write_trace(out, trace);
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
}

Trace load_trace(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TraceError(fmt::format("{}: cannot open it", file.string()));
  return read_trace(in, file.string());
}

}  // namespace ladder::level3
