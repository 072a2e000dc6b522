#pragma once
/// \file
/// The level 0 replica: a number in memory, read by "get" and overwritten by "store".

#include <cstdint>
#include <string_view>

#include "level0/harness.hpp"
#include "network/sim_network.hpp"

namespace ladder::level0 {

/// A replica that believes replication is easy: it answers "get" with "value v" and obeys
/// every "store v" it receives, in whatever order the network delivers them.
///
/// It sends no acknowledgement (so nobody learns that a store was lost), keeps nothing on disk
/// (so a crash forgets the value and the replica restarts at 0) and cannot tell one client's
/// store from another's (so two clients' read-modify-writes overwrite each other).
class NaiveReplica final : public CounterReplica {
 public:
  /// "get" -> reply "value v"; "store v" -> value = v; anything else is counted and ignored.
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override;
  /// The value was only in memory: it is gone.
  void on_crash() override;

  /// The counter now.
  [[nodiscard]] std::int64_t value() const override { return value_; }
  /// How many messages this replica ignored because they were malformed or not meant for a
  /// replica (a "value" reply). Not reset by a crash: it counts for the whole run.
  [[nodiscard]] std::uint64_t rejected() const { return rejected_; }

 private:
  std::int64_t value_ = 0;
  std::uint64_t rejected_ = 0;
};

}  // namespace ladder::level0
