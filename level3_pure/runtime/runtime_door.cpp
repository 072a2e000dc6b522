/// \file
/// The front door's pool of protocol clients and its line of waiting commands.

#include "level3_pure/runtime/runtime_door.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include <fmt/format.h>

namespace ladder::level3 {

namespace {

// A duration in whole microseconds, for DoorStats' sums.
std::uint64_t micros(std::chrono::steady_clock::duration elapsed) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
}

}  // namespace

ClientRange client_range(int replicas, int self) {
  assert(replicas >= 1 && replicas <= 15 && "a cluster of 1 .. 15 replicas");
  assert(self >= 0 && self < replicas && "self is one of them");
  const std::size_t share =
      (protocol::kMaxClients - kCliClients) / static_cast<std::size_t>(replicas);
  assert(share >= 1 && "every door gets a client");
  return ClientRange{static_cast<spec::ClientId>(share * static_cast<std::size_t>(self)), share};
}

FrontDoor::FrontDoor(const boost::asio::any_io_executor& executor, const protocol::Config& cluster,
                     DoorOptions options, ClientDriver::Transmit send)
    : options_(options), linger_timer_(executor) {
  assert(options_.clients.count >= 1 && "a door needs a client");
  assert(options_.max_in_flight >= 1 && options_.max_in_flight <= options_.clients.count &&
         "1 .. clients.count requests in flight");
  assert(options_.clients.first + options_.clients.count <= protocol::kMaxClients);
  for (std::size_t i = 0; i < options_.clients.count; ++i) {
    ClientState initial =
        ClientState::initial(static_cast<spec::ClientId>(options_.clients.first + i), cluster);
    initial.last_seq = initial_seq();  // grows across restarts of this node (runtime_client.hpp)
    clients_.push_back(std::make_unique<ClientDriver>(executor, std::move(initial), send));
  }
  // Popped from the back: client `first` is used first, which keeps traces readable.
  for (std::size_t slot = options_.clients.count; slot-- > 0;)
    free_.push_back(slot);
}

void FrontDoor::stop() {
  in_flight_ = 0;  // the clients' outcomes are dropped with them
  lingering_.reset();
  linger_timer_.cancel();
  line_.clear();
  behind_.clear();
  waiting_ = 0;
  for (auto& client : clients_)
    client->cancel();
}

void FrontDoor::on_message(spec::ClientId client, const protocol::Message& message,
                           net::NodeId from) {
  assert(owns(client) && "a message for one of this door's clients");
  clients_[client - options_.clients.first]->on_message(message, from);
}

void FrontDoor::submit(std::uint64_t connection, const CounterCommand& command, Done done) {
  ++stats_.commands;
  Waiting item{connection, command, std::move(done), std::chrono::steady_clock::now()};
  if (waiting_ >= options_.max_waiting) {
    return refuse(item,
                  fmt::format("{} commands already wait for this node's {} clients; try again",
                              waiting_, options_.clients.count));
  }
  const auto earlier = behind_.find(connection);
  if (earlier != behind_.end()) {
    // The connection has a command in line or running: this one follows it (Redis's order).
    earlier->second.push_back(std::move(item));
    ++waiting_;
    return;
  }
  behind_.emplace(connection, std::deque<Waiting>{});
  ready(std::move(item));
}

void FrontDoor::disconnected(std::uint64_t connection) {
  const auto found = behind_.find(connection);
  if (found == behind_.end()) return;
  // Its running command (if any) finishes on its own and finds nobody to answer.
  waiting_ -= found->second.size();
  found->second.clear();
}

// A command whose connection has nothing earlier in flight: it runs now, or waits in line.
void FrontDoor::ready(Waiting command) {
  if (!free_.empty() && in_flight_ < options_.max_in_flight) {
    const std::size_t slot = free_.back();
    free_.pop_back();
    ++in_flight_;
    Group group;
    group.push_back(std::move(command));
    start(slot, std::move(group));
    return;
  }
  line_.push_back(std::move(command));
  ++waiting_;
  if (!lingering_) return;
  if (line_.size() >= linger_until_) {
    const std::size_t slot = *lingering_;
    stop_lingering();
    next_group(slot);  // everyone is back: the group is full
    return;
  }
  last_arrival_ = line_.back().arrived;
}

// The head of the line and the waiting commands of its kind, up to coalesce_max; commands whose
// deadline passed in line are refused on the way (they were never sent).
FrontDoor::Group FrontDoor::take_group() {
  const auto now = std::chrono::steady_clock::now();
  Group group;
  std::deque<Waiting> rest;
  while (!line_.empty()) {
    Waiting next = std::move(line_.front());
    line_.pop_front();
    --waiting_;
    if (now - next.arrived >= options_.deadline) {
      refuse(next, fmt::format("no client of this node was free within {} ms",
                               options_.deadline.count()));
      release(next.connection);
      continue;
    }
    const bool fits = group.empty() || (group.size() < options_.coalesce_max &&
                                        next.command.kind == group.front().command.kind);
    if (fits) {
      group.push_back(std::move(next));
    } else {
      rest.push_back(std::move(next));
      ++waiting_;
    }
  }
  line_ = std::move(rest);
  return group;
}

