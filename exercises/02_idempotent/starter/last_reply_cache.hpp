#pragma once
/// \file
/// Exercise 02: a reply cache that remembers, for each client, its latest request and the reply
/// it got — enough to answer a retry without applying it twice.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "counter_spec/history.hpp"
#include "level1_rpc/reply_cache.hpp"

namespace ladder::ex02 {

/// A level1::ReplyCache holding one entry per client: the latest request seen from it and the
/// counter value that answered it.
class LastReplyCache : public level1::ReplyCache {
 public:
  /// The reply to `request`, if it is the latest request remembered for its client.
  [[nodiscard]] std::optional<std::int64_t> lookup(const spec::RequestId& request) const override;
  /// Remembers `request` and its reply `value`, replacing the client's older entry.
  void remember(const spec::RequestId& request, std::int64_t value) override;
  /// The number of entries: at most one per client.
  [[nodiscard]] std::size_t size() const override;

 private:
  // Yours to choose. One entry per client is enough: why? (See the README.)
};

}  // namespace ladder::ex02
