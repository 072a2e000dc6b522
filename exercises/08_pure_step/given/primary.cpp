#include "exercises/08_pure_step/given/primary.hpp"

#include <cassert>

#include "protocol/apply.hpp"

namespace ladder::ex08 {

protocol::ClientRecord apply_next(protocol::Log& log) {
  assert(!log.suffix.empty() && "apply_next() with no op to apply");
  const protocol::Applied applied = protocol::apply_next_op(log);
  assert(applied.i5_held && "I5: a request is applied at most once");
  return applied.record;
}

}  // namespace ladder::ex08
