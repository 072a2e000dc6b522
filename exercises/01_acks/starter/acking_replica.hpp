#pragma once
/// \file
/// Exercise 01's replica: level 0's replica, plus a version and an acknowledgement for every store.

#include <cstdint>
#include <string_view>

#include "exercises/01_acks/given/messages.hpp"
#include "level0/harness.hpp"
#include "network/sim_network.hpp"

namespace ladder::ex01 {

/// A replica that acknowledges every store and keeps only the newest version.
///
/// "get" -> "value n v" with its version n and value v. "store n v" -> it takes the store when
/// n is newer than its version, and in every case replies "stored n": a replica that already
/// holds version n or a newer one has done what the store asked, so saying so is the truth, and
/// it is what lets a client whose first acknowledgement was lost stop retransmitting.
class AckingReplica final : public level0::CounterReplica {
 public:
  /// Answers "get", applies and acknowledges "store"; anything else is counted and ignored.
  void on_message(net::NodeContext& ctx, net::NodeId from, std::string_view payload) override;
  /// Version and value lived only in memory: both are gone.
  void on_crash() override;

  /// The counter now.
  [[nodiscard]] std::int64_t value() const override { return value_; }
  /// The version of the value held: the newest store it has taken (0 before any).
  [[nodiscard]] Version version() const { return version_; }
  /// How many messages it ignored because they were malformed or not meant for a replica.
  [[nodiscard]] std::uint64_t rejected() const { return rejected_; }

 private:
  void on_store(net::NodeContext& ctx, net::NodeId from, Version version, std::int64_t value);

  Version version_ = 0;
  std::int64_t value_ = 0;
  std::uint64_t rejected_ = 0;
};

}  // namespace ladder::ex01
