#pragma once
/// \file
/// Inbox: a node's queue of received datagrams, which the node's own coroutines co_await.
///
/// The network delivers on its injector's thread; a node runs on its own. The inbox is the
/// bridge: its receiver() posts each datagram onto the node's executor, and the node's coroutine
/// waits for the next one there:
///
///     Inbox inbox(node_io.get_executor());
///     network.attach(id, inbox.receiver());
///     ... in a coroutine on node_io:
///     while (auto datagram = co_await inbox.receive()) handle(*datagram);
///
/// Everything but the receiver runs on the node's executor, which must run one handler at a
/// time (an io_context run by one thread, or a strand): then no lock is needed, and a datagram
/// cannot slip in between "the queue is empty" and "wait".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>  // before Asio's awaitable.hpp, which forgets it in Boost 1.74

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "network/udp_network.hpp"

namespace ladder::net {

/// How many datagrams an inbox holds by default before it drops new ones.
inline constexpr std::size_t kDefaultInboxCapacity = 4096;

/// A bounded queue of datagrams for one node, awaited on the node's executor.
///
/// Like a socket's receive buffer, it drops what arrives when it is full (counted by
/// overflowed()), so a node that stops reading cannot make the network's memory grow.
/// The inbox may be destroyed while datagrams are still being posted to it: they then find
/// nobody and vanish, as they would at a crashed node. The executor's io_context must outlive
/// every call of the receiver: detach it (UdpNetwork::attach(id, {})) before destroying the
/// io_context, unless a crash already detached it.
class Inbox {
 public:
  /// An empty, open inbox whose waits run on `executor`; precondition: capacity >= 1.
  explicit Inbox(boost::asio::any_io_executor executor,
                 std::size_t capacity = kDefaultInboxCapacity);
  /// Destroys the inbox; on the executor's thread, or once the executor no longer runs.
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  /// The function to hand to UdpNetwork::attach(): it posts a datagram onto the executor from
  /// any thread. It stays safe to call after the inbox is gone.
  [[nodiscard]] Receiver receiver() const;

  /// The next datagram, waiting as long as it takes; nullopt once the inbox is closed. Only one
  /// coroutine may wait at a time.
  boost::asio::awaitable<std::optional<Datagram>> receive();
  /// The next datagram, or nullopt when `timeout` passes first or the inbox is closed.
  boost::asio::awaitable<std::optional<Datagram>> receive_for(std::chrono::milliseconds timeout);

  /// Forgets the queued datagrams, refuses new ones and wakes a waiting receive() with nullopt.
  /// Idempotent. On the executor.
  void close();

  /// Datagrams queued and not yet received. On the executor.
  [[nodiscard]] std::size_t size() const;
  /// Datagrams dropped because the inbox was full. On the executor.
  [[nodiscard]] std::uint64_t overflowed() const;

 private:
  struct State;
  /// The next datagram of `state`, or nullopt at `deadline` or once closed.
  static boost::asio::awaitable<std::optional<Datagram>> next(
      std::shared_ptr<State> state, std::chrono::steady_clock::time_point deadline);

  std::shared_ptr<State> state_;  // shared with the receivers, which may outlive the inbox
};

}  // namespace ladder::net
