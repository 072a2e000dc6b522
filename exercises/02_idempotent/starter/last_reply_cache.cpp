#include "last_reply_cache.hpp"

#include "exercises/02_idempotent/given/your_code_here.hpp"

namespace ladder::ex02 {

//! [lookup]
// Part 1: the reply remembered for exactly this request (same client, same seq), or nullopt.
std::optional<std::int64_t> LastReplyCache::lookup(
    [[maybe_unused]] const spec::RequestId& request) const {
  your_code_here("part 1: LastReplyCache::lookup must find the reply to a request seen before");
}
//! [lookup]

//! [remember]
// Part 2: remember the request and its reply. Keep one entry per client: the newest.
void LastReplyCache::remember([[maybe_unused]] const spec::RequestId& request,
                              [[maybe_unused]] std::int64_t value) {
  your_code_here("part 2: LastReplyCache::remember must keep each client's latest reply");
}
//! [remember]

std::size_t LastReplyCache::size() const {
  your_code_here("part 2: LastReplyCache::size must count the entries it keeps");
}

}  // namespace ladder::ex02
