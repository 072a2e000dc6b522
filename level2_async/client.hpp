#pragma once
/// \file
/// Level 2's client: one coroutine per client, one request outstanding, retried at the next
/// replica when no Reply comes in time (rules C1 to C4 of docs/protocol.md).

#include <cstdint>
#include <functional>
#include <string>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "counter_spec/history.hpp"
#include "level2_async/replica.hpp"
#include "network/inbox.hpp"
#include "network/scenario.hpp"
#include "network/types.hpp"
#include "protocol/config.hpp"

namespace ladder::level2 {

/// Everything a client is given.
struct ClientOptions {
  int index = 0;                    ///< client number (0-based): its spec::ClientId
  net::Topology topology;           ///< where the replicas are
  protocol::Config config;          ///< n and client_retry_ms
  std::vector<net::PlannedOp> ops;  ///< what to do, in order
  /// C4: how long one operation may take before the client gives up on it (its outcome is then
  /// info: it may still be applied). Bounds the run.
  net::Time give_up_ms = 1000;
  /// Called on the client's executor after each acknowledged operation is recorded; may be empty
  /// (the run's scripted faults hang here).
  std::function<void()> after_ok;
};

/// The clock a client stamps its history with: ms since the run started.
using Clock = std::function<net::Time()>;

/// Runs the client's planned operations one after another, recording invoke and ok / info in
/// `history`, and returns when all are done. `history` is touched only on the client's executor.
/// `send` hands a Request body to the network for a replica's node id.
boost::asio::awaitable<void> run_client(ClientOptions options, net::Inbox& inbox, Send send,
                                        Clock clock, Note note, spec::History& history);

}  // namespace ladder::level2
