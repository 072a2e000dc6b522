#include "pn_merge.hpp"

#include <algorithm>
#include <cstddef>

namespace ladder::ex10 {

using level4::pn::Counter;
using level4::pn::kMaxReplicas;

//! [value]
std::int64_t value(const Counter& counter) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < kMaxReplicas; ++i)
    total += std::int64_t{counter.p[i]} - std::int64_t{counter.n[i]};
  return total;
}
//! [value]

//! [merge]
// Entry i only ever grows, and only replica i raises it: the larger of two entries is the newer
// news, and it already includes the older. So the merge is the entry-wise max: commutative
// (order does not matter), associative (grouping does not matter) and idempotent (a duplicate
// changes nothing), which is exactly what reordering, batching and duplicating messages need.
Counter merge(const Counter& mine, const Counter& theirs) {
  Counter merged;
  for (std::size_t i = 0; i < kMaxReplicas; ++i) {
    merged.p[i] = std::max(mine.p[i], theirs.p[i]);
    merged.n[i] = std::max(mine.n[i], theirs.n[i]);
  }
  return merged;
}
//! [merge]

}  // namespace ladder::ex10
