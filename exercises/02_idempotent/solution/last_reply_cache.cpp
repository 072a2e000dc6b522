#include "last_reply_cache.hpp"

namespace ladder::ex02 {

//! [lookup]
std::optional<std::int64_t> LastReplyCache::lookup(const spec::RequestId& request) const {
  const auto entry = latest_.find(request.client);
  if (entry == latest_.end() || entry->second.seq != request.seq) return std::nullopt;
  return entry->second.value;
}
//! [lookup]

//! [remember]
void LastReplyCache::remember(const spec::RequestId& request, std::int64_t value) {
  Entry& entry = latest_[request.client];
  // A request older than the one remembered is a straggler; its reply is of no use to anyone.
  if (request.seq < entry.seq) return;
  entry = Entry{.seq = request.seq, .value = value};
}
//! [remember]

std::size_t LastReplyCache::size() const {
  return latest_.size();
}

}  // namespace ladder::ex02
