#pragma once
/// \file
/// A replica on its own thread: its io_context, its inbox and the Replica, attached to the network.
/// Constructing one boots (or restarts) a machine; destroying it is the machine dying: its thread
/// stops, and its volatile state goes with it.

#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "level2_async/replica.hpp"
#include "network/inbox.hpp"
#include "network/udp_network.hpp"

namespace ladder::level2 {

/// One replica, its thread and its inbox.
///
/// The replica's state is touched only on the node's thread: report() asks that thread for a copy
/// and waits for the answer.
class ReplicaNode {
 public:
  /// Starts replica `options.self` on a thread of its own and attaches its inbox to `network`.
  /// `note` receives the replica's remarks (may be empty).
  ReplicaNode(net::UdpNetwork& network, const ReplicaOptions& options, Note note);
  /// Stops the replica and joins its thread. The network must no longer deliver to it (it was
  /// crashed, detached, or the network stopped).
  ~ReplicaNode();
  ReplicaNode(const ReplicaNode&) = delete;
  ReplicaNode& operator=(const ReplicaNode&) = delete;

  /// A copy of the replica's state, taken on its thread. Not from the node's own thread.
  [[nodiscard]] ReplicaReport report();

 private:
  boost::asio::io_context io_;  // first: destroyed after everything that uses it
  net::Inbox inbox_;
  Replica replica_;
  std::thread thread_;
};

}  // namespace ladder::level2
