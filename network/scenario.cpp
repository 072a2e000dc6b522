/// \file
/// Scenario files: a strict reader that names the file, the JSON pointer and what was expected
/// for every mistake, and the writer that produces what the reader accepts.
///
/// The reader walks the document with a Cursor (a value plus its JSON pointer), so that every
/// error can say exactly where it is. Unknown fields are errors: a misspelt "dorp" would otherwise
/// silently run a scenario without the fault its author meant.

#include "network/scenario.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ladder::net {

ScenarioError::ScenarioError(std::string file, std::string json_path, const std::string& problem)
    : std::runtime_error(
          fmt::format("{}: {}: {}", file, json_path.empty() ? "/" : json_path, problem)),
      file_(std::move(file)),
      json_path_(std::move(json_path)) {}

namespace {

using json = nlohmann::json;
using Pointer = json::json_pointer;

constexpr int kMaxReplicas = 7;  // the majority check and the diagrams stay readable up to here
constexpr int kMaxClients = 16;
constexpr std::int64_t kMaxOperations = 1'000'000;
constexpr std::int64_t kMaxDelta = 1'000'000'000;
constexpr Time kMaxTimeMs = 1'000'000'000;  // about eleven days of virtual time

constexpr std::array<const char*, 6> kVerdicts = {"ok",       "LOST",  "DUPLICATED",
                                                  "DIVERGED", "STUCK", "BAD-READ"};

/// A value in the document together with where it is, for error messages.
class Cursor {
 public:
  Cursor(const json& value, Pointer path, const std::string& source)
      : value_(&value), path_(std::move(path)), source_(&source) {}

  [[nodiscard]] const json& value() const { return *value_; }
  [[nodiscard]] const std::string& source() const { return *source_; }

  /// Throws a ScenarioError at this value: "expected <what>, got <the value>".
  [[noreturn]] void fail(const std::string& expected) const {
    throw ScenarioError(*source_, path_.to_string(),
                        fmt::format("expected {}, got {}", expected, shown()));
  }
  /// Throws a ScenarioError at this value with a message of its own.
  [[noreturn]] void fail_because(const std::string& problem) const {
    throw ScenarioError(*source_, path_.to_string(), problem);
  }

  /// The member `key` of this object (precondition: has(key)).
  [[nodiscard]] Cursor operator[](const std::string& key) const {
    assert(value_->is_object() && value_->contains(key));
    return Cursor(value_->at(key), path_ / key, *source_);
  }
  /// The element `i` of this array.
  [[nodiscard]] Cursor operator[](std::size_t i) const {
    assert(value_->is_array() && i < value_->size());
    return Cursor(value_->at(i), path_ / i, *source_);
  }
  [[nodiscard]] bool has(const std::string& key) const { return value_->contains(key); }

  /// Checks that this is an object whose fields are all among `allowed`.
  void expect_object(std::initializer_list<const char*> allowed, const std::string& what) const {
    if (!value_->is_object()) fail(what);
    for (const auto& [key, unused] : value_->items()) {
      (void)unused;
      const bool known = std::any_of(allowed.begin(), allowed.end(),
                                     [&](const char* name) { return key == name; });
      if (!known) {
        std::string names;
        for (const char* name : allowed)
          names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", name);
        throw ScenarioError(*source_, (path_ / key).to_string(),
                            fmt::format("unknown field (expected one of {})", names));
      }
    }
  }

  [[nodiscard]] std::int64_t integer(std::int64_t lo, std::int64_t hi,
                                     const std::string& what) const {
    if (!value_->is_number_integer()) fail(what);
    if (value_->is_number_unsigned() && value_->get<std::uint64_t>() > INT64_MAX) fail(what);
    const auto result = value_->get<std::int64_t>();
    if (result < lo || result > hi) fail(what);
    return result;
  }

  [[nodiscard]] double probability() const {
    const char* what = "a probability between 0 and 1";
    if (!value_->is_number()) fail(what);
    const auto result = value_->get<double>();
    if (!(0.0 <= result && result <= 1.0)) fail(what);
    return result;
  }

  [[nodiscard]] std::string string(const std::string& what) const {
    if (!value_->is_string()) fail(what);
    return value_->get<std::string>();
  }

  /// A range written [lo, hi] with lo <= hi and both in [min, max].
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> range(std::int64_t min, std::int64_t max,
                                                            const std::string& unit) const {
    const std::string what =
        fmt::format("a range [lo, hi] of {} with {} <= lo <= hi <= {}", unit, min, max);
    if (!value_->is_array() || value_->size() != 2) fail(what);
    const std::int64_t lo =
        (*this)[0].integer(min, max, fmt::format("{} between {} and {}", unit, min, max));
    const std::int64_t hi =
        (*this)[1].integer(min, max, fmt::format("{} between {} and {}", unit, min, max));
    if (lo > hi) fail(what);
    return {lo, hi};
  }

