#pragma once
/// \file
/// A level 1 replica: an RPC server holding one counter, primary and backup at once.
///
/// The protocol is primary–backup as its author first imagines it:
///
/// - `add {client, seq, delta}`: whoever receives it acts as the primary. It adds `delta` to its
///   own counter, calls `apply` with the same arguments on every other replica (all at once, from
///   one thread, under one deadline), waits for them all, and returns `{value}`. A backup that does
///   not answer is logged and skipped: "the call threw, so it failed", thinks the author.
/// - `apply {client, seq, delta}`: a backup adds `delta` to its counter. No questions asked.
/// - `read {}`: returns `{value}`.
/// - `state {}`: returns `{value, applied}`, the counter and the apply log, so that a reader (or
///   a test) can judge replicas that run as separate processes (`ladder node`).
///
/// Adds arriving at one primary are serialised (one at a time, backups included), so two clients
/// adding at once can no longer lose an update as they could at level 0. Requests carry their id
/// (client, seq), and every replica keeps the ids it applied, in order — but nobody looks at them
/// before applying: a request that arrives twice is applied twice. Exercise 02 changes that (see
/// level1_rpc/reply_cache.hpp).
///
/// Crash and restart are the caller's: stop() and destroy the replica, then make a new one on the
/// same port — its counter starts at 0 and its apply log empty, as a process that lost its memory.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "counter_spec/checkers.hpp"
#include "counter_spec/history.hpp"
#include "level1_rpc/client.hpp"
#include "level1_rpc/reply_cache.hpp"
#include "level1_rpc/server.hpp"

namespace ladder::level1 {

/// How a replica is set up.
struct ReplicaOptions {
  int index = 0;  ///< which replica: r0, r1, ...
  std::uint16_t port =
      0;  ///< where its server listens; 0: any free port (a restart passes the old)
  /// How long the primary waits for the backups' `apply` replies before it gives up on the missing.
  std::chrono::milliseconds backup_deadline{100};
  int threads = 4;  ///< server threads: how many calls may run at once
  /// Its server's threads under SCHED_BATCH: see ServerOptions::batch_scheduling.
  bool batch_scheduling = true;
  /// Called (from the replica's threads, so it must be thread-safe) with one line for each backup
  /// the primary gave up on; the line does not name this replica. Empty: no log.
  std::function<void(const std::string&)> log;
  /// Makes the replica's reply cache (level1_rpc/reply_cache.hpp). Empty: no cache, which is
  /// level 1 as its author wrote it — every request that arrives is applied.
  std::function<std::unique_ptr<ReplyCache>()> make_reply_cache;
};

/// What a replica counted.
struct ReplicaStats {
  std::uint64_t adds = 0;             ///< adds applied as the primary
  std::uint64_t applies = 0;          ///< applies received as a backup
  std::uint64_t backup_failures = 0;  ///< apply calls to a backup that raised (and were skipped)
  std::uint64_t answered_from_cache = 0;  ///< adds and applies the reply cache recognised
};

/// The arguments of `add` and `apply`: the request id and the delta.
struct Update {
  spec::RequestId request;  ///< who asked, and their sequence number
  std::int64_t delta = 0;   ///< how much to add
};

/// `{"client": 0, "seq": 3, "delta": 2}`.
nlohmann::json to_json(const Update& update);
/// The update in `add`/`apply` arguments; throws std::invalid_argument naming the bad field (the
/// server turns it into a RemoteFailure).
Update update_from_json(const nlohmann::json& args);

/// `{"value": 12, "applied": [[0, 1], [0, 2]]}`: a replica's counter and apply log (each request
/// as [client, seq]), as its `state` method returns them.
nlohmann::json state_to_json(const spec::ReplicaState& state);
/// The state in a `state` result, named `name` ("r1"); throws std::invalid_argument naming the
/// field that is missing or malformed.
spec::ReplicaState state_from_json(const nlohmann::json& result, std::string name);

/// One replica of the level 1 counter. Thread-safe.
class Replica {
 public:
  /// A replica that is not yet serving.
  explicit Replica(ReplicaOptions options);
  /// Stops the replica if it serves.
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  /// Starts serving on options.port (or a free port). Throws boost::system::system_error when the
  /// port cannot be bound.
  void start();
  /// Where to reach every replica for `apply`, indexed by replica (this replica's own entry is
  /// ignored). In the demo each is a fault proxy's port. Call before the first add arrives.
  void set_peers(const std::vector<std::uint16_t>& ports);
  /// Stops serving: the counter, the log and every connection are gone with it.
  void stop();

  /// The port its server listens on (after start()).
  [[nodiscard]] std::uint16_t port() const;
  /// Its counter and apply log now, for the checkers.
  [[nodiscard]] spec::ReplicaState state() const;
  /// A snapshot of the counters.
  [[nodiscard]] ReplicaStats stats() const;
  /// Calls its server is running now (0 when it is idle).
  [[nodiscard]] std::uint64_t running() const;

 private:
  nlohmann::json add(const nlohmann::json& args);
  nlohmann::json apply(const nlohmann::json& args);
  nlohmann::json read(const nlohmann::json& args) const;
  std::optional<std::int64_t> apply_locally(const Update& update);
  std::int64_t cached_reply(const spec::RequestId& request) const;
  void note_skipped_backup(const Update& update, int backup, const std::exception_ptr& error);

  ReplicaOptions options_;
  Server server_;
  std::mutex primary_mutex_;        // held by an add for its whole run: adds happen one at a time
  mutable std::mutex state_mutex_;  // guards value_, applied_ and stats_ (held only briefly)
  std::int64_t value_ = 0;
  std::vector<spec::RequestId> applied_;
  std::unique_ptr<ReplyCache> reply_cache_;  // null without one; guarded by state_mutex_
  ReplicaStats stats_;
  std::unique_ptr<ClientGroup> backups_;  // every other replica; guarded by primary_mutex_
  std::vector<int> backup_indices_;       // which replica each member of backups_ is
};

}  // namespace ladder::level1