void FrontDoor::start(std::size_t slot, Group group) {
  assert(!group.empty() && "a request carries at least one command");
  ClientDriver& client = *clients_[slot];
  assert(!client.busy() && "a free client");
  ++stats_.requests;
  // The oldest command's deadline bounds the whole group.
  const auto sent = std::chrono::steady_clock::now();
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(sent - group.front().arrived);
  const auto left = std::max(options_.deadline - elapsed, std::chrono::milliseconds(1));
  protocol::Op op = protocol::Op::read();
  if (group.front().command.kind == CounterCommand::Kind::add) {
    std::uint64_t sum = 0;  // wrapping, as the core adds (two's complement)
    for (const Waiting& command : group)
      sum += static_cast<std::uint64_t>(command.command.delta);
    op = protocol::Op::add(static_cast<std::int64_t>(sum));
  }
  client.invoke(op, left,
                [this, slot, sent, group = std::move(group)](const ClientOutcome& outcome) mutable {
                  finished(slot, outcome, std::move(group), sent);
                });
}

void FrontDoor::finished(std::size_t slot, const ClientOutcome& outcome, Group group,
                         std::chrono::steady_clock::time_point sent) {
  const auto ended = std::chrono::steady_clock::now();
  stats_.request_us += micros(ended - sent);
  answer(outcome, group);
  stats_.answer_us += micros(std::chrono::steady_clock::now() - ended);
  const std::size_t answered = group.size();
  const std::size_t waited = line_.size();
  for (const Waiting& command : group)
    release(command.connection);
  // Linger while the clients just answered may still come back (the file comment): at most
  // `linger`, not at all after a small group, and one group at a time (with several requests in
  // flight, a second one that ends meanwhile goes on at once).
  const std::size_t until = answered + waited;
  if (options_.linger.count() > 0 && answered >= options_.linger_min && line_.size() < until &&
      !lingering_) {
    ++stats_.lingers;
    lingering_ = slot;
    linger_until_ = until;
    linger_started_ = std::chrono::steady_clock::now();
    last_arrival_ = linger_started_;
    linger_check();
    return;
  }
  next_group(slot);
}

// The linger ends `linger` after it began, or `linger_gap` after the last command arrived,
// whichever comes first. The timer is armed for the earlier of the two and, when the gap has
// moved on meanwhile, armed again: once per gap at most, not once per arriving command.
void FrontDoor::linger_check() {
  assert(lingering_ && "a group lingers");
  auto end = linger_started_ + options_.linger;
  if (options_.linger_gap.count() > 0) end = std::min(end, last_arrival_ + options_.linger_gap);
  const auto now = std::chrono::steady_clock::now();
  if (now < end) {
    linger_timer_.arm(end - now, [this] { linger_check(); });
    return;
  }
  ++stats_.linger_timeouts;
  const std::size_t slot = *lingering_;
  stop_lingering();
  next_group(slot);
}

void FrontDoor::stop_lingering() {
  assert(lingering_ && "a group lingers");
  stats_.linger_us += micros(std::chrono::steady_clock::now() - linger_started_);
  lingering_.reset();
  linger_timer_.cancel();
}

// The client is free: the next group in line gets it, or it goes back to the pool.
void FrontDoor::next_group(std::size_t slot) {
  Group next = take_group();
  if (next.empty()) {
    free_.push_back(slot);
    assert(in_flight_ > 0 && "the finished request was in flight");
    --in_flight_;
    return;
  }
  start(slot, std::move(next));
}

// Each command's answer: the value it would have had, run in the group's order (file comment).
void FrontDoor::answer(const ClientOutcome& outcome, Group& group) {
  if (!outcome.value) {
    for (Waiting& command : group) {
      ++stats_.unknown;
      command.done(CommandOutcome::unknown(fmt::format("the cluster did not answer {} within {} ms",
                                                       spec::to_string(outcome.request.id),
                                                       options_.deadline.count())));
    }
    return;
  }
  const bool add = group.front().command.kind == CounterCommand::Kind::add;
  auto value = static_cast<std::uint64_t>(*outcome.value);
  for (auto it = group.rbegin(); it != group.rend(); ++it) {
    ++stats_.ok;
    it->done(CommandOutcome::ok(static_cast<std::int64_t>(value)));
    if (add) value -= static_cast<std::uint64_t>(it->command.delta);  // the value before it
  }
}

// The connection's command ended: its next one (if any) is ready; those whose deadline passed
// while they waited behind it are refused (a loop, not recursion: the queue may be long).
void FrontDoor::release(std::uint64_t connection) {
  const auto found = behind_.find(connection);
  assert(found != behind_.end() && "a connection in flight is known");
  auto& queue = found->second;
  const auto now = std::chrono::steady_clock::now();
  while (!queue.empty()) {
    Waiting next = std::move(queue.front());
    queue.pop_front();
    --waiting_;
    if (now - next.arrived < options_.deadline) return ready(std::move(next));
    refuse(next, fmt::format("it waited for the connection's earlier commands for {} ms",
                             options_.deadline.count()));
  }
  behind_.erase(found);
}

void FrontDoor::refuse(Waiting& command, const std::string& why) {
  ++stats_.refused;
  command.done(CommandOutcome::error("ERR not sent: " + why));
}

}  // namespace ladder::level3
