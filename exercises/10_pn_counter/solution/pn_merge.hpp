#pragma once
/// \file
/// Exercise 10: the two functions that make a PN-counter a CRDT, written by you. Level 4's
/// PN-counter core (level4_explore/pn_counter.hpp) calls your merge when a peer's counter arrives,
/// and its model (level4_explore/pn_model.hpp) uses your value in its invariants; the explorer
/// then tries every interleaving of adds, gossip, drops, duplicates and deliveries.

#include <cstdint>

#include "level4_explore/pn_counter.hpp"

namespace ladder::ex10 {

/// The counter's value: every replica's increments minus every replica's decrements (all
/// kMaxReplicas entries; unused ones are 0). A level4::pn::ValueFn.
std::int64_t value(const level4::pn::Counter& counter);

/// What a replica holding `mine` knows after receiving `theirs`: a counter that counts every add
/// either side knows of, exactly once, whatever order, however often and whether or not the
/// messages arrive. A level4::pn::MergeFn.
level4::pn::Counter merge(const level4::pn::Counter& mine, const level4::pn::Counter& theirs);

}  // namespace ladder::ex10
