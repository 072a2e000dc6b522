/// \file
/// Transcript tests for level 3's core: every level3_pure/core/testdata/*.txt is a script of inputs
/// to a small cluster of pure replicas and clients, each followed by what step() (or client_step())
/// returned, as describe() prints it. This runner replays each script and compares.
///
/// The format and the commands are documented in level3_pure/core/testdata/README.md. After a
/// deliberate change of behaviour, regenerate the expected text and review the diff:
///
///     LADDER_REWRITE=1 build/release/level3_pure/core/level3_core_tests '[transcript]'
///
/// Every step is also checked against the rules no transcript should have to spell out: P2/P4/P5
/// (keeps_p2 of core_support.hpp), and an ignored input changes nothing and asks for nothing.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "level3_pure/core/client.hpp"
#include "level3_pure/core/tests/core_support.hpp"

namespace ladder::level3::test {
namespace {

// ---------------------------------------------------------------------------------------------
// The file: comments and blank lines kept verbatim, and blocks "command / ---- / output".

struct Block {
  int line = 0;                       // the command's line number, from 1
  std::string command;                // the command line
  std::vector<std::string> expected;  // the lines after "----", up to a blank line
};

struct Item {
  std::optional<Block> block;  // a block, or
  std::string text;            // a comment or blank line, kept as is
};

struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<Item> read_script(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ScriptError(fmt::format("{}: cannot read", path.string()));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::vector<Item> items;
  for (std::size_t i = 0; i < lines.size();) {
    const std::string& line = lines[i];
    if (line.empty() || line.front() == '#') {
      items.push_back(Item{std::nullopt, line});
      ++i;
      continue;
    }
    Block block{static_cast<int>(i + 1), line, {}};
    if (i + 1 >= lines.size() || lines[i + 1] != "----") {
      throw ScriptError(
          fmt::format("{}:{}: a command is followed by a line \"----\"", path.string(), i + 1));
    }
    i += 2;
    while (i < lines.size() && !lines[i].empty())
      block.expected.push_back(lines[i++]);
    items.push_back(Item{std::move(block), {}});
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Tokens and the notation of messages, requests and logs (describe()'s, with logs in full).

struct Parse : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Tokens {
 public:
  explicit Tokens(std::string_view text) {
    std::string current;
    const auto flush = [&] {
      if (!current.empty()) words_.push_back(std::move(current));
      current.clear();
    };
    for (const char ch : text) {
      if (std::isspace(static_cast<unsigned char>(ch))) {
        flush();
      } else if (ch == '{' || ch == '}' || ch == '|') {
        flush();
        words_.emplace_back(1, ch);
      } else {
        current.push_back(ch);
      }
    }
    flush();
  }

  [[nodiscard]] bool done() const { return next_ >= words_.size(); }
  [[nodiscard]] std::string_view peek() const {
    return done() ? std::string_view{} : std::string_view{words_[next_]};
  }
  std::string take(std::string_view what) {
    if (done()) throw Parse(fmt::format("expected {}, found the end of the line", what));
    return words_[next_++];
  }
  void expect(std::string_view word) {
    const std::string got = take(fmt::format("\"{}\"", word));
    if (got != word) throw Parse(fmt::format("expected \"{}\", found \"{}\"", word, got));
  }
  bool accept(std::string_view word) {
    if (peek() != word) return false;
    ++next_;
    return true;
  }
  void end() {
    if (!done()) throw Parse(fmt::format("unexpected \"{}\" at the end of the line", peek()));
  }

 private:
  std::vector<std::string> words_;
  std::size_t next_ = 0;
};

template <typename Int>
Int number(std::string_view text, std::string_view what) {
  Int value{};
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
    throw Parse(fmt::format("expected {}, found \"{}\"", what, text));
  }
  return value;
}

// "v3" with prefix "v": 3.
std::uint64_t prefixed(Tokens& t, std::string_view prefix) {
  const std::string word = t.take(fmt::format("{}N", prefix));
  if (!std::string_view(word).starts_with(prefix)) {
    throw Parse(fmt::format("expected {}N, found \"{}\"", prefix, word));
  }
  return number<std::uint64_t>(std::string_view(word).substr(prefix.size()),
                               fmt::format("{}N", prefix));
}

// "=12": 12.
std::int64_t equals(Tokens& t) {
  const std::string word = t.take("=VALUE");
  if (!word.starts_with('=')) throw Parse(fmt::format("expected =VALUE, found \"{}\"", word));
  return number<std::int64_t>(std::string_view(word).substr(1), "=VALUE");
}

// "c0#3": client 0's request 3.
spec::RequestId request_id(std::string_view word) {
  const auto hash = word.find('#');
  if (!word.starts_with('c') || hash == std::string_view::npos) {
    throw Parse(fmt::format("expected a request id cC#S, found \"{}\"", word));
  }
  return spec::RequestId{number<spec::ClientId>(word.substr(1, hash - 1), "a client id"),
                         number<std::uint64_t>(word.substr(hash + 1), "a request seq")};
}

protocol::Op op(Tokens& t) {
  const std::string word = t.take("add(N) or read");
  if (word == "read") return protocol::Op::read();
  if (word.starts_with("add(") && word.ends_with(')')) {
    return protocol::Op::add(
        number<std::int64_t>(std::string_view(word).substr(4, word.size() - 5), "add(N)"));
  }
  throw Parse(fmt::format("expected add(N) or read, found \"{}\"", word));
}

protocol::Request request(Tokens& t) {
  const spec::RequestId id = request_id(t.take("a request id cC#S"));
  return protocol::Request{id, op(t)};
}

// "{commit2 =3 c0#2=3 | c1#1 add(+10)}": the snapshot (commit number, value, client table), then
// the suffix.
protocol::Log log(Tokens& t) {
  protocol::Log log;
  t.expect("{");
  log.snapshot.commit_number = prefixed(t, "commit");
  log.snapshot.value = equals(t);
  while (!t.done() && t.peek() != "|") {
    const std::string word = t.take("a client record cC#S=VALUE");
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      throw Parse(fmt::format("expected a client record cC#S=VALUE, found \"{}\"", word));
    }
    log.snapshot.clients.push_back(protocol::ClientRecord{
        request_id(std::string_view(word).substr(0, eq)),
        number<std::int64_t>(std::string_view(word).substr(eq + 1), "a value")});
  }
  t.expect("|");
  while (!t.done() && t.peek() != "}")
    log.suffix.push_back(request(t));
  t.expect("}");
  return log;
}

std::string show(const protocol::Request& r) {
  return fmt::format("{} {}", spec::to_string(r.id), protocol::describe(r.op));
}

std::string show(const protocol::Log& log) {
  std::string text = fmt::format("{{commit{} ={}", log.snapshot.commit_number, log.snapshot.value);
  for (const auto& record : log.snapshot.clients) {
    text += fmt::format(" {}={}", spec::to_string(record.request), record.value);
  }
  text += " |";
  for (const auto& r : log.suffix)
    text += " " + show(r);
  return text + "}";
}

// The log a message carries in full, if any: describe() shows only its numbers.
std::optional<protocol::Log> carried_log(const protocol::Message& m) {
  if (const auto* x = std::get_if<protocol::DoViewChange>(&m)) return x->log;
  if (const auto* x = std::get_if<protocol::StartView>(&m)) return x->log;
  if (const auto* x = std::get_if<protocol::NewState>(&m)) return x->log;
  if (const auto* x = std::get_if<protocol::RecoveryResponse>(&m)) return x->log;
  return std::nullopt;
}

// A message in describe()'s words, a log in full where describe() shows "opK commitC".
protocol::Message message(Tokens& t) {
  const std::string kind = t.take("a message type");
  if (kind == "Request") return request(t);
  if (kind == "Reply") {
    protocol::Reply m;
    m.view = prefixed(t, "v");
    m.id = request_id(t.take("a request id"));
    m.value = equals(t);
    return m;
  }
  if (kind == "Prepare") {
    protocol::Prepare m;
    m.view = prefixed(t, "v");
    m.op_number = prefixed(t, "op");
    m.request = request(t);
    m.commit_number = prefixed(t, "commit");
    return m;
  }
  const auto from = [&] {
    t.expect("from");
    return static_cast<protocol::ReplicaId>(prefixed(t, "r"));
  };
  if (kind == "PrepareOk") {
    protocol::PrepareOk m;
    m.view = prefixed(t, "v");
    m.op_number = prefixed(t, "op");
    m.from = from();
    return m;
  }
  if (kind == "Commit") {
    protocol::Commit m;
    m.view = prefixed(t, "v");
    m.commit_number = prefixed(t, "commit");
    return m;
  }
  if (kind == "StartViewChange") {
    protocol::StartViewChange m;
    m.view = prefixed(t, "v");
    m.from = from();
    return m;
  }
  if (kind == "DoViewChange") {
    protocol::DoViewChange m;
    m.view = prefixed(t, "v");
    m.from = from();
    m.last_normal_view = prefixed(t, "normal_v");
    m.log = log(t);
    return m;
  }
  if (kind == "StartView") {
    protocol::StartView m;
    m.view = prefixed(t, "v");
    m.log = log(t);
    return m;
  }
  if (kind == "GetState") {
    protocol::GetState m;
    m.view = prefixed(t, "v");
    m.op_number = prefixed(t, "op");
    m.from = from();
    return m;
  }
  if (kind == "NewState") {
    protocol::NewState m;
    m.view = prefixed(t, "v");
    m.log = log(t);
    return m;
  }
  if (kind == "Recovery") {
    protocol::Recovery m;
    m.from = from();
    t.expect("nonce");
    m.nonce = number<std::uint64_t>(t.take("a nonce"), "a nonce");
    return m;
  }
  if (kind == "RecoveryResponse") {
    protocol::RecoveryResponse m;
    m.view = prefixed(t, "v");
    m.from = from();
    t.expect("nonce");
    m.nonce = number<std::uint64_t>(t.take("a nonce"), "a nonce");
    if (t.accept("no")) {
      t.expect("log");
    } else {
      m.log = log(t);
    }
    return m;
  }
  throw Parse(fmt::format("unknown message type \"{}\"", kind));
}

std::optional<Timer> timer_named(std::string_view name) {
  for (const Timer timer :
       {Timer::heartbeat, Timer::view_change, Timer::recovery, Timer::client_retry}) {
    if (name == to_string(timer)) return timer;
  }
  return std::nullopt;
}

// "key=value" options after a command.
std::optional<std::string> option(Tokens& t, std::string_view key) {
  const std::string prefix = std::string(key) + "=";
  if (!t.peek().starts_with(prefix)) return std::nullopt;
  return t.take(key).substr(prefix.size());
}

// ---------------------------------------------------------------------------------------------
// The world: replicas, clients, their disks, and the messages in flight.

class World {
 public:
  World(std::string file) : file_(std::move(file)) {}

  // Runs one command and returns its output lines. Violations of the checked rules go to errors.
  std::vector<std::string> run(const Block& block) {
    line_ = block.line;
    out_.clear();
    Tokens t(block.command);
    const std::string head = t.take("a command");
    if (head == "cluster") {
      cluster(t);
    } else if (t.peek() == "<-") {
      t.expect("<-");
      const net::NodeId to = node(head);
      const net::NodeId from = node(t.take("a sender"));
      const protocol::Message m = message(t);
      t.end();
      input(to, Receive{from, m}, "");
    } else if (head == "deliver") {
      deliver(t);
    } else if (head == "drop") {
      drop(t);
    } else if (head == "queue") {
      t.end();
      for (const auto& [to, receive] : queue_)
        echo(to, receive, "");
      if (queue_.empty()) out_.emplace_back("(empty)");
    } else if (head == "timer") {
      const net::NodeId id = node(t.take("a node"));
      const std::string name = t.take("a timer");
      const auto timer = timer_named(name);
      if (!timer) throw Parse(fmt::format("unknown timer \"{}\"", name));
      t.end();
      input(id, TimerFired{*timer}, "");
    } else if (head == "crash") {
      const auto id = replica(t.take("a replica"));
      t.end();
      crash(id);
    } else if (head == "restart") {
      restart(t);
    } else if (head == "disk") {
      disk(t);
    } else if (head == "set") {
      set(t);
    } else if (head == "state") {
      const net::NodeId id = node(t.take("a node"));
      t.end();
      dump(id);
    } else if (head == "invoke") {
      const net::NodeId id = node(t.take("a client"));
      const protocol::Op o = op(t);
      t.end();
      client_input(client(id), Invoke{o}, "");
    } else if (head == "abandon") {
      const net::NodeId id = node(t.take("a client"));
      t.end();
      client_input(client(id), Abandon{}, "");
    } else {
      throw Parse(fmt::format("unknown command \"{}\"", head));
    }
    return out_;
  }

  std::vector<std::string> errors;  // broken invariants, "file:line: what"

 private:
  std::string file_;
  int line_ = 0;
  std::vector<std::string> out_;
  int n_ = 0;
  std::vector<Replica> replicas_;
  std::vector<std::optional<Durable>> disks_;
  std::vector<bool> crashed_;
  std::vector<ClientState> clients_;
  std::deque<std::pair<net::NodeId, Receive>> queue_;

  void error(const std::string& what) {
    errors.push_back(fmt::format("{}:{}: {}", file_, line_, what));
  }

  // "cluster n=3 clients=1 variant=first-release": boots n replicas and creates the clients.
  void cluster(Tokens& t) {
    // A new cluster replaces the old one: a script may tell several short stories.
    replicas_.clear();
    disks_.clear();
    crashed_.clear();
    clients_.clear();
    queue_.clear();
    n_ = 3;
    int clients = 0;
    Variant variant = Variant::fixed;
    while (!t.done()) {
      if (const auto v = option(t, "n")) {
        n_ = number<int>(*v, "n=N");
      } else if (const auto c = option(t, "clients")) {
        clients = number<int>(*c, "clients=N");
      } else if (const auto name = option(t, "variant")) {
        const auto parsed = parse_variant(*name);
        if (!parsed) throw Parse(fmt::format("unknown variant \"{}\"", *name));
        variant = *parsed;
      } else {
        throw Parse(fmt::format("expected n=, clients= or variant=, found \"{}\"", t.peek()));
      }
    }
    if (n_ < 1 || n_ > static_cast<int>(protocol::kMaxReplicas)) throw Parse("n is out of range");
    for (int i = 0; i < n_; ++i) {
      const auto id = static_cast<protocol::ReplicaId>(i);
      const auto booted = boot(ReplicaConfig{id, test::cluster(n_), variant});
      replicas_.push_back(booted.next);
      disks_.emplace_back();
      crashed_.push_back(false);
      out_.push_back(fmt::format("r{} boot", i));
      for (const auto& action : booted.actions)
        out_.push_back("  " + describe(action));
    }
    for (int c = 0; c < clients; ++c) {
      clients_.push_back(ClientState::initial(static_cast<spec::ClientId>(c), test::cluster(n_)));
    }
  }

  // "r1", "c0", "node7": a network node.
  net::NodeId node(std::string_view word) const {
    if (replicas_.empty()) throw Parse("the first command is cluster");
    if (word.starts_with("node")) return number<net::NodeId>(word.substr(4), "nodeN");
    if (word.starts_with('r')) {
      const auto id = number<net::NodeId>(word.substr(1), "rN");
      if (id >= static_cast<net::NodeId>(n_)) throw Parse(fmt::format("no replica {}", word));
      return id;
    }
    if (word.starts_with('c')) {
      return static_cast<net::NodeId>(n_) + number<net::NodeId>(word.substr(1), "cN");
    }
    throw Parse(fmt::format("expected a node rN, cN or nodeN, found \"{}\"", word));
  }

  protocol::ReplicaId replica(std::string_view word) const {
    const net::NodeId id = node(word);
    if (id >= static_cast<net::NodeId>(n_)) throw Parse(fmt::format("{} is not a replica", word));
    return id;
  }

  std::size_t client(net::NodeId id) const {
    if (id < static_cast<net::NodeId>(n_) || id - n_ >= clients_.size()) {
      throw Parse(fmt::format("no client at node {} (cluster clients=N declares them)", id));
    }
    return id - n_;
  }

  std::string node_name(net::NodeId id) const {
    if (id < static_cast<net::NodeId>(n_)) return fmt::format("r{}", id);
    if (id - n_ < std::max<std::size_t>(clients_.size(), protocol::kMaxClients)) {
      return fmt::format("c{}", id - n_);
    }
    return fmt::format("node{}", id);
  }

  void echo(net::NodeId to, const Receive& r, const std::string& indent) {
    out_.push_back(fmt::format("{}{} <- {} {}", indent, node_name(to), node_name(r.from),
                               protocol::describe(r.message)));
    if (const auto carried = carried_log(r.message)) {
      out_.push_back(fmt::format("{}  log {}", indent, show(*carried)));
    }
  }

  template <typename A>
  void print_action(const A& action, const std::string& indent) {
    out_.push_back(indent + describe(action));
    if (const auto* send = std::get_if<Send>(&action)) {
      if (const auto carried = carried_log(send->message)) {
        out_.push_back(fmt::format("{}  log {}", indent, show(*carried)));
      }
    }
  }

  // One input to node `to`: a replica's step or a client's.
  void input(net::NodeId to, const Input& in, const std::string& indent) {
    if (to >= static_cast<net::NodeId>(n_)) {
      if (const auto* r = std::get_if<Receive>(&in)) {
        client_input(client(to), *r, indent);
      } else {
        client_input(client(to), std::get<TimerFired>(in), indent);
      }
      return;
    }
    const auto id = static_cast<protocol::ReplicaId>(to);
    if (crashed_[id]) {
      out_.push_back(indent + fmt::format("r{} is down: nothing happens", id));
      return;
    }
    const Replica& before = replicas_[id];
    StepResult result = step(before, in);
    if (!keeps_p2(disk_before(before, in), result.actions, result.next)) {
      error("the actions break P2, P4 or P5 (keeps_p2 in core_support.hpp)");
    }
    if (is_ignored(result.rule) && (!result.actions.empty() || !(result.next == before))) {
      error("an ignored input changed the state or asked for actions");
    }
    out_.push_back(indent + fmt::format("rule {}", level3::name(result.rule)));
    for (const auto& action : result.actions)
      print_action(action, indent);
    replicas_[id] = std::move(result.next);
    execute(id, result.actions);
    out_.push_back(indent + "=> " + replicas_[id].describe());
  }

  void execute(protocol::ReplicaId self, const std::vector<Action>& actions) {
    for (const auto& action : actions) {
      if (const auto* persist = std::get_if<Persist>(&action)) disks_[self] = persist->state;
      if (const auto* send = std::get_if<Send>(&action)) {
        queue_.emplace_back(send->to, Receive{self, send->message});
      }
      if (const auto* reply = std::get_if<ReplyToClient>(&action)) {
        if (reply->client < clients_.size()) {
          queue_.emplace_back(static_cast<net::NodeId>(n_) + reply->client,
                              Receive{self, protocol::Message{reply->reply}});
        }
      }
    }
  }

  std::string client_line(const ClientState& c) const {
    return fmt::format("c{} seq{} {} target r{}", c.id, c.last_seq,
                       c.outstanding ? "outstanding " + show(*c.outstanding) : "idle", c.target);
  }

  void client_input(std::size_t index, const ClientInput& in, const std::string& indent) {
    ClientState& c = clients_[index];
    ClientStepResult result = client_step(c, in);
    if (is_ignored(result.rule) && (!result.actions.empty() || !(result.next == c))) {
      error("an ignored client input changed the state or asked for actions");
    }
    out_.push_back(indent + fmt::format("rule {}", level3::name(result.rule)));
    for (const auto& action : result.actions) {
      out_.push_back(indent + describe(action));
      if (const auto* send = std::get_if<Send>(&action)) {
        queue_.emplace_back(send->to, Receive{static_cast<net::NodeId>(n_) + c.id, send->message});
      }
    }
    c = std::move(result.next);
    out_.push_back(indent + "=> " + client_line(c));
  }

  // "deliver", "deliver 3", "deliver all": the oldest queued messages, in order.
  void deliver(Tokens& t) {
    int count = 1;
    bool all = false;
    if (t.accept("all")) {
      all = true;
    } else if (!t.done()) {
      count = number<int>(t.take("a count"), "a count or all");
    }
    t.end();
    for (int i = 0; all ? i < 1000 : i < count; ++i) {
      if (queue_.empty()) {
        if (!all) throw Parse(fmt::format("deliver {}: only {} messages were queued", count, i));
        break;
      }
      auto [to, receive] = std::move(queue_.front());
      queue_.pop_front();
      echo(to, receive, "");
      input(to, receive, "  ");
    }
    if (all && !queue_.empty()) error("deliver all: still messages after 1000 deliveries");
  }

  // "drop", "drop to=r0", "drop kind=Prepare", "drop to=r1 kind=Prepare": removes queued messages.
  void drop(Tokens& t) {
    std::optional<net::NodeId> to;
    std::optional<std::string> kind;
    while (!t.done()) {
      if (const auto v = option(t, "to")) {
        to = node(*v);
      } else if (const auto k = option(t, "kind")) {
        kind = *k;
      } else {
        throw Parse(fmt::format("expected to= or kind=, found \"{}\"", t.peek()));
      }
    }
    std::deque<std::pair<net::NodeId, Receive>> kept;
    for (auto& entry : queue_) {
      const bool match =
          (!to || entry.first == *to) &&
          (!kind || protocol::to_string(protocol::type_of(entry.second.message)) == *kind);
      if (match) {
        out_.push_back("dropped");
        echo(entry.first, entry.second, "  ");
      } else {
        kept.push_back(std::move(entry));
      }
    }
    if (kept.size() == queue_.size()) out_.emplace_back("nothing to drop");
    queue_ = std::move(kept);
  }

  void crash(protocol::ReplicaId id) {
    crashed_[id] = true;
    const auto before = queue_.size();
    std::erase_if(queue_, [&](const auto& entry) { return entry.first == id; });
    out_.push_back(fmt::format("r{} down, its timers and {} queued messages to it gone", id,
                               before - queue_.size()));
  }

  // "restart r1 disk nonce=5", "restart r1 nodisk nonce=77", "restart r0 disk nonce=5 new-process".
  void restart(Tokens& t) {
    const auto id = replica(t.take("a replica"));
    const std::string with = t.take("disk or nodisk");
    if (with != "disk" && with != "nodisk") {
      throw Parse(fmt::format("expected disk or nodisk, found \"{}\"", with));
    }
    const auto nonce = option(t, "nonce");
    if (!nonce) throw Parse("expected nonce=N");
    const bool new_process = t.accept("new-process");
    t.end();
    if (!crashed_[id]) crash(id);
    crashed_[id] = false;
    if (new_process) {
      replicas_[id] = Replica::restarting(replicas_[id].config);
      out_.push_back("new process: " + replicas_[id].describe());
    }
    input(id,
          Recovered{with == "disk" ? disks_[id] : std::nullopt,
                    number<std::uint64_t>(*nonce, "nonce=N")},
          "");
  }

  // "disk r0 v1 normal_v1 {log}" or "disk r0 none": what the disk holds, set by hand.
  void disk(Tokens& t) {
    const auto id = replica(t.take("a replica"));
    if (t.accept("none")) {
      disks_[id] = std::nullopt;
    } else {
      Durable d;
      d.view = prefixed(t, "v");
      d.last_normal_view = prefixed(t, "normal_v");
      d.log = log(t);
      disks_[id] = d;
    }
    t.end();
    dump_disk(id, "");
  }

  // "set r2 view=1 normal_v=1 status=view_change log={...}": a hand-made state.
  void set(Tokens& t) {
    const auto id = replica(t.take("a replica"));
    Replica& r = replicas_[id];
    while (!t.done()) {
      if (const auto v = option(t, "view")) {
        r.view = number<protocol::ViewNumber>(*v, "view=N");
      } else if (const auto nv = option(t, "normal_v")) {
        r.last_normal_view = number<protocol::ViewNumber>(*nv, "normal_v=N");
      } else if (const auto s = option(t, "status")) {
        if (*s == "normal") {
          r.status = Status::normal;
        } else if (*s == "view_change") {
          r.status = Status::view_change;
        } else if (*s == "recovering") {
          r.status = Status::recovering;
        } else {
          throw Parse(fmt::format("unknown status \"{}\"", *s));
        }
      } else if (t.accept("log")) {
        r.log = log(t);
      } else {
        throw Parse(fmt::format("expected view=, normal_v=, status= or log {{...}}, found \"{}\"",
                                t.peek()));
      }
    }
    dump(id);
  }

  void dump_disk(protocol::ReplicaId id, const std::string& indent) {
    const auto& d = disks_[id];
    out_.push_back(indent + (d ? fmt::format("disk v{} normal_v{} {}", d->view, d->last_normal_view,
                                             show(d->log))
                               : std::string("disk none")));
  }

  // "state r1": every field that is not at its initial value, and the disk.
  void dump(net::NodeId id) {
    if (id >= static_cast<net::NodeId>(n_)) {
      out_.push_back(client_line(clients_[client(id)]));
      return;
    }
    const Replica& r = replicas_[id];
    out_.push_back(fmt::format("r{} {}{} v{} normal_v{} op{} commit{} ={}", id, to_string(r.role()),
                               crashed_[id] ? " (down)" : "", r.view, r.last_normal_view,
                               r.op_number(), r.commit_number(), r.value()));
    out_.push_back("log " + show(r.log));
    if (r.awaiting_state()) out_.emplace_back("awaiting state (S0)");
    if (r.role() == Role::primary ||
        std::any_of(r.acked.begin(), r.acked.end(), [](auto k) { return k != 0; })) {
      std::string line = "acked";
      for (std::size_t i = 0; i < r.acked.size(); ++i) {
        if (i != id) line += fmt::format(" r{}:op{}", i, r.acked[i]);
      }
      out_.push_back(line);
    }
    if (r.svc.size() > 0) {
      std::string line = "svc";
      for (int i = 0; i < n_; ++i) {
        if (r.svc.contains(static_cast<protocol::ReplicaId>(i))) line += fmt::format(" r{}", i);
      }
      out_.push_back(line);
    }
    if (r.sent_do_view_change) out_.emplace_back("sent DoViewChange");
    for (const auto& dvc : r.dvc) {
      if (dvc) {
        out_.push_back("dvc " + protocol::describe(protocol::Message{*dvc}));
        out_.push_back("  log " + show(dvc->log));
      }
    }
    if (r.nonce != 0) out_.push_back(fmt::format("nonce {}", r.nonce));
    for (const auto& response : r.responses) {
      if (response) out_.push_back("response " + protocol::describe(protocol::Message{*response}));
    }
    dump_disk(static_cast<protocol::ReplicaId>(id), "");
  }
};

// ---------------------------------------------------------------------------------------------
// Comparing, diffing and rewriting.

// A unified-style diff of two short lists of lines (longest common subsequence), with three
// lines of context around each change and "@@" where unchanged lines are left out.
std::vector<std::string> diff(const std::vector<std::string>& a,
                              const std::vector<std::string>& b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<std::string> all;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      all.push_back(" " + a[i++]);
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      all.push_back("-" + a[i++]);
    } else {
      all.push_back("+" + b[j++]);
    }
  }
  constexpr std::size_t kContext = 3;
  std::vector<bool> shown(all.size(), false);
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (all[k].front() == ' ') continue;
    const std::size_t from = k >= kContext ? k - kContext : 0;
    for (std::size_t c = from; c < std::min(all.size(), k + kContext + 1); ++c)
      shown[c] = true;
  }
  std::vector<std::string> out;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (shown[k]) {
      out.push_back(all[k]);
    } else if (out.empty() || out.back() != "@@") {
      out.emplace_back("@@");
    }
  }
  return out;
}

