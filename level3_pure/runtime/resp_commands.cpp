// The door's command table: which Redis commands the counter knows, their arity, and the replies
// the door writes itself. Redis's own wording is kept wherever Redis has one, so that clients and
// people who know Redis read the errors they expect.

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>

#include <fmt/format.h>

#include "level3_pure/runtime/resp.hpp"

namespace ladder::level3 {

namespace {

constexpr const char* kKnown = "INCR, INCRBY, DECR, DECRBY, GET, PING";
constexpr const char* kNotInteger = "ERR value is not an integer or out of range";
// How much of an unknown command's name the error quotes.
constexpr std::size_t kNameQuoteBytes = 64;

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return out;
}

// A name as an error line can show it: printable ASCII, cut short.
std::string printable(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, kNameQuoteBytes)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f && c != '\'') ? c : '?';
  }
  if (name.size() > kNameQuoteBytes) out += "...";
  return out;
}

RespDecision local(std::string reply, bool close = false) {
  return RespLocalReply{std::move(reply), close};
}

RespDecision error_reply(std::string_view line) {
  return local(resp_error(line));
}

RespDecision counter(CounterCommand::Kind kind, std::int64_t delta, std::string name) {
  return RespCounterRequest{CounterCommand{kind, delta}, std::move(name)};
}

// INCRBY and DECRBY: the increment argument, or the error that refuses the command.
RespDecision add_by(const RespCommand& command, bool decrement, std::string name) {
  const auto n = parse_redis_integer(command.args[2]);
  if (!n) return error_reply(kNotInteger);
  if (!decrement) return counter(CounterCommand::Kind::add, *n, std::move(name));
  // -n does not exist for the smallest int64; Redis refuses it with these words.
  if (*n == std::numeric_limits<std::int64_t>::min()) {
    return error_reply("ERR decrement would overflow");
  }
  return counter(CounterCommand::Kind::add, -*n, std::move(name));
}

RespDecision ping(const RespCommand& command) {
  if (command.args.size() == 1) return local("+PONG\r\n");
  return local(resp_bulk(command.args[1]));
}

// CONFIG GET: the two parameters redis-benchmark asks for on connect, with the answers of a
// server that does not save to disk the Redis way; any other parameter is absent, as in Redis.
RespDecision config(const RespCommand& command) {
  if (lower(command.args[1]) != "get") {
    return error_reply(
        fmt::format("ERR unknown subcommand '{}': this server is a replicated "
                    "counter, CONFIG knows only GET",
                    printable(command.args[1])));
  }
  if (command.args.size() < 3) {
    return error_reply("ERR wrong number of arguments for 'config|get' command");
  }
  std::vector<std::string> pairs;
  for (std::size_t i = 2; i < command.args.size(); ++i) {
    const std::string name = lower(command.args[i]);
    if (name == "save") {
      pairs.insert(pairs.end(), {"save", ""});
    } else if (name == "appendonly") {
      pairs.insert(pairs.end(), {"appendonly", "no"});
    }
  }
  return local(resp_bulk_array(pairs));
}

// One row of the command table: a name, Redis's arity (n: exactly n words with the name; -n: at
// least n), the most words accepted (0: no maximum), and what to do.
struct Entry {
  std::string_view name;
  int arity;
  std::size_t max_words;
  RespDecision (*handle)(const RespCommand&);
};

const std::array<Entry, 11> kTable = {{
    {"INCR", 2, 2,
     [](const RespCommand&) { return counter(CounterCommand::Kind::add, 1, "INCR"); }},
    {"DECR", 2, 2,
     [](const RespCommand&) { return counter(CounterCommand::Kind::add, -1, "DECR"); }},
    {"INCRBY", 3, 3, [](const RespCommand& c) { return add_by(c, false, "INCRBY"); }},
    {"DECRBY", 3, 3, [](const RespCommand& c) { return add_by(c, true, "DECRBY"); }},
    {"GET", 2, 2, [](const RespCommand&) { return counter(CounterCommand::Kind::read, 0, "GET"); }},
    {"PING", -1, 2, ping},
    {"ECHO", 2, 2, [](const RespCommand& c) { return local(resp_bulk(c.args[1])); }},
    {"INFO", -1, 0, [](const RespCommand&) -> RespDecision { return RespInfoRequest{}; }},
    // redis-cli asks COMMAND DOCS for its hints; no table means it simply shows none.
    {"COMMAND", -1, 0, [](const RespCommand&) { return local("*0\r\n"); }},
    {"CONFIG", -2, 0, config},
    {"QUIT", -1, 0, [](const RespCommand&) { return local("+OK\r\n", true); }},
}};

bool arity_ok(const Entry& entry, std::size_t words) {
  if (entry.arity > 0 && words != static_cast<std::size_t>(entry.arity)) return false;
  if (entry.arity < 0 && words < static_cast<std::size_t>(-entry.arity)) return false;
  return entry.max_words == 0 || words <= entry.max_words;
}

// An error line as the backend wrote it, with Redis's "ERR " code unless it has its own: a first
// word of two or more uppercase letters followed by a space ("CLUSTERDOWN no primary").
std::string error_line(std::string_view message) {
  std::size_t caps = 0;
  while (caps < message.size() && message[caps] >= 'A' && message[caps] <= 'Z')
    ++caps;
  if (caps >= 2 && caps < message.size() && message[caps] == ' ') return resp_error(message);
  return resp_error(fmt::format("ERR {}", message));
}

}  // namespace

RespDecision interpret(const RespCommand& command) {
  assert(!command.args.empty() && "the parser never yields a command without a name");
  const std::string name = upper(command.args[0]);
  const auto entry =
      std::find_if(kTable.begin(), kTable.end(), [&](const Entry& e) { return e.name == name; });
  if (entry == kTable.end()) {
    return error_reply(
        fmt::format("ERR unknown command '{}': this server is a replicated counter; it knows {}",
                    printable(command.args[0]), kKnown));
  }
  if (!arity_ok(*entry, command.args.size())) {
    return error_reply(
        fmt::format("ERR wrong number of arguments for '{}' command", lower(entry->name)));
  }
  return entry->handle(command);
}

std::string encode_outcome(const RespCounterRequest& request, const CommandOutcome& outcome) {
  const bool read = request.command.kind == CounterCommand::Kind::read;
  switch (outcome.kind) {
    case CommandOutcome::Kind::ok:
      return read ? resp_bulk(std::to_string(outcome.value)) : resp_integer(outcome.value);
    case CommandOutcome::Kind::unknown: {
      const std::string why =
          outcome.message.empty() ? std::string("the cluster did not answer") : outcome.message;
      if (read) return resp_error(fmt::format("TIMEOUT {}; no value was read", why));
      return resp_error(
          fmt::format("TIMEOUT {}; the {} may or may not have happened", why, request.name));
    }
    case CommandOutcome::Kind::error:
      return error_line(outcome.message);
  }
  assert(false && "every outcome kind is handled above");
  return resp_error("ERR internal: unknown outcome kind");
}

std::string encode_info(std::string_view text) {
  return resp_bulk(text);
}

std::map<std::string, std::string> parse_info(std::string_view text) {
  std::map<std::string, std::string> fields;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
  }
  return fields;
}

}  // namespace ladder::level3
