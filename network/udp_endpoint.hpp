#pragma once
/// \file
/// One process's own UDP socket, with the FaultPlan's message faults on what it sends.
///
/// net::UdpNetwork hosts every node in one process, with one injector between them. A node that
/// runs as a process of its own (level 3's runtime, `ladder node`) has only its own socket: this
/// class. It applies the plan's per-message faults to the datagrams it sends, with the very draws
/// of the two engines (network/detail/message_faults.hpp): drop, response loss, a delay in the
/// plan's range (which reorders) and a duplicate with its own delay. The plan's timeline
/// (partitions, crashes) is not applied: between processes those faults are the reader's own
/// (kill -9, kill -STOP).
///
/// The endpoint runs on its owner's io_context and is used from that context's one thread: no
/// lock, no thread of its own. Receiving is the owner's loop: wait_readable(), then drain() what
/// the kernel already holds without blocking, which lets a busy node take a whole batch of
/// datagrams per wake-up.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // before Asio's headers, which forget it in Boost 1.74
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "network/fault_plan.hpp"
#include "network/rng.hpp"
#include "network/sim_network.hpp"  // MessageClass

namespace ladder::net {

/// What one endpoint did; counters only grow.
struct EndpointStats {
  std::uint64_t sent = 0;         ///< datagrams handed to send()
  std::uint64_t wire_sent = 0;    ///< datagrams the socket sent (copies included)
  std::uint64_t wire_errors = 0;  ///< sends the kernel refused (counted, then lost, like UDP)
  std::uint64_t dropped = 0;      ///< lost by the fault plan (drop or response loss)
  std::uint64_t duplicated = 0;   ///< extra copies the fault plan sent
  std::uint64_t received = 0;     ///< datagrams drain() read
};

/// A UDP socket bound to one address, sending through an optional fault plan.
class UdpEndpoint {
 public:
  /// An IPv4 UDP address.
  using Address = boost::asio::ip::udp::endpoint;
  /// Called by drain() for each datagram: who sent it and its bytes (valid during the call).
  using OnDatagram = std::function<void(const Address& source, std::string_view bytes)>;

  /// Binds a socket to `bind` (port 0: the system picks one) on `io`. With a `plan`, every send
  /// draws its fate from it, seeded by `seed`; without, datagrams leave at once. Throws
  /// boost::system::system_error when the address cannot be bound. Precondition (asserted):
  /// the plan's probabilities are in [0, 1] and its delays ordered.
  UdpEndpoint(boost::asio::io_context& io, const Address& bind,
              std::optional<FaultPlan> plan = std::nullopt, std::uint64_t seed = 0);
  /// Closes the socket; datagrams still held by a delay are lost.
  ~UdpEndpoint();
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  /// Sends `datagram` to `to`, through the fault plan if there is one. Never blocks and never
  /// throws: a datagram the kernel refuses is counted (wire_errors) and lost, as UDP may lose it.
  void send(const Address& to, std::string datagram, MessageClass cls = MessageClass::request);
  /// Reads up to `max` datagrams the kernel already holds, calling `on` for each, without
  /// blocking. Returns how many it read (0 when none was waiting or the socket is closed).
  std::size_t drain(std::size_t max, const OnDatagram& on);
  /// Calls `ready` once, on the io_context, when a datagram is waiting (true) or the endpoint was
  /// closed (false). One wait at a time.
  void wait_readable(std::function<void(bool)> ready);
  /// Closes the socket and cancels the held datagrams and the wait. Idempotent.
  void close();

  /// The bound address (with the port the system chose, if it was 0).
  [[nodiscard]] Address local() const { return local_; }
  /// The counters so far.
  [[nodiscard]] const EndpointStats& stats() const { return stats_; }

 private:
  void transmit(const Address& to, const std::string& datagram);
  void hold(const Address& to, std::shared_ptr<const std::string> datagram, Time delay_ms);

  boost::asio::ip::udp::socket socket_;
  Address local_;
  std::optional<FaultPlan> plan_;
  Rng rng_;
  std::map<std::uint64_t, boost::asio::steady_timer> held_;  // datagrams waiting out a delay
  std::uint64_t next_hold_ = 0;
  std::vector<char> buffer_;  // one datagram, plus a byte to notice an oversized one
  EndpointStats stats_;
};

}  // namespace ladder::net
