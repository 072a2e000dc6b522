#include "pn_merge.hpp"

#include <algorithm>
#include <cstddef>

#include "exercises/10_pn_counter/given/your_code_here.hpp"

namespace ladder::ex10 {

using level4::pn::Counter;
using level4::pn::kMaxReplicas;

//! [value]
// counter.p[i] is what replica i added, counter.n[i] what it subtracted (as far as this replica
// knows). The value is the sum of the one minus the sum of the other.
std::int64_t value([[maybe_unused]] const Counter& counter) {
  your_code_here("part 1: value must return the increments minus the decrements");
}
//! [value]

//! [merge]
// Both counters are what two replicas know of the same adds. Entry i of each counts replica i's
// adds, and only replica i ever raises it. What single number for entry i is right, whichever of
// the two is older, and even if one of them has already merged the other?
Counter merge([[maybe_unused]] const Counter& mine, [[maybe_unused]] const Counter& theirs) {
  your_code_here("part 2: merge must combine two counters so that every add counts once");
}
//! [merge]

}  // namespace ladder::ex10
