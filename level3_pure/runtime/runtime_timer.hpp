#pragma once
/// \file
/// A one-shot timer on an io_context that can be re-armed and cancelled without races: the
/// runtime's implementation of the core's named timers (action.hpp, duty 3: SetTimer replaces,
/// CancelTimer disarms, a timer that fires is disarmed).
///
/// Asio's steady_timer alone is not enough: cancel() cannot stop a completion that is already
/// queued, so a timer cancelled (or re-armed) just as it expired would still fire. Each arming
/// gets a generation number; a completion whose generation is not the current one is stale and
/// does nothing. The number lives in a shared block that queued completions hold, so a completion
/// that runs after its OneShot was destroyed does nothing either.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>  // before Asio's headers, which forget it in Boost 1.74

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ladder::level3 {

/// One named timer: arm() replaces, cancel() disarms, and firing disarms.
class OneShot {
 public:
  /// A disarmed timer whose completions run on `executor`.
  explicit OneShot(const boost::asio::any_io_executor& executor)
      : timer_(executor), generation_(std::make_shared<std::uint64_t>(0)) {}
  /// Disarms: a completion still queued does nothing.
  ~OneShot() { cancel(); }
  OneShot(const OneShot&) = delete;
  OneShot& operator=(const OneShot&) = delete;

  /// Arms the timer to call `fire` once, `after` from now, replacing an armed one.
  void arm(std::chrono::steady_clock::duration after, std::function<void()> fire) {
    const std::uint64_t mine = ++*generation_;
    armed_ = true;
    timer_.expires_after(after);
    timer_.async_wait([generation = generation_, mine, this,
                       fire = std::move(fire)](const boost::system::error_code& ec) {
      if (ec || *generation != mine) return;  // cancelled, re-armed, or destroyed meanwhile
      armed_ = false;
      fire();
    });
  }
  /// Disarms the timer (nothing if it is not armed).
  void cancel() {
    ++*generation_;
    armed_ = false;
    timer_.cancel();
  }
  /// True from arm() until it fires or is cancelled.
  [[nodiscard]] bool armed() const { return armed_; }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<std::uint64_t> generation_;
  bool armed_ = false;
};

}  // namespace ladder::level3
