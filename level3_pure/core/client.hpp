#pragma once
/// \file
/// The client of level 3, pure like the replica: `client_step(state, input) -> (state, actions)`,
/// following rules C1-C4 of docs/protocol.md.
///
/// The client tells its driver, besides what to send, what became of each operation: an Invoked,
/// then a Completed (ok, with the value) or an Abandoned (info: it may still happen). The driver
/// turns these one for one into spec::History events, so the checkers of counter_spec/ judge what
/// the client really saw.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "counter_spec/history.hpp"
#include "level3_pure/core/action.hpp"
#include "level3_pure/core/input.hpp"
#include "level3_pure/core/rule.hpp"
#include "protocol/config.hpp"
#include "protocol/messages.hpp"

namespace ladder::level3 {

/// Everything one client knows: who it is, its last request number, its outstanding request and
/// the replica it believes is primary. Plain data, like Replica.
struct ClientState {
  spec::ClientId id = 0;       ///< this client, 0 .. kMaxClients-1
  protocol::Config cluster;    ///< n and client_retry_ms
  std::uint64_t last_seq = 0;  ///< the seq of its latest request; 0 before any
  std::optional<protocol::Request>
      outstanding;                 ///< the request awaiting its Reply (C1: at most one)
  protocol::ReplicaId target = 0;  ///< where it sends next: the primary it believes in

  /// A client that has sent nothing yet and believes replica 0 is primary (C1).
  /// Preconditions (asserted): id < kMaxClients, cluster.valid().
  static ClientState initial(spec::ClientId id, const protocol::Config& cluster);
  /// True while a request is outstanding: the driver must not invoke another.
  [[nodiscard]] bool busy() const { return outstanding.has_value(); }
  /// Client states compare field by field (protocol::Config's fields included).
  friend bool operator==(const ClientState& a, const ClientState& b);
};

/// The workload asks the client to start `op` (C1). Precondition (asserted): the client is not
/// busy().
struct Invoke {
  protocol::Op op;  ///< add(delta) or read()
  /// Invokes compare field by field.
  friend bool operator==(const Invoke&, const Invoke&) = default;
};

/// The workload abandons the outstanding request after a deadline of its own (C4). Ignored when
/// nothing is outstanding.
struct Abandon {
  /// Abandons are all alike.
  friend bool operator==(const Abandon&, const Abandon&) = default;
};

/// What can happen to a client: a Reply (or any message) arriving as Receive, its retry timer
/// firing (TimerFired{Timer::client_retry}), or the workload invoking or abandoning an op.
using ClientInput = std::variant<Invoke, Abandon, Receive, TimerFired>;

/// The client's outcome: it sent request `request` (History: invoke).
struct Invoked {
  protocol::Request request;  ///< id and op
  /// Invokeds compare field by field.
  friend bool operator==(const Invoked&, const Invoked&) = default;
};

/// The client's outcome: request `request` happened, and the counter was `value` right after it
/// (History: ok; for a read, `value` is the value read).
struct Completed {
  protocol::Request request;  ///< id and op
  std::int64_t value = 0;     ///< the Reply's value
  /// Completeds compare field by field.
  friend bool operator==(const Completed&, const Completed&) = default;
};

/// The client's outcome: the request was abandoned and may or may not happen (History: info).
struct Abandoned {
  protocol::Request request;  ///< id and op
  /// Abandoneds compare field by field.
  friend bool operator==(const Abandoned&, const Abandoned&) = default;
};

/// One thing a client asks its driver to do or record, executed in order like a replica's
/// actions (action.hpp). Sends go to replicas (node id == replica id).
using ClientAction = std::variant<Send, SetTimer, CancelTimer, Invoked, Completed, Abandoned>;

/// What client_step() returns: the next state, the actions in order, and the rule that applied
/// (Rule::C1 ... Rule::C4, or one of the ignored family).
struct ClientStepResult {
  ClientState next;                   ///< the client after the input
  std::vector<ClientAction> actions;  ///< to execute in order
  Rule rule = Rule::none;             ///< C1 ... C4, or why the input was ignored
};

/// The client's one transition (rules C1-C4). Inputs it cannot use (a Reply for another request,
/// a message that is not a Reply, a retry with nothing outstanding) are ignored.
ClientStepResult client_step(ClientState state, const ClientInput& input);

/// One line for traces: "invoke c0#3 add(+2)", "ok c0#3 add(+2) =12", "info c0#3 add(+2)", or
/// describe() of a Send/SetTimer/CancelTimer.
std::string describe(const ClientAction& action);

}  // namespace ladder::level3
