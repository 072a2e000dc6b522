#include "exercises/08_pure_step/given/primary.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace ladder::ex08 {

protocol::ClientRecord apply_next(protocol::Log& log) {
  assert(!log.suffix.empty() && "apply_next() with no op to apply");
  const protocol::Request request = log.suffix.front();
  log.suffix.erase(log.suffix.begin());
  protocol::Snapshot& snapshot = log.snapshot;
  snapshot.commit_number += 1;
  if (request.op.kind == spec::OpKind::add) {
    // Wrapping addition, as the counter's specification defines it (no signed overflow).
    snapshot.value = static_cast<std::int64_t>(static_cast<std::uint64_t>(snapshot.value) +
                                               static_cast<std::uint64_t>(request.op.delta));
  }
  auto& clients = snapshot.clients;
  const auto at = std::lower_bound(
      clients.begin(), clients.end(), request.id.client,
      [](const protocol::ClientRecord& r, spec::ClientId c) { return r.request.client < c; });
  const protocol::ClientRecord record{request.id, snapshot.value};
  if (at != clients.end() && at->request.client == request.id.client) {
    assert(request.id.seq > at->request.seq && "I5: a request is applied at most once");
    *at = record;
  } else {
    clients.insert(at, record);
  }
  return record;
}

}  // namespace ladder::ex08
