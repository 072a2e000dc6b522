#pragma once
/// \file
/// Exercise 01's client: level 0's read-modify-write, but it waits for every replica to
/// acknowledge its store, and retries what got no answer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "exercises/01_acks/given/messages.hpp"
#include "level0/harness.hpp"
#include "network/sim_network.hpp"

namespace ladder::ex01 {

/// How a client retries: every bound is stated, so that a client facing a dead network gives up
/// after a known time instead of retrying for ever.
struct RetryPolicy {
  net::Time interval_ms = 50;  ///< wait this long for a reply or the missing acks, then resend
  int attempts_max = 20;       ///< send a get, or a round of stores, at most this many times
};

/// A client that knows when its add has reached every replica.
///
/// Client i talks to its home replica i % replicas. add(delta): "get" to home; on "value n v" it
/// sends "store n+1 v+delta" to every replica and records ok only when all of them answered
/// "stored n+1". Whatever gets no answer within RetryPolicy::interval_ms is sent again: the get
/// to home, the store to the replicas that have not acknowledged it. After
/// RetryPolicy::attempts_max sends it gives up: a get that never got a reply is a `fail` (no
/// store was sent, so the add certainly did not happen); a store that some replica never
/// acknowledged is `info` (other replicas may hold it). read(): "get" to home, ok with its value.
class AckingClient final : public level0::CounterClient {
 public:
  /// A client that runs `setup.ops` and records them in `*setup.history`.
  explicit AckingClient(level0::ClientSetup setup, RetryPolicy retry = {});

  /// Starts the first operation after its think time (after a restart: settles the one in
  /// progress, then goes on).
  void on_start(net::NodeContext& ctx) override;
  /// "value" and "stored" replies move the operation on; anything else is counted and ignored.
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override;
  /// The think time ended, or the retry timer fired.
  void on_timer(net::NodeContext& ctx, std::uint64_t tag) override;
  /// Timers die with the node; the operation in progress is settled when it restarts.
  void on_crash() override;

  /// True once every planned operation has completed.
  [[nodiscard]] bool done() const override;
  /// The replica this client reads from: replica `index % replicas`.
  [[nodiscard]] net::NodeId home() const { return home_; }
  /// Messages it ignored: malformed ones, ones a client cannot use, and late replies.
  [[nodiscard]] std::uint64_t ignored() const { return ignored_; }
  /// Gets and stores it sent again because the first copy got no answer in time.
  [[nodiscard]] std::uint64_t retransmissions() const { return retransmissions_; }

 private:
  /// Where the operation in progress stands.
  enum class Phase {
    idle,     ///< between operations (thinking, or done)
    getting,  ///< a get is out to home; waiting for "value"
    storing,  ///< a store is out to every replica; waiting for every "stored"
  };

  [[nodiscard]] spec::ClientId client_id() const;
  [[nodiscard]] const net::PlannedOp& current() const;
  void think(net::NodeContext& ctx);
  void invoke(net::NodeContext& ctx);
  void send_get(net::NodeContext& ctx);
  void on_value(net::NodeContext& ctx, net::NodeId from, Version version, std::int64_t value);
  void start_store(net::NodeContext& ctx, Version version, std::int64_t value);
  void send_store_round(net::NodeContext& ctx);
  void on_stored(net::NodeContext& ctx, net::NodeId from, Version version);
  void on_retry_timer(net::NodeContext& ctx);
  void arm_retry(net::NodeContext& ctx);
  void complete_ok(net::NodeContext& ctx, std::int64_t read_value, std::string_view what);
  void complete_fail(net::NodeContext& ctx, std::string_view why);
  void complete_info(net::NodeContext& ctx, std::string_view why);
  void complete(net::NodeContext& ctx);
  void ignore(net::NodeContext& ctx, std::string_view why, std::string_view payload);

  level0::ClientSetup setup_;
  RetryPolicy retry_;
  net::NodeId home_ = 0;
  std::size_t next_ = 0;  // index in setup_.ops of the operation in progress or next to start
  Phase phase_ = Phase::idle;
  int attempts_ = 0;  // gets, or rounds of stores, sent for the operation's current phase
  std::optional<net::TimerId> retry_timer_;
  // The newest version this client knows every replica has reached (a store all acknowledged,
  // or a value read). A reply older than it is a late copy of an old answer, not news.
  Version confirmed_version_ = 0;
  // The newest version this client ever sent. New stores go above it, so that a version is never
  // reused with another value, even after a store the client gave up on.
  Version sent_version_ = 0;
  Version store_version_ = 0;     // the store in progress: its version ...
  std::int64_t store_value_ = 0;  // ... and its value
  std::vector<bool> acked_;       // per replica: has it acknowledged the store in progress?
  std::uint64_t ignored_ = 0;
  std::uint64_t retransmissions_ = 0;
};

}  // namespace ladder::ex01
