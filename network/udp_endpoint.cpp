/// \file
/// One process's UDP socket: non-blocking sends through the plan's message faults, and batched
/// non-blocking reads.

#include "network/udp_endpoint.hpp"

#include <cassert>
#include <chrono>

#include <boost/asio/socket_base.hpp>

#include "network/detail/message_faults.hpp"
#include "network/udp_network.hpp"  // kMaxUdpBodyBytes

namespace ladder::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

/// Asked of the kernel, so that a burst from 50 clients does not overflow the receive buffer
/// between two drains. The kernel may grant less (net.core.rmem_max).
constexpr int kSocketBufferBytes = 4 << 20;

}  // namespace

UdpEndpoint::UdpEndpoint(asio::io_context& io, const Address& bind, std::optional<FaultPlan> plan,
                         std::uint64_t seed)
    : socket_(io),
      plan_(std::move(plan)),
      rng_(seed),
      buffer_(kFrameHeaderBytes + kMaxUdpBodyBytes + 1) {
  if (plan_) detail::assert_plan_fits(*plan_, /*node_count=*/1);
  socket_.open(bind.protocol());
  error_code ignored;  // a smaller buffer than asked for still works
  socket_.set_option(asio::socket_base::receive_buffer_size(kSocketBufferBytes), ignored);
  socket_.set_option(asio::socket_base::send_buffer_size(kSocketBufferBytes), ignored);
  socket_.bind(bind);
  socket_.non_blocking(true);
  local_ = socket_.local_endpoint();
}

UdpEndpoint::~UdpEndpoint() {
  close();
}

void UdpEndpoint::send(const Address& to, std::string datagram, MessageClass cls) {
  ++stats_.sent;
  if (!plan_) {
    transmit(to, datagram);
    return;
  }
  const detail::MessageFate fate = detail::draw_message_fate(rng_, *plan_, cls);
  if (!fate.drop_reason.empty()) {
    ++stats_.dropped;
    return;
  }
  auto shared = std::make_shared<const std::string>(std::move(datagram));
  if (fate.copy_delay_ms) {
    ++stats_.duplicated;
    hold(to, shared, *fate.copy_delay_ms);
  }
  hold(to, std::move(shared), fate.delay_ms);
}

void UdpEndpoint::hold(const Address& to, std::shared_ptr<const std::string> datagram,
                       Time delay_ms) {
  if (delay_ms == 0) {
    transmit(to, *datagram);
    return;
  }
  const std::uint64_t id = next_hold_++;
  auto& timer = held_.try_emplace(id, socket_.get_executor(), std::chrono::milliseconds(delay_ms))
                    .first->second;
  timer.async_wait([this, id, to, datagram = std::move(datagram)](error_code ec) {
    if (ec) return;  // cancelled by close(), which also emptied held_
    held_.erase(id);
    transmit(to, *datagram);
  });
}

void UdpEndpoint::transmit(const Address& to, const std::string& datagram) {
  if (!socket_.is_open()) return;
  error_code ec;
  socket_.send_to(asio::buffer(datagram), to, 0, ec);
  if (ec) {
    ++stats_.wire_errors;  // e.g. a full send buffer: UDP may lose it, and so may we
    return;
  }
  ++stats_.wire_sent;
}

std::size_t UdpEndpoint::drain(std::size_t max, const OnDatagram& on) {
  std::size_t count = 0;
  while (count < max && socket_.is_open()) {
    Address source;
    error_code ec;
    const std::size_t n = socket_.receive_from(asio::buffer(buffer_), source, 0, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    // An ICMP "port unreachable" for an earlier send is reported here: nothing was read.
    if (ec == asio::error::connection_refused) continue;
    if (ec) break;
    ++count;
    ++stats_.received;
    on(source, std::string_view(buffer_.data(), n));
  }
  return count;
}

void UdpEndpoint::wait_readable(std::function<void(bool)> ready) {
  assert(ready && "wait_readable needs a handler");
  socket_.async_wait(asio::socket_base::wait_read,
                     [ready = std::move(ready)](error_code ec) { ready(!ec); });
}

void UdpEndpoint::close() {
  error_code ignored;
  socket_.close(ignored);
  for (auto& [id, timer] : held_)
    timer.cancel();
  held_.clear();
}

}  // namespace ladder::net
