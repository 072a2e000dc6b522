#pragma once
/// \file
/// The pure client core (client.hpp, rules C1-C4) driven for real: one ClientState, its retry
/// timer on an io_context, and a deadline after which the operation is abandoned (C4). The
/// runtime's front door runs a pool of these, and `ladder client` runs one over UDP. Like the
/// replica's driver, it holds no protocol logic: it turns events into ClientInputs and executes
/// the ClientActions client_step() returns.
///
/// Request numbers must grow across restarts of the process that owns a client id: a replica
/// remembers each client's latest request (rule N2a), so a restarted client whose seq starts at 1
/// again would be ignored as an old duplicate. initial_seq() starts them at the wall clock in
/// microseconds, which grows across restarts (unless the clock is set back by more than the time
/// the process was down, which this workbook accepts) and leaves 2^64 / 10^6 s of room.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "level3_pure/core/client.hpp"
#include "level3_pure/runtime/cluster_file.hpp"
#include "level3_pure/runtime/runtime_timer.hpp"
#include "protocol/messages.hpp"

namespace ladder::level3 {

/// The wall clock in microseconds since 1970: where a client's request numbers start
/// (ClientState::last_seq), so that they keep growing across restarts of its process.
std::uint64_t initial_seq();

/// How one operation of a ClientDriver ended.
struct ClientOutcome {
  protocol::Request request;          ///< the request, with its id
  std::optional<std::int64_t> value;  ///< the Reply's value; nullopt: abandoned, may happen
};

/// One protocol client on an io_context's thread: invoke(), then on_message() for what arrives;
/// `finish` reports the outcome. Not thread-safe: use it on that one thread.
class ClientDriver {
 public:
  /// Sends a client's datagram's message to replica `to`.
  using Transmit = std::function<void(protocol::ReplicaId to, const protocol::Message& message)>;
  /// Called once per operation, on the io_context's thread, with its outcome.
  using Finish = std::function<void(const ClientOutcome& outcome)>;

  /// A client in state `initial` (typically ClientState::initial with last_seq = initial_seq())
  /// whose timers run on `executor` and whose messages leave through `send`.
  ClientDriver(const boost::asio::any_io_executor& executor, ClientState initial, Transmit send);

  /// Starts `op` (C1); gives up after `deadline` (C4). Precondition (asserted): !busy().
  void invoke(const protocol::Op& op, std::chrono::milliseconds deadline, Finish finish);
  /// A message for this client arrived (a Reply completes the outstanding request, C3).
  void on_message(const protocol::Message& message, net::NodeId from);
  /// Disarms the timers and forgets the outstanding operation's finish, unreported (the owner is
  /// shutting down).
  void cancel();
  /// True while an operation is outstanding.
  [[nodiscard]] bool busy() const { return state_.busy(); }
  /// The client's state.
  [[nodiscard]] const ClientState& state() const { return state_; }

 private:
  void run(const ClientInput& input);

  ClientState state_;
  Transmit send_;
  Finish finish_;
  OneShot retry_;
  OneShot deadline_;
};

/// One operation on a cluster of `ladder node` processes, as `ladder client` makes it: a fresh
/// UDP socket on the cluster's host, one ClientDriver with client id `client` (request numbers
/// from initial_seq()), rules C1-C4 until the Reply or the deadline. Blocks the calling thread.
/// Throws boost::system::system_error when no socket can be bound. Precondition (asserted):
/// client < kMaxClients.
ClientOutcome call_cluster(const ClusterFile& cluster, spec::ClientId client,
                           const protocol::Op& op, std::chrono::milliseconds deadline);

}  // namespace ladder::level3