  /// A node name of `topology`, restricted to replicas when `replicas_only`.
  [[nodiscard]] NodeId node(const Topology& topology, bool replicas_only) const {
    const std::string known = replicas_only
                                  ? fmt::format("a replica name (r0 .. r{})", topology.replicas - 1)
                                  : fmt::format("a node name (r0 .. r{}, c0 .. c{})",
                                                topology.replicas - 1, topology.clients - 1);
    if (!value_->is_string()) fail(known);
    const auto id = topology.parse(value_->get<std::string>());
    if (!id || (replicas_only && !topology.is_replica(*id))) fail(known);
    return *id;
  }

  /// A non-empty array of distinct node names.
  [[nodiscard]] std::vector<NodeId> nodes(const Topology& topology) const {
    if (!value_->is_array() || value_->empty()) fail("a non-empty array of node names");
    std::vector<NodeId> ids;
    for (std::size_t i = 0; i < value_->size(); ++i) {
      const NodeId id = (*this)[i].node(topology, false);
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
        (*this)[i].fail_because(fmt::format("node \"{}\" is listed twice", topology.name(id)));
      }
      ids.push_back(id);
    }
    return ids;
  }

 private:
  /// The offending value as it was written, shortened if long.
  [[nodiscard]] std::string shown() const {
    std::string text = value_->dump();
    constexpr std::size_t kMaxShown = 60;
    if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
    return text;
  }

  const json* value_;
  Pointer path_;
  const std::string* source_;
};

Workload parse_workload(const Cursor& at) {
  at.expect_object({"clients", "operations", "delta", "read_probability", "think_ms"},
                   "an object with the workload's fields");
  Workload workload;
  if (at.has("clients")) {
    workload.clients = static_cast<int>(at["clients"].integer(
        1, kMaxClients, fmt::format("a number of clients between 1 and {}", kMaxClients)));
  }
  if (at.has("operations")) {
    workload.operations = static_cast<int>(at["operations"].integer(
        0, kMaxOperations,
        fmt::format("a number of operations per client between 0 and {}", kMaxOperations)));
  }
  if (at.has("delta")) {
    std::tie(workload.delta_min, workload.delta_max) = at["delta"].range(1, kMaxDelta, "deltas");
  }
  if (at.has("read_probability")) workload.read_probability = at["read_probability"].probability();
  if (at.has("think_ms")) {
    std::tie(workload.think_min_ms, workload.think_max_ms) =
        at["think_ms"].range(0, kMaxTimeMs, "milliseconds");
  }
  return workload;
}

TimelineEvent parse_partition(const Cursor& at, const Topology& topology) {
  TimelineEvent event;
  event.kind = TimelineKind::partition;
  if (!at.value().is_array() || at.value().size() < 2) {
    at.fail("at least two groups of node names, e.g. [[\"r0\"], [\"r1\", \"r2\"]]");
  }
  std::set<NodeId> seen;
  for (std::size_t g = 0; g < at.value().size(); ++g) {
    const Cursor group = at[g];
    event.groups.push_back(group.nodes(topology));
    for (std::size_t i = 0; i < event.groups.back().size(); ++i) {
      const NodeId id = event.groups.back()[i];
      if (!seen.insert(id).second) {
        group[i].fail_because(fmt::format(
            "node \"{}\" is already in another group (a node can be in at most one group)",
            topology.name(id)));
      }
    }
  }
  return event;
}

TimelineEvent parse_cut(const Cursor& at, const Topology& topology) {
  at.expect_object({"from", "to"}, "an object {\"from\": [...], \"to\": [...]}");
  if (!at.has("from")) at.fail_because("a cut needs \"from\": the nodes whose messages are lost");
  if (!at.has("to")) at.fail_because("a cut needs \"to\": the nodes they can no longer reach");
  TimelineEvent event;
  event.kind = TimelineKind::cut;
  event.from = at["from"].nodes(topology);
  event.to = at["to"].nodes(topology);
  return event;
}

