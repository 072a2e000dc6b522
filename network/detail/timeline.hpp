#pragma once
/// \file
/// What each kind of timeline event does, written once for both engines (SimNetwork and
/// UdpNetwork). Internal to network/.
///
/// The engines differ in how they do a thing (virtual time against a clock and a lock, nodes
/// called directly against hooks), not in which thing a timeline event asks for. Each engine
/// provides the four primitives; this dispatch picks one.

#include <cassert>

#include "network/fault_plan.hpp"

namespace ladder::net::detail {

/// Plays `event` on `engine`, which provides:
/// - `cut(event)`: a partition or a one-way cut blocks its links, and the engine traces it;
/// - `heal(always_trace)`: every link works again (traced even when none was blocked, as asked);
/// - `crash(node)` and `restart(node)`: the node goes down, or comes back up.
template <class Engine>
void play_timeline_event(Engine& engine, const TimelineEvent& event) {
  switch (event.kind) {
    case TimelineKind::partition:
    case TimelineKind::cut:
      engine.cut(event);
      return;
    case TimelineKind::heal:
      engine.heal(/*always_trace=*/true);
      return;
    case TimelineKind::crash:
      engine.crash(event.node);
      return;
    case TimelineKind::restart:
      engine.restart(event.node);
      return;
  }
  assert(false && "play_timeline_event: a TimelineKind outside the enum");
}

}  // namespace ladder::net::detail
