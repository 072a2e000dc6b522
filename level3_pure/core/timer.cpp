/// \file
/// The names of level 3's timers.

#include "level3_pure/core/timer.hpp"

#include <cassert>

namespace ladder::level3 {

const char* to_string(Timer timer) {
  switch (timer) {
    case Timer::heartbeat:
      return "heartbeat";
    case Timer::view_change:
      return "view_change";
    case Timer::recovery:
      return "recovery";
    case Timer::client_retry:
      return "client_retry";
  }
  assert(false && "to_string of a Timer outside the enum");
  return "?";
}

}  // namespace ladder::level3
