#pragma once
/// \file
/// The timers of level 3's pure core: named, never clocked. The core asks for a timer with a
/// SetTimer action and learns that it fired from a TimerFired input; the driver owns the clock.

namespace ladder::level3 {

/// A named timer of docs/protocol.md ("The timeouts"). A node has at most one of each armed.
enum class Timer {
  heartbeat,     ///< a primary's heartbeat (rule N7), every Config::heartbeat_ms
  view_change,   ///< a backup's patience with its primary (V1) and a view change's (V6)
  recovery,      ///< a recovering replica's wait for RecoveryResponses (R1)
  client_retry,  ///< a client's wait for its Reply before it tries the next replica (C2)
};

/// "heartbeat", "view_change", "recovery", "client_retry".
const char* to_string(Timer timer);

}  // namespace ladder::level3
