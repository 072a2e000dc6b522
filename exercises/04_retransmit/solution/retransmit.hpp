#pragma once
/// \file
/// Exercise 04: the retransmission loop of a level 2 client (rules C1 to C4 of docs/protocol.md).

#include <cstdint>

#include "exercises/04_retransmit/given/transport.hpp"
#include "network/types.hpp"
#include "protocol/messages.hpp"

namespace ladder::ex04 {

/// When to retry and when to give up.
struct RetryPolicy {
  int replicas = 3;             ///< n: replicas are 0 .. n-1
  net::Time retry_ms = 100;     ///< C2: wait this long for a Reply before trying the next replica
  net::Time give_up_ms = 1000;  ///< C4: the whole call's deadline, from its first send
};

/// How a call ended.
struct CallOutcome {
  bool ok = false;         ///< a Reply came: the request was applied (else: outcome unknown)
  std::int64_t value = 0;  ///< the Reply's value, when ok
  int sends = 0;           ///< how many times the request was sent
};

/// Sends `request` to `primary`, waits for its Reply, and on each timeout sends the same request
/// to the next replica, until a Reply to this request arrives or the deadline passes. On success
/// `primary` becomes the primary of the Reply's view (view mod n).
CallOutcome call_with_retry(Transport& transport, const protocol::Request& request,
                            const RetryPolicy& policy, protocol::ReplicaId& primary);

}  // namespace ladder::ex04
