#include "exercises/05_reorder/given/apply.hpp"

#include <cassert>

#include "protocol/apply.hpp"

namespace ladder::ex05 {

void apply_next(protocol::Log& log) {
  assert(!log.suffix.empty() && "apply_next() with no op to apply");
  const protocol::Applied applied = protocol::apply_next_op(log);
  assert(applied.i5_held && "I5: a request is applied at most once");
  (void)applied;
}

}  // namespace ladder::ex05
