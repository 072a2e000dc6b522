#include "retransmit.hpp"

#include <algorithm>
#include <cassert>

namespace ladder::ex04 {

//! [call-with-retry]
CallOutcome call_with_retry(Transport& transport, const protocol::Request& request,
                            const RetryPolicy& policy, protocol::ReplicaId& primary) {
  assert(policy.replicas >= 1 && policy.retry_ms > 0 && policy.give_up_ms > 0);
  const net::Time deadline = transport.now() + policy.give_up_ms;
  protocol::ReplicaId target = primary;  // C1: whom we believe is primary
  CallOutcome outcome;
  transport.send(target, request);
  ++outcome.sends;
  net::Time retry_at = transport.now() + policy.retry_ms;
  while (transport.now() < deadline) {
    // Wait no longer than the next retry or the deadline, whichever comes first. A stray reply
    // does not move the retry time: the schedule belongs to the request, not to the traffic.
    const net::Time wait = std::min(retry_at, deadline) - transport.now();
    if (wait > 0) {
      const std::optional<protocol::Reply> reply = transport.receive_for(wait);
      if (reply && reply->id == request.id) {
        // C3: done. The view names the primary to ask next time.
        primary = static_cast<protocol::ReplicaId>(
            reply->view % static_cast<protocol::ViewNumber>(policy.replicas));
        outcome.ok = true;
        outcome.value = reply->value;
        return outcome;
      }
      continue;  // a timeout or a late answer to something else: look at the clock again
    }
    // C2: the same request, same id, to the next replica.
    target =
        static_cast<protocol::ReplicaId>((target + 1) % static_cast<unsigned>(policy.replicas));
    transport.send(target, request);
    ++outcome.sends;
    retry_at = transport.now() + policy.retry_ms;
  }
  return outcome;  // C4: the request may still be applied somewhere; nobody can tell
}
//! [call-with-retry]

}  // namespace ladder::ex04
