/// \file
/// Names of the fault plan's timeline kinds, as scenario files spell them.

#include "network/fault_plan.hpp"

#include <cassert>

namespace ladder::net {

const char* to_string(TimelineKind kind) {
  switch (kind) {
    case TimelineKind::partition:
      return "partition";
    case TimelineKind::cut:
      return "cut";
    case TimelineKind::heal:
      return "heal";
    case TimelineKind::crash:
      return "crash";
    case TimelineKind::restart:
      return "restart";
  }
  assert(false && "unknown TimelineKind");
  return "?";
}

}  // namespace ladder::net