bool rewriting() {
  const char* value = std::getenv("LADDER_REWRITE");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

struct Outcome {
  std::string report;  // empty when the transcript matched
  std::vector<std::string> errors;
};

Outcome run_script(const std::filesystem::path& path, const std::string& shown) {
  Outcome outcome;
  std::vector<Item> items;
  try {
    items = read_script(path);
  } catch (const ScriptError& e) {
    outcome.errors.emplace_back(e.what());
    return outcome;
  }
  World world(shown);
  int mismatches = 0;
  int blocks = 0;
  std::string first;
  for (auto& item : items) {
    if (!item.block) continue;
    Block& block = *item.block;
    ++blocks;
    std::vector<std::string> actual;
    try {
      actual = world.run(block);
    } catch (const Parse& e) {
      outcome.errors.push_back(
          fmt::format("{}:{}: {}\n    {}", shown, block.line, e.what(), block.command));
      return outcome;  // the world is in an unknown state: stop here
    }
    if (actual == block.expected) continue;
    if (++mismatches == 1) {
      first = fmt::format(
          "{}:{}: the first input whose output differs:\n  {}\n--- expected\n+++ actual\n", shown,
          block.line, block.command);
      for (const auto& line : diff(block.expected, actual))
        first += line + "\n";
    }
    block.expected = std::move(actual);
  }
  outcome.errors.insert(outcome.errors.end(), world.errors.begin(), world.errors.end());
  if (mismatches == 0) return outcome;
  if (rewriting()) {
    std::ofstream out(path);
    for (const auto& item : items) {
      if (!item.block) {
        out << item.text << '\n';
        continue;
      }
      out << item.block->command << "\n----\n";
      for (const auto& line : item.block->expected)
        out << line << '\n';
    }
    WARN(fmt::format("{}: rewritten ({} blocks changed); review the diff before committing", shown,
                     mismatches));
    return outcome;
  }
  outcome.report =
      first +
      fmt::format(
          "{} of the file's {} commands give other output than the file says (later ones\n"
          "may differ only because an earlier one did). If the change is deliberate:\n"
          "  LADDER_REWRITE=1 build/release/level3_pure/core/level3_core_tests '[transcript]'\n"
          "  git diff {}",
          mismatches, blocks, shown);
  return outcome;
}

TEST_CASE("Transcripts: every level3_pure/core/testdata/*.txt replays to the same actions",
          "[level3][transcript]") {
  const std::filesystem::path dir =
      std::filesystem::path(LADDER_SOURCE_DIR) / "level3_pure" / "core" / "testdata";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 4);  // normal, view change, recovery, clients at least
  for (const auto& file : files) {
    const std::string shown = "level3_pure/core/testdata/" + file.filename().string();
    DYNAMIC_SECTION(shown) {
      const Outcome outcome = run_script(file, shown);
      for (const auto& error : outcome.errors) {
        FAIL_CHECK(error);
      }
      if (!outcome.report.empty()) {
        // Printed as is, not through Catch, which would wrap the diff's long lines.
        std::cout << "\n" << outcome.report << "\n\n";
        FAIL_CHECK(shown + ": the transcript differs (the diff is printed above)");
      }
    }
  }
}

}  // namespace
}  // namespace ladder::level3::test
