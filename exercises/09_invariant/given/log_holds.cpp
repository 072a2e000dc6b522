#include "exercises/09_invariant/given/log_holds.hpp"

namespace ladder::ex09 {

bool log_holds(const protocol::Log& log, const spec::RequestId& id) {
  for (const protocol::Request& request : log.suffix) {
    if (request.id == id) return true;
  }
  for (const protocol::ClientRecord& record : log.snapshot.clients) {
    if (record.request.client == id.client) return record.request.seq >= id.seq;
  }
  return false;
}

}  // namespace ladder::ex09
