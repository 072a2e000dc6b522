#pragma once
/// \file
/// The level 0 client: read-modify-write against its home replica, then tell everyone.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "level0/harness.hpp"
#include "network/sim_network.hpp"

namespace ladder::level0 {

/// How long a client waits for a "value" reply before it gives the operation up as failed.
inline constexpr net::Time kReplyTimeoutMs = 50;

/// Timer tag: the pause before the client's next operation is over.
inline constexpr std::uint64_t kThinkTimer = 1;
/// Timer tag: the home replica did not answer within the reply timeout.
inline constexpr std::uint64_t kReplyTimer = 2;

/// "think time over" or "reply timeout" for the tags above; empty for any other tag.
[[nodiscard]] std::string_view timer_name(std::uint64_t tag);

/// A client that believes replication is easy.
///
/// Client i talks to its home replica i % replicas. add(delta) asks home for its value v, then
/// sends "store v+delta" to every replica and reports success at once; read() asks home and
/// reports the value. There are no acknowledgements, no retries and no request ids: a store that
/// the network drops is never noticed, and a reply is matched to whatever the client is waiting
/// for, even if it answers an older question.
class NaiveClient final : public CounterClient {
 public:
  /// A client that runs `setup.ops` and records them in `*setup.history`.
  explicit NaiveClient(ClientSetup setup, net::Time reply_timeout_ms = kReplyTimeoutMs);

  /// Starts the first operation after its think time (or, after a restart, the next one).
  void on_start(net::NodeContext& ctx) override;
  /// A "value v" reply completes the outstanding operation; anything else is counted and ignored.
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override;
  /// Either the think time before the next operation ended, or the reply did not come in time.
  void on_timer(net::NodeContext& ctx, std::uint64_t tag) override;
  /// Timers die with the node; the outstanding operation is settled when it restarts.
  void on_crash() override;

  /// True once every planned operation has completed.
  [[nodiscard]] bool done() const override;
  /// The replica this client reads from: replica `index % replicas`.
  [[nodiscard]] net::NodeId home() const { return home_; }
  /// How many messages this client ignored: malformed ones, ones a client cannot use, and
  /// replies that arrived while it was not waiting for one.
  [[nodiscard]] std::uint64_t rejected() const { return rejected_; }

 private:
  [[nodiscard]] spec::ClientId client_id() const;
  [[nodiscard]] const net::PlannedOp& current() const;
  void think(net::NodeContext& ctx);
  void invoke(net::NodeContext& ctx);
  void finish_add(net::NodeContext& ctx, std::int64_t home_value);
  void finish_read(net::NodeContext& ctx, std::int64_t home_value);
  void fail(net::NodeContext& ctx, std::string_view why);
  void reject(net::NodeContext& ctx, std::string_view why, std::string_view payload);

  ClientSetup setup_;
  net::NodeId home_ = 0;
  net::Time reply_timeout_ms_ = kReplyTimeoutMs;
  std::size_t next_ = 0;  // index in setup_.ops of the operation in progress or next to start
  bool waiting_ = false;  // a get is out and ops[next_] waits for its reply
  std::optional<net::TimerId> reply_timer_;
  std::uint64_t rejected_ = 0;
};

}  // namespace ladder::level0