TimelineEvent parse_timeline_event(const Cursor& at, const Topology& topology) {
  at.expect_object({"at_ms", "partition", "cut", "heal", "crash", "restart"},
                   "an object with \"at_ms\" and one of partition, cut, heal, crash, restart");
  if (!at.has("at_ms")) at.fail_because("a timeline entry needs \"at_ms\": when it happens");
  const Time at_ms =
      at["at_ms"].integer(0, kMaxTimeMs, fmt::format("a time in ms between 0 and {}", kMaxTimeMs));
  std::vector<std::string> kinds;
  for (const char* kind : {"partition", "cut", "heal", "crash", "restart"}) {
    if (at.has(kind)) kinds.emplace_back(kind);
  }
  if (kinds.size() != 1) {
    at.fail_because(fmt::format(
        "expected exactly one of partition, cut, heal, crash, restart in a timeline entry, got {}",
        kinds.empty() ? std::string("none") : fmt::format("{}", fmt::join(kinds, " and "))));
  }
  const std::string& kind = kinds.front();
  const Cursor body = at[kind];
  TimelineEvent event;
  if (kind == "partition") {
    event = parse_partition(body, topology);
  } else if (kind == "cut") {
    event = parse_cut(body, topology);
  } else if (kind == "heal") {
    if (body.value() != true) body.fail("true");
    event.kind = TimelineKind::heal;
  } else {
    event.kind = kind == "crash" ? TimelineKind::crash : TimelineKind::restart;
    event.node = body.node(topology, /*replicas_only=*/true);
  }
  event.at_ms = at_ms;
  return event;
}

/// Sorted by time, and crashes and restarts alternate per replica (a crash of a crashed replica
/// or a restart of a running one is almost always a typo for another replica).
std::vector<TimelineEvent> parse_timeline(const Cursor& at, const Topology& topology) {
  if (!at.value().is_array()) at.fail("an array of timeline entries");
  std::vector<TimelineEvent> timeline;
  std::vector<bool> down(static_cast<std::size_t>(topology.size()), false);
  for (std::size_t i = 0; i < at.value().size(); ++i) {
    TimelineEvent event = parse_timeline_event(at[i], topology);
    if (!timeline.empty() && event.at_ms < timeline.back().at_ms) {
      at[i]["at_ms"].fail(fmt::format(
          "a time >= {} ms (the timeline must be sorted by at_ms; it is not sorted for you)",
          timeline.back().at_ms));
    }
    if (event.kind == TimelineKind::crash || event.kind == TimelineKind::restart) {
      const bool crash = event.kind == TimelineKind::crash;
      if (down[event.node] == crash) {
        at[i][crash ? "crash" : "restart"].fail_because(
            fmt::format("{} is already {} at {} ms", topology.name(event.node),
                        crash ? "crashed" : "running", event.at_ms));
      }
      down[event.node] = crash;
    }
    timeline.push_back(std::move(event));
  }
  return timeline;
}

FaultPlan parse_faults(const Cursor& at, const Topology& topology) {
  at.expect_object({"drop", "duplicate", "delay_ms", "response_loss", "timeline"},
                   "an object with the fault plan's fields");
  FaultPlan plan;
  if (at.has("drop")) plan.drop_probability = at["drop"].probability();
  if (at.has("duplicate")) plan.duplicate_probability = at["duplicate"].probability();
  if (at.has("delay_ms")) {
    std::tie(plan.delay_min_ms, plan.delay_max_ms) =
        at["delay_ms"].range(0, kMaxTimeMs, "milliseconds");
  }
  if (at.has("response_loss")) plan.response_loss_probability = at["response_loss"].probability();
  if (at.has("timeline")) plan.timeline = parse_timeline(at["timeline"], topology);
  return plan;
}

std::map<std::string, std::vector<std::string>> parse_expect(const Cursor& at) {
  at.expect_object({"level0", "level1", "level2", "level3", "level4"},
                   "an object from level names to verdict words");
  std::map<std::string, std::vector<std::string>> expect;
  const std::string what =
      "a non-empty array of verdicts from ok, LOST, DUPLICATED, DIVERGED, "
      "STUCK, BAD-READ";
  for (const auto& [level, unused] : at.value().items()) {
    (void)unused;
    const Cursor verdicts = at[level];
    if (!verdicts.value().is_array() || verdicts.value().empty()) verdicts.fail(what);
    for (std::size_t i = 0; i < verdicts.value().size(); ++i) {
      const std::string word = verdicts[i].string(what);
      if (std::find(kVerdicts.begin(), kVerdicts.end(), word) == kVerdicts.end()) {
        verdicts[i].fail(what);
      }
      expect[level].push_back(word);
    }
  }
  return expect;
}

}  // namespace

