// JSON-lines histories: parsing with messages that name the file, line and field, and writing.

#include "counter_spec/history_jsonl.hpp"

#include <cassert>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ladder::spec {
namespace {

using nlohmann::json;

// Where a message points: "history.jsonl:7".
struct Place {
  const std::string& file;
  std::size_t line;

  [[noreturn]] void fail(const std::string& what) const {
    throw HistoryFileError(fmt::format("{}:{}: {}", file, line, what));
  }
};

std::int64_t integer_field(const json& event, const char* field, const Place& place) {
  const auto found = event.find(field);
  if (found == event.end()) place.fail(fmt::format("field \"{}\" is missing", field));
  if (!found->is_number_integer()) {
    place.fail(fmt::format("field \"{}\" must be an integer, not {}", field, found->dump()));
  }
  return found->get<std::int64_t>();
}

std::string string_field(const json& event, const char* field, const Place& place) {
  const auto found = event.find(field);
  if (found == event.end()) place.fail(fmt::format("field \"{}\" is missing", field));
  if (!found->is_string()) {
    place.fail(fmt::format("field \"{}\" must be a string, not {}", field, found->dump()));
  }
  return found->get<std::string>();
}

CallKind parse_kind(const std::string& op, const Place& place) {
  if (op == "add") return CallKind::add;
  if (op == "read") return CallKind::read;
  if (op == "write") return CallKind::write;
  if (op == "cas") return CallKind::cas;
  place.fail(
      fmt::format("field \"op\" must be \"add\", \"read\", \"write\" or \"cas\", not \"{}\"", op));
}

// The invoke's arguments into `call`.
void parse_arguments(const json& event, Call& call, const Place& place) {
  switch (call.kind) {
    case CallKind::add:
    case CallKind::write:
      call.value = integer_field(event, "value", place);
      return;
    case CallKind::cas: {
      const auto found = event.find("value");
      if (found == event.end()) place.fail("field \"value\" is missing (cas: [expected, new])");
      if (!found->is_array() || found->size() != 2 || !(*found)[0].is_number_integer() ||
          !(*found)[1].is_number_integer()) {
        place.fail(
            fmt::format("field \"value\" of a cas must be [expected, new], two integers, not {}",
                        found->dump()));
      }
      call.expected = (*found)[0].get<std::int64_t>();
      call.value = (*found)[1].get<std::int64_t>();
      return;
    }
    case CallKind::read:
      return;
  }
}

// A call being read, and whether it failed (then it is dropped at the end).
struct Pending {
  Call call;
  bool failed = false;
};

}  // namespace

std::vector<Call> parse_history_jsonl(std::istream& in, const std::string& file_name) {
  std::vector<Pending> pending;
  std::map<ClientId, std::size_t> open;  // client -> its outstanding call in `pending`
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    const Place place{file_name, line};
    if (text.find_first_not_of(" \t\r") == std::string::npos || text.front() == '#') continue;
    json event;
    try {
      event = json::parse(text);
    } catch (const json::parse_error& error) {
      place.fail(fmt::format("not JSON: {}", error.what()));
    }
    if (!event.is_object()) place.fail("an event must be a JSON object");

    const std::string type = string_field(event, "type", place);
    const std::int64_t client = integer_field(event, "client", place);
    if (client < 0 || client > std::int64_t{UINT32_MAX}) {
      place.fail(fmt::format("field \"client\" must be in [0, {}], not {}", UINT32_MAX, client));
    }
    const Time time = integer_field(event, "time", place);
    const CallKind kind = parse_kind(string_field(event, "op", place), place);
    const auto id = static_cast<ClientId>(client);

    if (type == "invoke") {
      if (open.contains(id)) {
        place.fail(
            fmt::format("field \"type\": client {} invokes while its call from line {} is "
                        "outstanding",
                        client, pending[open.at(id)].call.line));
      }
      Call call;
      call.client = id;
      call.kind = kind;
      call.invoked = time;
      call.line = line;
      parse_arguments(event, call, place);
      open[id] = pending.size();
      pending.push_back(Pending{call});
      continue;
    }
    if (type != "ok" && type != "fail" && type != "info") {
      place.fail(fmt::format(
          "field \"type\" must be \"invoke\", \"ok\", \"fail\" or \"info\", not \"{}\"", type));
    }
    if (!open.contains(id)) {
      place.fail(fmt::format("field \"type\": {} for client {}, which has no call outstanding",
                             type, client));
    }
    Pending& current = pending[open.at(id)];
    open.erase(id);
    if (kind != current.call.kind) {
      place.fail(fmt::format("field \"op\": \"{}\" completes the \"{}\" invoked on line {}",
                             to_string(kind), to_string(current.call.kind), current.call.line));
    }
    if (time < current.call.invoked) {
      place.fail(fmt::format("field \"time\": {} is before the invoke at {} (line {})", time,
                             current.call.invoked, current.call.line));
    }
    if (type == "fail") {
      current.failed = true;
    } else if (type == "ok") {
      current.call.returned = time;
      if (kind == CallKind::read) current.call.result = integer_field(event, "value", place);
    }
  }
  if (in.bad())
    throw HistoryFileError(fmt::format("{}: read error after line {}", file_name, line));

  std::vector<Call> calls;
  for (Pending& p : pending) {
    if (p.failed) continue;
    p.call.index = calls.size();
    calls.push_back(p.call);
  }
  return calls;
}

std::vector<Call> load_history_jsonl(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw HistoryFileError(fmt::format("{}: cannot open the file", file.string()));
  return parse_history_jsonl(in, file.string());
}

std::vector<Call> calls_from_history(const History& history) {
  std::vector<Call> calls;
  for (const Operation& op : history.operations()) {
    if (op.outcome == Outcome::fail) continue;
    Call call;
    call.index = calls.size();
    call.client = op.client;
    call.kind = op.kind == OpKind::add ? CallKind::add : CallKind::read;
    call.value = op.kind == OpKind::add ? op.delta : 0;
    call.invoked = op.invoked;
    if (op.outcome == Outcome::ok) {
      call.returned = op.completed;
      call.result = op.read_value;
    }
    calls.push_back(call);
  }
  return calls;
}

std::string to_jsonl(const History& history) {
  std::string out;
  for (const Event& event : history.events()) {
    json line = {{"type", to_string(event.type)},
                 {"client", event.client},
                 {"time", event.time},
                 {"op", to_string(event.op)}};
    const bool has_value =
        event.op == OpKind::add ? event.type == EventType::invoke : event.type == EventType::ok;
    if (has_value) line["value"] = event.value;
    out += line.dump();
    out += '\n';
  }
  return out;
}

}  // namespace ladder::spec
