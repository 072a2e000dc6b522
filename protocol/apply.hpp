#pragma once
/// \file
/// Rule A1 of docs/protocol.md, written once for every level: applying the next op of a log to
/// its snapshot. Levels 2 and 3 (and the exercises that hand A1 over) differ in how they are
/// programmed, not in this arithmetic, so they all call apply_next_op(); what each does when I5
/// does not hold (assert, or count and report) stays with the caller.
///
/// The one independent copy is the simulator's apply ledger (level3_pure/sim/sim_apply_log.hpp): a
/// checker that recomputes A1 on its own, so that a mistake here cannot hide from it.

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "protocol/messages.hpp"

namespace ladder::protocol {

/// The client table's record of `client`, or nullptr. The table is sorted by client id (I7).
inline const ClientRecord* find_record(const Snapshot& snapshot, spec::ClientId client) {
  const auto& clients = snapshot.clients;
  const auto it = std::lower_bound(
      clients.begin(), clients.end(), client,
      [](const ClientRecord& r, spec::ClientId c) { return r.request.client < c; });
  return it != clients.end() && it->request.client == client ? &*it : nullptr;
}

/// value + delta in 64-bit two's complement, computed unsigned so that no input overflows into
/// undefined behaviour (A1).
inline std::int64_t wrapping_add(std::int64_t value, std::int64_t delta) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(value) +
                                   static_cast<std::uint64_t>(delta));
}

/// What apply_next_op() did.
struct Applied {
  ClientRecord record;  ///< the client table's new record: the request's id and the value after it
  /// True when I5 held: the table held no request of this client with the same or a later seq.
  /// False only in a broken run; the op was applied anyway, as the code that breaks I5 would.
  bool i5_held = true;
};

/// Rule A1: applies op log.commit_number() + 1, the suffix's first, to the snapshot. For add the
/// value becomes value + delta (wrapping_add); for read it stays. The client table's record of
/// the request's client becomes {id, value}, inserted in client order if new; commit_number
/// grows by one and the op leaves the suffix. Precondition (asserted): the suffix is not empty.
inline Applied apply_next_op(Log& log) {
  assert(!log.suffix.empty() && "A1: the op to apply is the suffix's first");
  const Request request = log.suffix.front();
  Snapshot& snapshot = log.snapshot;
  auto& clients = snapshot.clients;
  const auto at = std::lower_bound(
      clients.begin(), clients.end(), request.id.client,
      [](const ClientRecord& r, spec::ClientId c) { return r.request.client < c; });
  const bool known = at != clients.end() && at->request.client == request.id.client;
  const bool i5_held = !known || request.id.seq > at->request.seq;
  if (request.op.kind == spec::OpKind::add) {
    snapshot.value = wrapping_add(snapshot.value, request.op.delta);
  }
  const ClientRecord record{request.id, snapshot.value};
  if (known) {
    *at = record;
  } else {
    clients.insert(at, record);
  }
  assert(clients.size() <= kMaxClients && "I7 broken: client table over kMaxClients");
  snapshot.commit_number += 1;
  log.suffix.erase(log.suffix.begin());
  return Applied{record, i5_held};
}

}  // namespace ladder::protocol
