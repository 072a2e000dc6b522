/// \file
/// Inbox on Asio: a deque and a timer that never expires on its own, used as a condition
/// variable. A waiting receive() sleeps on the timer; a datagram's arrival cancels the timer,
/// which wakes it. Both run on the node's executor, one at a time, so nothing is lost between
/// "the queue is empty" and "wait".

#include "network/inbox.hpp"

#include <cassert>
#include <deque>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ladder::net {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct Inbox::State {
  State(asio::any_io_executor executor, std::size_t max_size)
      : wake(std::move(executor)), capacity(max_size) {}

  asio::steady_timer wake;  // cancelled to wake the waiting receive()
  std::deque<Datagram> queue;
  std::size_t capacity;
  std::uint64_t overflowed = 0;
  bool closed = false;
  bool waiting = false;  // a receive() is suspended on `wake`

  void push(Datagram datagram) {
    if (closed) return;
    if (queue.size() >= capacity) {
      ++overflowed;
      return;
    }
    queue.push_back(std::move(datagram));
    wake.cancel();
  }
};

// Holding the state keeps it alive while suspended, even if the Inbox is destroyed meanwhile.
asio::awaitable<std::optional<Datagram>> Inbox::next(std::shared_ptr<State> state,
                                                     Clock::time_point deadline) {
  assert(!state->waiting && "only one coroutine may wait on an inbox at a time");
  while (state->queue.empty() && !state->closed) {
    if (Clock::now() >= deadline) co_return std::nullopt;
    state->wake.expires_at(deadline);
    state->waiting = true;
    boost::system::error_code ec;  // operation_aborted: woken by a datagram or close()
    co_await state->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    state->waiting = false;
  }
  if (state->closed) co_return std::nullopt;
  Datagram datagram = std::move(state->queue.front());
  state->queue.pop_front();
  co_return datagram;
}

Inbox::Inbox(asio::any_io_executor executor, std::size_t capacity)
    : state_(std::make_shared<State>(std::move(executor), capacity)) {
  assert(capacity >= 1 && "an inbox holds at least one datagram");
}

Inbox::~Inbox() = default;

Receiver Inbox::receiver() const {
  std::weak_ptr<State> weak = state_;
  asio::any_io_executor executor = state_->wake.get_executor();
  return [weak = std::move(weak), executor = std::move(executor)](Datagram datagram) {
    asio::post(executor, [weak, datagram = std::move(datagram)]() mutable {
      if (const auto state = weak.lock()) state->push(std::move(datagram));
    });
  };
}

asio::awaitable<std::optional<Datagram>> Inbox::receive() {
  return next(state_, Clock::time_point::max());
}

asio::awaitable<std::optional<Datagram>> Inbox::receive_for(std::chrono::milliseconds timeout) {
  assert(timeout.count() >= 0 && "a timeout cannot be negative");
  return next(state_, Clock::now() + timeout);
}

void Inbox::close() {
  state_->closed = true;
  state_->queue.clear();
  state_->wake.cancel();
}

std::size_t Inbox::size() const {
  return state_->queue.size();
}

std::uint64_t Inbox::overflowed() const {
  return state_->overflowed;
}

}  // namespace ladder::net
