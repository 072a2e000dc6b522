#pragma once
/// \file
/// The extension point that makes a retried add harmless: a replica that remembers what it
/// answered, and answers a request it has seen before without applying it again.
///
/// Level 1's replicas log every request id they apply but never look at the log, so a retry
/// applies an add twice. A ReplyCache is that look. Level 1 itself runs without one (that is the
/// bug the tour shows); exercise 02 writes one, and RunOptions::make_reply_cache plugs it in.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "counter_spec/history.hpp"

namespace ladder::level1 {

/// What a replica consults before it applies an add (as the primary) or an apply (as a backup),
/// and updates after. A replica holds one cache and calls it with the replica's lock held, so an
/// implementation needs no locking of its own. A restarted replica starts with a fresh cache: it
/// lives in memory, like the counter.
class ReplyCache {
 public:
  virtual ~ReplyCache() = default;
  /// The counter value that was the reply to `request`, if this cache remembers that request.
  [[nodiscard]] virtual std::optional<std::int64_t> lookup(
      const spec::RequestId& request) const = 0;
  /// Remembers that `request` was applied and answered with `value`.
  virtual void remember(const spec::RequestId& request, std::int64_t value) = 0;
  /// How many requests the cache holds now: its memory, which should stay bounded.
  [[nodiscard]] virtual std::size_t size() const = 0;

 protected:
  /// Only derived classes make caches.
  ReplyCache() = default;
  /// Derived classes may be copied.
  ReplyCache(const ReplyCache&) = default;
  /// Derived classes may be assigned.
  ReplyCache& operator=(const ReplyCache&) = default;
};

}  // namespace ladder::level1
