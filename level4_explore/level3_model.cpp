/// \file
/// Level 3's cluster as a Model: the transitions. Each event feeds the pure core (step(),
/// client_step()) exactly as the simulator's drivers do (level3_pure/sim/sim_nodes.cpp), and
/// executes the actions it returns on the global state instead of on a network and a clock.

#include "level4_explore/level3_model.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include <fmt/format.h>

#include "level3_pure/core/step.hpp"
#include "protocol/codec.hpp"

namespace ladder::level4 {

namespace {

std::uint8_t timer_bit(level3::Timer timer) {
  const auto index = static_cast<unsigned>(timer);
  assert(index < 4 && "four named timers");
  return static_cast<std::uint8_t>(1U << index);
}

constexpr level3::Timer kTimers[] = {level3::Timer::heartbeat, level3::Timer::view_change,
                                     level3::Timer::recovery, level3::Timer::client_retry};

// A crashed replica as the model keeps it: what its disk holds (the replica's durable fields,
// or the older log of a disk that lags them) and its status (the role table checks the restart's
// role change from it), every volatile field back to its initial value.
level3::Replica crashed(const level3::Replica& replica, std::optional<protocol::Log> disk_log) {
  level3::Replica kept = level3::Replica::initial(replica.config);
  kept.view = replica.view;
  kept.last_normal_view = replica.last_normal_view;
  kept.log = disk_log ? std::move(*disk_log) : replica.log;
  kept.status = replica.status;
  return kept;
}

}  // namespace

std::string Level3Config::problem() const {
  if (replicas < 1 || replicas > 7 || replicas % 2 == 0) {
    return fmt::format("replicas: {} is not an odd number from 1 to 7", replicas);
  }
  if (clients < 1 || clients > 4) return fmt::format("clients: {} is not 1 .. 4", clients);
  if (ops < 0 || ops > 8) return fmt::format("ops: {} is not 0 .. 8", ops);
  for (const auto& [name, value] :
       {std::pair{"max-drops", max_drops}, std::pair{"max-duplicates", max_duplicates},
        std::pair{"max-crashes", max_crashes}, std::pair{"max-timeouts", max_timeouts}}) {
    if (value < 0 || value > 100) return fmt::format("{}: {} is not 0 .. 100", name, value);
  }
  return {};
}

std::string Level3Config::describe() const {
  return fmt::format(
      "{}, {} replicas, {} client{} x {} op{}, drops {}, duplicates {}, crashes {}, timeouts {}",
      level3::to_string(variant), replicas, clients, clients == 1 ? "" : "s", ops,
      ops == 1 ? "" : "s", max_drops, max_duplicates, max_crashes, max_timeouts);
}

Level3Model::Level3Model(Level3Config config) : config_(config) {
  if (const std::string problem = config_.problem(); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  cluster_.replicas = config_.replicas;
  initial_ = boot();
}

protocol::Op Level3Model::operation(int client, int index) {
  (void)index;
  return protocol::Op::add(client + 1);
}

std::string Level3Model::node_name(std::uint8_t node) const {
  return node < config_.replicas ? fmt::format("r{}", node)
                                 : fmt::format("c{}", node - config_.replicas);
}

Level3State Level3Model::initial() const {
  return initial_;
}

Level3State Level3Model::boot() const {
  State state;
  const auto nodes = static_cast<std::size_t>(config_.replicas + config_.clients);
  state.timers.assign(nodes, 0);
  for (int r = 0; r < config_.replicas; ++r) {
    level3::ReplicaConfig replica;
    replica.self = static_cast<protocol::ReplicaId>(r);
    replica.cluster = cluster_;
    replica.variant = config_.variant;
    level3::StepResult booted = level3::boot(replica);
    state.replicas.push_back(std::move(booted.next));
    for (const level3::Action& action : booted.actions) {
      if (const auto* set = std::get_if<level3::SetTimer>(&action)) {
        state.timers[static_cast<std::size_t>(r)] |= timer_bit(set->timer);
      }
    }
  }
  for (int c = 0; c < config_.clients; ++c) {
    state.clients.push_back(level3::ClientState::initial(static_cast<spec::ClientId>(c), cluster_));
  }
  state.invoked.assign(static_cast<std::size_t>(config_.clients), 0);
  state.lagging_disk.assign(static_cast<std::size_t>(config_.replicas), std::nullopt);
  return state;
}

void Level3Model::successors(const State& state, std::vector<std::pair<Event, State>>& out) const {
  auto add = [&](Event event) {
    State next = apply(state, event);
    out.emplace_back(std::move(event), std::move(next));
  };
  for (std::size_t i = 0; i < state.network.size(); ++i) {
    // Copies of one message are one choice: delivering either gives the same state.
    if (i > 0 && state.network[i] == state.network[i - 1]) continue;
    const Packet& packet = state.network[i];
    add(Event{Event::Kind::deliver, 0, level3::Timer::heartbeat, packet});
    if (state.drops < config_.max_drops) {
      add(Event{Event::Kind::drop, 0, level3::Timer::heartbeat, packet});
    }
    if (state.duplicates < config_.max_duplicates) {
      add(Event{Event::Kind::duplicate, 0, level3::Timer::heartbeat, packet});
    }
  }
  const auto nodes = static_cast<std::uint8_t>(state.timers.size());
  for (std::uint8_t node = 0; node < nodes; ++node) {
    const bool up = node >= config_.replicas || (state.down & (1U << node)) == 0;
    if (!up || state.timers[node] == 0 || state.timeouts >= config_.max_timeouts) continue;
    for (const level3::Timer timer : kTimers) {
      if ((state.timers[node] & timer_bit(timer)) != 0) {
        add(Event{Event::Kind::timer, node, timer, {}});
      }
    }
  }
  for (std::uint8_t r = 0; r < config_.replicas; ++r) {
    const bool is_down = (state.down & (1U << r)) != 0;
    if (is_down) {
      add(Event{Event::Kind::restart, r, level3::Timer::heartbeat, {}});
    } else if (state.crashes < config_.max_crashes) {
      add(Event{Event::Kind::crash, r, level3::Timer::heartbeat, {}});
    }
  }
  for (std::uint8_t c = 0; c < config_.clients; ++c) {
    if (!state.clients[c].busy() && state.invoked[c] < config_.ops) {
      add(Event{Event::Kind::invoke, c, level3::Timer::heartbeat, {}});
    }
  }
}

Level3State Level3Model::apply(const State& state, const Event& event,
                               Level3Observer* observer) const {
  State next = state;
  switch (event.kind) {
    case Event::Kind::deliver:
    case Event::Kind::drop: {
      const auto found = std::lower_bound(next.network.begin(), next.network.end(), event.packet);
      assert(found != next.network.end() && *found == event.packet && "the message is in flight");
      Packet packet = std::move(*found);
      next.network.erase(found);
      if (event.kind == Event::Kind::drop) {
        ++next.drops;
      } else {
        deliver(next, packet, observer);
      }
      break;
    }
    case Event::Kind::duplicate: {
      const auto at = std::upper_bound(next.network.begin(), next.network.end(), event.packet);
      next.network.insert(at, event.packet);
      ++next.duplicates;
      break;
    }
    case Event::Kind::timer: {
      assert((next.timers[event.node] & timer_bit(event.timer)) != 0 && "an armed timer fires");
      next.timers[event.node] &= static_cast<std::uint8_t>(~timer_bit(event.timer));
      ++next.timeouts;
      if (event.node < config_.replicas) {
        run_replica(next, event.node, level3::TimerFired{event.timer}, observer);
      } else {
        const auto client = static_cast<std::uint8_t>(event.node - config_.replicas);
        run_client(next, client, level3::TimerFired{event.timer}, std::nullopt, observer);
      }
      break;
    }
    case Event::Kind::crash: {
      assert((next.down & (1U << event.node)) == 0 && "a live replica crashes");
      next.down |= 1U << event.node;
      next.timers[event.node] = 0;  // a crash forgets the timers (action.hpp, duty 4)
      next.replicas[event.node] =
          crashed(next.replicas[event.node], std::move(next.lagging_disk[event.node]));
      next.lagging_disk[event.node].reset();
      ++next.crashes;
      if (next.crashes == config_.max_crashes) {
        for (auto& disk : next.lagging_disk)
          disk.reset();  // no crash can reveal them any more (run_replica says why)
      }
      break;
    }
    case Event::Kind::restart: {
      assert((next.down & (1U << event.node)) != 0 && "a crashed replica restarts");
      next.down &= ~(1U << event.node);
      const level3::Input input =
          level3::Recovered{next.replicas[event.node].durable(), std::uint64_t{next.crashes} + 1};
      if (observer != nullptr) observer->note(event.node, level3::describe(input));
      run_replica(next, event.node, input, observer);
      break;
    }
    case Event::Kind::invoke: {
      const int index = next.invoked[event.node]++;
      run_client(next, event.node, level3::Invoke{operation(event.node, index)}, std::nullopt,
                 observer);
      break;
    }
  }
  return next;
}

void Level3Model::deliver(State& state, const Packet& packet, Level3Observer* observer) const {
  protocol::DecodeResult decoded = protocol::decode(packet.body);
  assert(decoded.ok() && "the model only sends what encode wrote");
  if (packet.to >= config_.replicas) {
    const auto client = static_cast<std::uint8_t>(packet.to - config_.replicas);
    std::optional<protocol::ViewNumber> view;
    if (const auto* reply = std::get_if<protocol::Reply>(&decoded.message())) view = reply->view;
    run_client(state, client, level3::Receive{packet.from, std::move(decoded).message()}, view,
               observer);
    return;
  }
  if ((state.down & (1U << packet.to)) != 0) return;  // lost: the receiver is down
  run_replica(state, packet.to, level3::Receive{packet.from, std::move(decoded).message()},
              observer);
}

void Level3Model::run_replica(State& state, std::uint8_t id, const level3::Input& input,
                              Level3Observer* observer) const {
  level3::Replica& replica = state.replicas[id];
  // A Persist left unwritten by the previous step reaches the disk now (P4, P5; the header). A
  // lag only a crash could reveal is not tracked once the crashes are spent, so that the bound
  // max_crashes = 0 explores exactly the states it did before the model had a disk of its own
  // (and copies no log per step).
  state.lagging_disk[id].reset();
  std::optional<level3::Durable> disk;
  if (state.crashes < config_.max_crashes) disk = replica.durable();
  const level3::Role before = replica.role();
  level3::StepResult result = level3::step(std::move(replica), input);
  replica = std::move(result.next);
  if (observer != nullptr && replica.role() != before) {
    observer->note(id, fmt::format("{} -> {} v{} ({})", level3::to_string(before),
                                   level3::to_string(replica.role()), replica.view,
                                   level3::name(result.rule)));
  }
  std::uint8_t& timers = state.timers[id];
  for (level3::Action& action : result.actions) {
    if (auto* send = std::get_if<level3::Send>(&action)) {
      this->send(state,
                 Packet{id, static_cast<std::uint8_t>(send->to), protocol::encode(send->message)},
                 observer);
    } else if (auto* reply = std::get_if<level3::ReplyToClient>(&action)) {
      const auto client = static_cast<std::uint8_t>(config_.replicas + reply->client);
      this->send(state, Packet{id, client, protocol::encode(reply->reply)}, observer);
    } else if (const auto* set = std::get_if<level3::SetTimer>(&action)) {
      timers |= timer_bit(set->timer);
    } else if (const auto* cancel = std::get_if<level3::CancelTimer>(&action)) {
      timers &= static_cast<std::uint8_t>(~timer_bit(cancel->timer));
    } else if (const auto* persist = std::get_if<level3::Persist>(&action)) {
      // Every Persist writes the step's durable fields (P2); a strict one is on the disk before
      // the step's next action, a lazy (P4) or before-replies (P5) one only at the next step.
      assert(persist->state == replica.durable() && "a Persist writes the durable fields");
      if (disk && persist->durability == level3::Durability::before_sends) disk = persist->state;
    }
  }
  if (disk && *disk != replica.durable()) {
    assert(disk->view == replica.view && disk->last_normal_view == replica.last_normal_view &&
           "only the log lags: P4 and P5 never apply to a step that changes the view");
    state.lagging_disk[id] = std::move(disk->log);
  }
}

void Level3Model::run_client(State& state, std::uint8_t id, const level3::ClientInput& input,
                             std::optional<protocol::ViewNumber> reply_view,
                             Level3Observer* observer) const {
  level3::ClientState& client = state.clients[id];
  level3::ClientStepResult result = level3::client_step(std::move(client), input);
  client = std::move(result.next);
  const auto node = static_cast<std::uint8_t>(config_.replicas + id);
  std::uint8_t& timers = state.timers[node];
  for (const level3::ClientAction& action : result.actions) {
    if (const auto* send = std::get_if<level3::Send>(&action)) {
      this->send(state,
                 Packet{node, static_cast<std::uint8_t>(send->to), protocol::encode(send->message)},
                 observer);
    } else if (const auto* set = std::get_if<level3::SetTimer>(&action)) {
      timers |= timer_bit(set->timer);
    } else if (const auto* cancel = std::get_if<level3::CancelTimer>(&action)) {
      timers &= static_cast<std::uint8_t>(~timer_bit(cancel->timer));
    } else if (const auto* completed = std::get_if<level3::Completed>(&action)) {
      assert(reply_view && "a client completes on a Reply");
      if (completed->request.op.kind == spec::OpKind::add) {
        state.acknowledged.push_back({completed->request.id, reply_view.value_or(0)});
      }
      if (observer != nullptr) observer->note(node, level3::describe(action));
    } else if (observer != nullptr) {
      observer->note(node, level3::describe(action));  // Invoked, Abandoned
    }
  }
}

void Level3Model::send(State& state, Packet packet, Level3Observer* observer) const {
  if (observer != nullptr) observer->sent(packet);
  const auto at = std::upper_bound(state.network.begin(), state.network.end(), packet);
  state.network.insert(at, std::move(packet));
}

bool Level3Model::is_fault(const Event& event) const {
  return event.kind == Event::Kind::drop || event.kind == Event::Kind::duplicate ||
         event.kind == Event::Kind::crash;
}

bool Level3Model::done(const State& state) const {
  for (std::size_t c = 0; c < state.clients.size(); ++c) {
    if (state.clients[c].busy() || state.invoked[c] < config_.ops) return false;
  }
  return true;
}

bool Level3Model::cut_by_bounds(const State& state) const {
  if (state.timeouts < config_.max_timeouts) return false;
  for (std::size_t node = 0; node < state.timers.size(); ++node) {
    const bool up =
        node >= static_cast<std::size_t>(config_.replicas) || (state.down & (1U << node)) == 0;
    if (up && state.timers[node] != 0) return true;
  }
  return false;
}

}  // namespace ladder::level4
