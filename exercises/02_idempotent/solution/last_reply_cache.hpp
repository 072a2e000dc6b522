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
  struct Entry {
    std::uint64_t seq = 0;   // the client's latest request
    std::int64_t value = 0;  // the reply it got
  };
  // A client has at most one request outstanding and numbers them in order, so once it sends
  // seq n + 1 it has given up on n: only the latest request can still be retried.
  std::map<spec::ClientId, Entry> latest_;
};

}  // namespace ladder::ex02
