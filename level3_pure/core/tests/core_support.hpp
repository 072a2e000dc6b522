#pragma once
/// \file
/// Test helpers for level 3's core: builders of hand-made states and messages, accessors for the
/// actions a step returned, and Cluster, a tiny driver that carries messages between replicas
/// in a queue (no faults unless a test drops one by hand). The full simulator is sim*.hpp's.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "level3_pure/core/action.hpp"
#include "level3_pure/core/input.hpp"
#include "level3_pure/core/replica.hpp"
#include "level3_pure/core/rule.hpp"
#include "level3_pure/core/step.hpp"

namespace ladder::level3::test {

/// The default cluster, n = 3.
inline protocol::Config cluster(int replicas = 3) {
  protocol::Config c;
  c.replicas = replicas;
  return c;
}

/// Replica `self`'s first state.
inline Replica fresh(protocol::ReplicaId self, Variant variant = Variant::fixed, int replicas = 3) {
  return Replica::initial(ReplicaConfig{self, cluster(replicas), variant});
}

/// add(delta) as client `client`'s request number `seq`.
inline protocol::Request add(spec::ClientId client, std::uint64_t seq, std::int64_t delta) {
  return protocol::Request{spec::RequestId{client, seq}, protocol::Op::add(delta)};
}

// Three requests the rule-by-rule cases share: two of client 0, one of client 1.
inline const protocol::Request kA = add(0, 1, 1);
inline const protocol::Request kB = add(0, 2, 2);
inline const protocol::Request kC = add(1, 1, 10);

/// The log after applying `committed` in order (as A1 does), holding `suffix` beyond it.
inline protocol::Log log_of(const std::vector<protocol::Request>& committed,
                            const std::vector<protocol::Request>& suffix = {}) {
  protocol::Log log;
  for (const auto& request : committed) {
    log.snapshot.value += request.op.delta;
    log.snapshot.commit_number += 1;
    auto& clients = log.snapshot.clients;
    auto it = std::find_if(clients.begin(), clients.end(),
                           [&](const auto& r) { return r.request.client >= request.id.client; });
    const protocol::ClientRecord record{request.id, log.snapshot.value};
    if (it != clients.end() && it->request.client == request.id.client) {
      *it = record;
    } else {
      clients.insert(it, record);
    }
  }
  log.suffix = suffix;
  return log;
}

/// A message from node `from`.
inline Input from(net::NodeId from, protocol::Message message) {
  return Receive{from, std::move(message)};
}

/// A timer firing.
inline Input fired(Timer timer) {
  return TimerFired{timer};
}

/// Every action of type A, in order.
template <typename A>
std::vector<A> all(const std::vector<Action>& actions) {
  std::vector<A> found;
  for (const auto& action : actions) {
    if (const auto* a = std::get_if<A>(&action)) found.push_back(*a);
  }
  return found;
}

/// Every message of type M sent, with its receiver, in order.
template <typename M>
std::vector<std::pair<net::NodeId, M>> sent(const std::vector<Action>& actions) {
  std::vector<std::pair<net::NodeId, M>> found;
  for (const auto& send : all<Send>(actions)) {
    if (const auto* m = std::get_if<M>(&send.message)) found.emplace_back(send.to, *m);
  }
  return found;
}

/// What the disk holds before `input` reaches `replica`: its durable fields, or for a restart
/// what the driver read back (nothing: the initial state's).
inline Durable disk_before(const Replica& replica, const Input& input) {
  if (const auto* recovered = std::get_if<Recovered>(&input)) {
    return recovered->disk.value_or(Durable{});
  }
  return replica.durable();
}

/// True when the durable change from `before` to `after` is a commit alone: same view,
/// last_normal_view and op number, a higher commit number, and the ops it folded gone from the
/// front of the suffix (rule P4).
inline bool commit_alone(const Durable& before, const Durable& after) {
  const protocol::Log& was = before.log;
  const protocol::Log& is = after.log;
  if (after.view != before.view || after.last_normal_view != before.last_normal_view) return false;
  if (is.op_number() != was.op_number() || is.commit_number() <= was.commit_number()) return false;
  const auto folded = static_cast<std::ptrdiff_t>(is.commit_number() - was.commit_number());
  return std::vector<protocol::Request>(was.suffix.begin() + folded, was.suffix.end()) == is.suffix;
}

/// True when the actions keep P2, P4 and P5 against the disk's contents `before`: if a durable
/// field changed, exactly one Persist holding `after`'s durable fields, either first and strict
/// (P2) or, when the change is a commit alone, last and lazy (P4); otherwise none. A first
/// Persist may let the step's Sends go first only at a primary whose Sends are all Prepares and
/// which replies to nobody in the step (P5).
inline bool keeps_p2(const Durable& before, const std::vector<Action>& actions,
                     const Replica& after) {
  const auto persists = all<Persist>(actions);
  if (after.durable() == before) return persists.empty();
  if (persists.size() != 1 || persists.front().state != after.durable()) return false;
  if (commit_alone(before, after.durable())) {
    return persists.front().lazy() && std::holds_alternative<Persist>(actions.back());
  }
  if (persists.front().lazy() || !std::holds_alternative<Persist>(actions.front())) return false;
  if (persists.front().durability != Durability::before_replies) return true;
  const auto sends = all<Send>(actions);
  return after.role() == Role::primary && all<ReplyToClient>(actions).empty() && !sends.empty() &&
         std::all_of(sends.begin(), sends.end(), [](const Send& send) {
           return std::holds_alternative<protocol::Prepare>(send.message);
         });
}

/// Steps `replica` in place and returns the actions, checking P2 on the way.
inline std::vector<Action> feed(Replica& replica, const Input& input) {
  StepResult result = step(replica, input);
  CHECK(keeps_p2(disk_before(replica, input), result.actions, result.next));
  replica = std::move(result.next);
  return std::move(result.actions);
}

/// A tiny driver: n replicas and a FIFO queue of messages between them and to clients. Messages
/// are delivered one at a time in order; a test may drop or hold any of them.
struct Cluster {
  std::vector<Replica> replicas;                      ///< indexed by replica id
  std::deque<std::pair<net::NodeId, Receive>> queue;  ///< (to, what), in send order
  std::vector<ReplyToClient> replies;                 ///< every Reply sent to a client
  std::vector<std::optional<Durable>> disks;          ///< the last Persist of each replica
  std::vector<bool> crashed;                          ///< replicas that are down
  std::vector<std::vector<Timer>> armed;              ///< each replica's armed timers
  int steps = 0;                                      ///< steps taken

