#pragma once
/// \file
/// Two helpers for a component that runs an io_context on a thread of its own (UdpNetwork's
/// injector, FaultProxy): call into that thread and wait, and let a coroutine's failure end the
/// thread loudly. Internal to network/.

#include <exception>
#include <future>
#include <memory>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace ladder::net::detail {

/// Runs `action` on the thread that runs `io` and waits until it has run; an exception it
/// throws is rethrown here, in the caller. Called on that thread already, it runs `action` at
/// once (posting and waiting would wait for itself).
///
/// Precondition: a thread is running `io` and keeps running it until `action` has run (a work
/// guard holds it); otherwise the wait never ends. A caller whose io_context may not run yet
/// checks that first.
template <class Action>
void run_on_io(boost::asio::io_context& io, Action&& action) {
  if (io.get_executor().running_in_this_thread()) {
    std::forward<Action>(action)();
    return;
  }
  // The exception travels beside the promise, not through set_exception(): the io thread
  // stores it and leaves its catch block (dropping its own reference) before set_value() wakes
  // the caller, so the caller holds the last reference and the exception dies on the caller's
  // thread. Through set_exception(), the io thread would drop its reference after waking the
  // caller and might destroy the exception itself; that is safe, but only through libstdc++'s
  // internal reference count, which the thread sanitizer cannot see, so it reports a race.
  std::exception_ptr error;
  // Shared with the handler, so that the promise outlives set_value() even if the caller wakes,
  // returns and unwinds this frame before set_value() itself has returned.
  const auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  boost::asio::post(io, [&action, &error, done] {
    try {
      action();
    } catch (...) {
      error = std::current_exception();
    }
    done->set_value();
  });
  finished.get();
  if (error) std::rethrow_exception(error);
}

/// The completion handler for co_spawn: rethrows what escaped the coroutine, so that a bug ends
/// the io_context's thread loudly (std::terminate) instead of leaving a socket unread or a
/// connection half alive, as boost::asio::detached would.
inline void rethrow(const std::exception_ptr& error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace ladder::net::detail
