#include "retransmit.hpp"

#include "exercises/04_retransmit/given/your_code_here.hpp"

namespace ladder::ex04 {

//! [call-with-retry]
// Send to `primary` first (C1). Wait with transport.receive_for(), never past the next retry time
// or the deadline. A Reply with another id is a late answer to an older request: ignore it and
// keep waiting. When the retry time passes, send the SAME request to the next replica (C2). When
// the deadline passes, give up: the outcome is unknown (C4).
CallOutcome call_with_retry([[maybe_unused]] Transport& transport,
                            [[maybe_unused]] const protocol::Request& request,
                            [[maybe_unused]] const RetryPolicy& policy,
                            [[maybe_unused]] protocol::ReplicaId& primary) {
  your_code_here("call_with_retry must send, wait, retry at the next replica and give up");
}
//! [call-with-retry]

}  // namespace ladder::ex04
