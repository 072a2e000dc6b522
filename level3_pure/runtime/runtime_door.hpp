#pragma once
/// \file
/// The runtime's front door behind the RESP server: each counter command (INCR, GET, ...) is run
/// by an internal protocol client (runtime_client.hpp), so that the door holds no protocol
/// logic of its own.
///
/// Client ids are bounded for the whole cluster (protocol::kMaxClients): every node's door owns
/// a disjoint range of them (client_range()), and the last kCliClients ids are left for `ladder
/// client`. Rule C1 allows one outstanding request per client id, so the door multiplexes its
/// connections over its pool: a command takes a free client, or waits in line (FIFO, bounded)
/// until one is free.
///
/// **Order.** A connection's commands run one after another, as Redis runs them: a pipelined
/// `INCR c; GET c` reads the INCR. Its next command joins the line when the previous one ends.
///
/// **Coalescing.** When every client is busy, commands wait in line, and each belongs to a
/// different connection, so none of them waits for another: they are concurrent. A client that
/// becomes free takes the head of the line together with up to `coalesce_max` - 1 more waiting
/// commands of the same kind, as ONE protocol request: k adds as add(d1 + ... + dk), k reads as
/// one read. The answers are what running the k commands back to back at the request's place in
/// the log would give: command i of an add group gets V - (d(i+1) + ... + dk) where V is the
/// Reply's value, a read group's every command gets V. Since the k commands were all in flight
/// during the request, that order is a valid linearization of them; the checkers of
/// counter_spec/ see k ordinary operations. An abandoned group's commands are all unknown. This is
/// how the door keeps 50 clients busy with 20 client ids, at one log entry (and one share of an
/// fsync) per group.
///
/// **Requests in flight.** The door keeps at most `max_in_flight` requests outstanding, however
/// many clients are free: the commands that arrive meanwhile wait and leave together as the next
/// group. Each request costs a log entry, two Prepares, two PrepareOks and a round of two fsyncs
/// in sequence whatever it carries, so one large group per round beats many small ones: with 50
/// redis-benchmark clients, 1 in flight did 38,000-40,000 INCR/s where 20 did 22,000-24,000
/// (bench/RESULTS.md, "Level 3's runtime").
///
/// **Lingering.** Clients that wait for an answer before they send again (redis-benchmark, and
/// most clients per connection) come back a fraction of a millisecond after their group is
/// answered, just too late for the next group, which then carries only the commands that waited
/// meanwhile: half the clients ride each round. So when a request of at least `linger_min`
/// commands ends, the door holds the next group back for up to `linger`, until as many commands
/// wait as it has just answered plus those that were already waiting: the clients of both halves
/// ride the same round. This is PostgreSQL's commit_delay/commit_siblings, for the same reason: a
/// short wait that fills the batch costs less than a second round trip. A single client never
/// waits (its request carried fewer than `linger_min` commands).
///
/// The bound is generous (1 ms) because 50 redis-benchmark clients take 0.2 to 1 ms to all come
/// back on a busy 2-core machine: at 0.2 ms a third to three quarters of the lingers ran out, the
/// stragglers waited a whole round, and the groups shrank to 38-47; at 1 ms nearly every group is
/// full, and the cluster did 6% more INCRs per second in eight interleaved rounds
/// (bench/RESULTS.md). What keeps the bound from costing clients that are not coming back soon (a
/// think time, a closed connection) is `linger_gap`: the wait also ends once no command has arrived
/// for 0.1 ms. While redis-benchmark's clients come back, one arrives every few microseconds.
///
/// **Where a round's time goes.** With one request in flight, a round is the request in the
/// cluster (the Prepares, the fsyncs of a majority, a PrepareOk: DoorStats::request_us), the
/// answers handed out (DoorStats::answer_us) and the linger while the clients come back
/// (DoorStats::linger_us). INFO shows the three sums (runtime.hpp), so that a reader can see
/// which part a setting moves; bench/level3_vs_redis.sh prints their means per request.
///
/// Outcomes, as the RESP door answers them (resp.hpp):
/// - the client's Reply: ok with its value;
/// - the deadline passed with the request out (C4, Abandoned): unknown, "-TIMEOUT ...": the add
///   may still happen;
/// - the deadline passed while the command waited for a free client, or the line is full: error
///   "-ERR ... not sent": it surely did not happen.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "level3_pure/runtime/resp_server.hpp"
#include "level3_pure/runtime/runtime_client.hpp"
#include "level3_pure/runtime/runtime_timer.hpp"

