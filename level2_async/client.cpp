#include "level2_async/client.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "protocol/codec.hpp"

namespace ladder::level2 {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> sleep_ms(net::Time ms) {
  if (ms <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// The Reply to `id` in `datagram`, if that is what it holds; anything else is a late duplicate
// or noise (C3).
std::optional<protocol::Reply> reply_to(const net::Datagram& datagram, spec::RequestId id) {
  const protocol::DecodeResult decoded = protocol::decode(datagram.payload);
  if (!decoded) return std::nullopt;
  const auto* reply = std::get_if<protocol::Reply>(&decoded.message());
  if (reply == nullptr || reply->id != id) return std::nullopt;
  return *reply;
}

}  // namespace

asio::awaitable<void> run_client(ClientOptions options, net::Inbox& inbox, Send send, Clock clock,
                                 Note note, spec::History& history) {
  assert(options.config.valid() && options.give_up_ms > 0);
  assert(options.index >= 0 && options.index < options.topology.clients);
  const auto self = static_cast<spec::ClientId>(options.index);
  const int n = options.config.replicas;
  protocol::ReplicaId target = 0;  // C1: whom we believe is primary; replica 0 at first
  std::uint64_t seq = 0;
  for (const net::PlannedOp& op : options.ops) {
    co_await sleep_ms(op.think_ms);
    const protocol::Request request{{self, ++seq},
                                    op.read ? protocol::Op::read() : protocol::Op::add(op.delta)};
    history.invoke(clock(), self, request.op.kind, request.op.delta, request.id);
    if (note)
      note(
          fmt::format("invoke {} {}", spec::to_string(request.id), protocol::describe(request.op)));
    const net::Time deadline = clock() + options.give_up_ms;
    const std::string body = protocol::encode(request);
    send(options.topology.replica(static_cast<int>(target)), body, net::MessageClass::request);
    net::Time retry_at = clock() + options.config.client_retry_ms;
    std::optional<protocol::Reply> reply;
    while (!reply && clock() < deadline) {
      const net::Time wait = std::max<net::Time>(1, std::min(retry_at, deadline) - clock());
      const std::optional<net::Datagram> datagram =
          co_await inbox.receive_for(std::chrono::milliseconds(wait));
      if (datagram) {
        reply = reply_to(*datagram, request.id);
      } else if (clock() >= retry_at && clock() < deadline) {
        // C2: the same request, same id, to the next replica.
        target = static_cast<protocol::ReplicaId>((target + 1) % static_cast<unsigned>(n));
        send(options.topology.replica(static_cast<int>(target)), body, net::MessageClass::request);
        retry_at = clock() + options.config.client_retry_ms;
      }
    }
    if (reply) {
      // C3: done; the view names the primary to ask next time.
      target = options.config.primary(reply->view);
      // A read reports the value it read; for an add the history needs only that it happened.
      history.ok(clock(), self, op.read ? reply->value : 0);
      if (note) note(fmt::format("ok {} ={}", spec::to_string(request.id), reply->value));
      if (options.after_ok) options.after_ok();
    } else {
      // C4: give up. The request may still sit in some log and be applied: the outcome is info.
      history.info(clock(), self);
      if (note) note(fmt::format("gave up on {}: outcome unknown", spec::to_string(request.id)));
    }
  }
}

}  // namespace ladder::level2