  /// A booted cluster of `n` replicas running `variant`.
  explicit Cluster(Variant variant = Variant::fixed, int n = 3) {
    for (int i = 0; i < n; ++i) {
      auto booted = boot(ReplicaConfig{static_cast<protocol::ReplicaId>(i), cluster(n), variant});
      replicas.push_back(booted.next);
      disks.emplace_back();
      crashed.push_back(false);
      armed.emplace_back();
      execute(static_cast<protocol::ReplicaId>(i), booted.actions);
    }
  }

  //! [driver]
  /// Executes `actions` of replica `self` the way action.hpp says: Persist, then the rest.
  void execute(protocol::ReplicaId self, const std::vector<Action>& actions) {
    for (const auto& action : actions) {
      if (const auto* persist = std::get_if<Persist>(&action)) disks[self] = persist->state;
      if (const auto* send = std::get_if<Send>(&action)) {
        queue.emplace_back(send->to, Receive{self, send->message});
      }
      if (const auto* reply = std::get_if<ReplyToClient>(&action)) replies.push_back(*reply);
      if (const auto* set = std::get_if<SetTimer>(&action)) arm(self, set->timer);
      if (const auto* cancel = std::get_if<CancelTimer>(&action)) disarm(self, cancel->timer);
    }
  }

  /// Steps replica `id` with `input` (nothing if it is crashed).
  void input(protocol::ReplicaId id, const Input& in) {
    if (crashed[id]) return;
    StepResult result = step(replicas[id], in);
    CHECK(keeps_p2(disk_before(replicas[id], in), result.actions, result.next));
    replicas[id] = std::move(result.next);
    execute(id, result.actions);
    ++steps;
  }
  //! [driver]

  /// Records that `timer` of replica `id` is armed.
  void arm(protocol::ReplicaId id, Timer timer) {
    disarm(id, timer);
    armed[id].push_back(timer);
  }

  /// Records that `timer` of replica `id` is not armed.
  void disarm(protocol::ReplicaId id, Timer timer) { std::erase(armed[id], timer); }

  /// Fires `timer` of replica `id`, which must be armed (the driver's contract).
  void fire(protocol::ReplicaId id, Timer timer) {
    REQUIRE(std::find(armed[id].begin(), armed[id].end(), timer) != armed[id].end());
    disarm(id, timer);
    input(id, TimerFired{timer});
  }

  /// A client's request arriving at replica `to` (client nodes follow the replicas).
  void request(protocol::ReplicaId to, const protocol::Request& request) {
    const auto client_node = static_cast<net::NodeId>(replicas.size()) + request.id.client;
    input(to, Receive{client_node, request});
  }

  /// Delivers the oldest message; `keep` may refuse it (then it is dropped). Returns false when
  /// the queue is empty.
  bool deliver_one(const std::function<bool(net::NodeId, const Receive&)>& keep = {}) {
    if (queue.empty()) return false;
    auto [to, message] = std::move(queue.front());
    queue.pop_front();
    if (keep && !keep(to, message)) return true;
    input(static_cast<protocol::ReplicaId>(to), message);
    return true;
  }

  /// Delivers until the queue is empty (at most `bound` messages: a test never loops forever).
  void deliver_all(const std::function<bool(net::NodeId, const Receive&)>& keep = {},
                   int bound = 1000) {
    for (int i = 0; i < bound && deliver_one(keep); ++i) {
    }
    REQUIRE(queue.empty());
  }

  /// Crashes replica `id`: its state, timers and undelivered messages are gone.
  void crash(protocol::ReplicaId id) {
    crashed[id] = true;
    armed[id].clear();
    std::erase_if(queue, [&](const auto& entry) { return entry.first == id; });
  }

  /// Restarts replica `id`, with its disk or without.
  void restart(protocol::ReplicaId id, bool with_disk, std::uint64_t nonce) {
    crashed[id] = false;
    input(id, Recovered{with_disk ? disks[id] : std::nullopt, nonce});
  }
};

}  // namespace ladder::level3::test

/// A failed check on a rule prints its name ("N2d", "ignored: stale view"), not a number.
template <>
struct Catch::StringMaker<ladder::level3::Rule> {
  static std::string convert(ladder::level3::Rule rule) {
    return std::string(ladder::level3::name(rule));
  }
};