namespace ladder::level3 {

/// How many client ids are kept for `ladder client` processes: the last ones (60 to 63 with 64
/// clients). No door uses them.
inline constexpr std::size_t kCliClients = 4;

/// A range of client ids: first .. first + count - 1.
struct ClientRange {
  spec::ClientId first = 0;  ///< the first id
  std::size_t count = 0;     ///< how many
  /// True when `id` is in the range.
  [[nodiscard]] bool contains(spec::ClientId id) const { return id >= first && id - first < count; }
};

/// The client ids of replica `self`'s door in a cluster of `replicas`: an equal share of the ids
/// below kMaxClients - kCliClients. Precondition (asserted): 0 <= self < replicas <= 15.
ClientRange client_range(int replicas, int self);

/// How a door is set up.
struct DoorOptions {
  ClientRange clients;                       ///< the door's own client ids
  std::chrono::milliseconds deadline{2000};  ///< from a command's arrival to its answer, at most
  std::size_t max_waiting = 100'000;         ///< commands waiting (in line or behind), at most
  std::size_t coalesce_max = 64;  ///< commands one request may carry; 1 turns coalescing off
  /// Requests outstanding at once, at most (1 .. clients.count): fewer means larger groups.
  std::size_t max_in_flight = 1;
  /// How long the next group may wait for the clients just answered to come back; 0: never.
  std::chrono::microseconds linger{1000};
  /// The linger also ends when no command has arrived for this long (the clients that are coming
  /// have come); 0: only `linger` bounds it.
  std::chrono::microseconds linger_gap{100};
  /// Only a request that carried at least this many commands makes the next group linger.
  std::size_t linger_min = 4;
};

/// What a door did; counters only grow.
struct DoorStats {
  std::uint64_t commands = 0;  ///< commands submitted
  std::uint64_t ok = 0;        ///< answered with a value
  std::uint64_t unknown = 0;   ///< abandoned after the deadline: outcome unknown
  std::uint64_t refused = 0;   ///< never sent: the line was full or the deadline passed in it
  std::uint64_t requests = 0;  ///< protocol requests made (fewer than commands when coalesced)
  std::uint64_t lingers = 0;   ///< groups held back to wait for more commands
  /// Of which left when `linger` or `linger_gap` ran out, not when full.
  std::uint64_t linger_timeouts = 0;
  /// Microseconds requests spent in the cluster, from leaving the door to their outcome, summed:
  /// with one request in flight, the replication part of every round (file comment).
  std::uint64_t request_us = 0;
  /// Microseconds spent handing outcomes to their commands, summed: for the RESP door, encoding
  /// and writing every answer of a group.
  std::uint64_t answer_us = 0;
  /// Microseconds groups were held back by lingering, summed: the clients coming back.
  std::uint64_t linger_us = 0;
};

/// The pool of protocol clients behind one node's RESP server. One thread: the io_context's.
class FrontDoor {
 public:
  /// A door for a cluster with `cluster`'s parameters, whose clients' messages leave through
  /// `send` and whose timers run on `executor`.
  FrontDoor(const boost::asio::any_io_executor& executor, const protocol::Config& cluster,
            DoorOptions options, ClientDriver::Transmit send);

  /// Runs `command` of connection `connection` after the connection's earlier commands, and
  /// calls `done` with its outcome (the RESP server's Backend).
  void submit(std::uint64_t connection, const CounterCommand& command, Done done);
  /// Connection `connection` closed: its commands queued behind its first are dropped.
  void disconnected(std::uint64_t connection);
  /// Forgets every command (their Dones are dropped unanswered) and disarms every timer.
  void stop();
  /// True when `client` is one of the door's clients: its Replies belong to on_message().
  [[nodiscard]] bool owns(spec::ClientId client) const { return options_.clients.contains(client); }
  /// A message for client `client` (owns(client)) arrived from network node `from`.
  void on_message(spec::ClientId client, const protocol::Message& message, net::NodeId from);

  /// The counters so far.
  [[nodiscard]] const DoorStats& stats() const { return stats_; }
  /// Commands waiting now (for a free client, or behind their connection's earlier command).
  [[nodiscard]] std::size_t waiting() const { return waiting_; }
  /// Requests outstanding now, at most DoorOptions::max_in_flight (a lingering slot counts).
  [[nodiscard]] std::size_t in_flight() const { return in_flight_; }
  /// True while a group waits for more commands (DoorOptions::linger).
  [[nodiscard]] bool lingering() const { return lingering_.has_value(); }

 private:
  struct Waiting {
    std::uint64_t connection = 0;
    CounterCommand command;
    Done done;
    std::chrono::steady_clock::time_point arrived;
  };
  using Group = std::vector<Waiting>;

  void ready(Waiting command);
  Group take_group();
  void start(std::size_t slot, Group group);
  void finished(std::size_t slot, const ClientOutcome& outcome, Group group,
                std::chrono::steady_clock::time_point sent);
  void next_group(std::size_t slot);
  void linger_check();
  void stop_lingering();
  void answer(const ClientOutcome& outcome, Group& group);
  void release(std::uint64_t connection);
  void refuse(Waiting& command, const std::string& why);

  DoorOptions options_;
  std::vector<std::unique_ptr<ClientDriver>> clients_;  // index: client id - first
  std::vector<std::size_t> free_;                       // slots of idle clients
  std::size_t in_flight_ = 0;                           // busy clients, <= max_in_flight
  // Lingering: the slot whose next group waits, until line_ holds linger_until_ commands.
  std::optional<std::size_t> lingering_;
  std::size_t linger_until_ = 0;
  std::chrono::steady_clock::time_point linger_started_;
  std::chrono::steady_clock::time_point last_arrival_;  // of a command while lingering
  OneShot linger_timer_;
  std::deque<Waiting> line_;  // ready to run, at most one per connection
  // Per connection with a command in line or running: its later commands, in order.
  std::unordered_map<std::uint64_t, std::deque<Waiting>> behind_;
  std::size_t waiting_ = 0;  // commands in line_ and behind_
  DoorStats stats_;
};

}  // namespace ladder::level3