Scenario parse_scenario(const json& doc, const std::string& source, const std::string& name) {
  const Cursor root(doc, Pointer(), source);
  root.expect_object(
      {"description", "replicas", "seed", "stuck_after_ms", "workload", "faults", "expect"},
      "a scenario object");
  Scenario scenario;
  scenario.name = name;
  if (!root.has("description")) {
    root.fail_because("a scenario needs a \"description\" for the reader");
  }
  scenario.description = root["description"].string("a string describing the scenario");
  if (scenario.description.empty()) root["description"].fail("a non-empty description");
  if (root.has("replicas")) {
    scenario.replicas = static_cast<int>(root["replicas"].integer(
        1, kMaxReplicas, fmt::format("a number of replicas between 1 and {}", kMaxReplicas)));
  }
  if (root.has("seed")) {
    const Cursor seed = root["seed"];
    if (!seed.value().is_number_unsigned()) seed.fail("a seed: an integer >= 0");
    scenario.seed = seed.value().get<std::uint64_t>();
  }
  if (root.has("stuck_after_ms")) {
    scenario.stuck_after_ms = root["stuck_after_ms"].integer(
        1, kMaxTimeMs, fmt::format("a time in ms between 1 and {}", kMaxTimeMs));
  }
  // The workload first: the fault timeline names clients, so it needs their number.
  if (root.has("workload")) scenario.workload = parse_workload(root["workload"]);
  if (root.has("faults")) scenario.faults = parse_faults(root["faults"], scenario.topology());
  if (root.has("expect")) scenario.expect = parse_expect(root["expect"]);
  assert(scenario.replicas >= 1 && scenario.workload.clients >= 1);
  return scenario;
}

Scenario load_scenario(const std::filesystem::path& file) {
  const std::string source = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ScenarioError(source, "", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(text.str());
  } catch (const json::parse_error& e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 3,
    // column 5: ..."; keep what follows the bracket.
    std::string message = e.what();
    const auto bracket = message.find("] ");
    if (bracket != std::string::npos) message = message.substr(bracket + 2);
    throw ScenarioError(source, "", fmt::format("not valid JSON: {}", message));
  }
  return parse_scenario(doc, source, file.stem().string());
}

std::vector<Scenario> load_scenarios(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) {
    throw ScenarioError(dir.string(), "", "not a directory of scenario files");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  // Directory order differs between file systems; the stem is the scenario's name.
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.stem().string() < b.stem().string(); });
  std::vector<Scenario> scenarios;
  scenarios.reserve(files.size());
  for (const auto& file : files)
    scenarios.push_back(load_scenario(file));
  return scenarios;
}

namespace {

json node_names(const std::vector<NodeId>& ids, const Topology& topology) {
  json names = json::array();
  for (const NodeId id : ids)
    names.push_back(topology.name(id));
  return names;
}

json timeline_to_json(const TimelineEvent& event, const Topology& topology) {
  json entry = {{"at_ms", event.at_ms}};
  switch (event.kind) {
    case TimelineKind::partition: {
      json groups = json::array();
      for (const auto& group : event.groups)
        groups.push_back(node_names(group, topology));
      entry["partition"] = groups;
      break;
    }
    case TimelineKind::cut:
      entry["cut"] = {{"from", node_names(event.from, topology)},
                      {"to", node_names(event.to, topology)}};
      break;
    case TimelineKind::heal:
      entry["heal"] = true;
      break;
    case TimelineKind::crash:
    case TimelineKind::restart:
      entry[to_string(event.kind)] = topology.name(event.node);
      break;
  }
  return entry;
}

}  // namespace

json to_json(const Scenario& scenario) {
  const Topology topology = scenario.topology();
  const Workload& w = scenario.workload;
  const FaultPlan& f = scenario.faults;
  json timeline = json::array();
  for (const auto& event : f.timeline)
    timeline.push_back(timeline_to_json(event, topology));
  json doc = {
      {"description", scenario.description},
      {"replicas", scenario.replicas},
      {"seed", scenario.seed},
      {"stuck_after_ms", scenario.stuck_after_ms},
      {"workload",
       {{"clients", w.clients},
        {"operations", w.operations},
        {"delta", {w.delta_min, w.delta_max}},
        {"read_probability", w.read_probability},
        {"think_ms", {w.think_min_ms, w.think_max_ms}}}},
      {"faults",
       {{"drop", f.drop_probability},
        {"duplicate", f.duplicate_probability},
        {"delay_ms", {f.delay_min_ms, f.delay_max_ms}},
        {"response_loss", f.response_loss_probability},
        {"timeline", timeline}}},
  };
  if (!scenario.expect.empty()) doc["expect"] = scenario.expect;
  return doc;
}

}  // namespace ladder::net
