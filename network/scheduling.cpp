/// \file
/// SCHED_BATCH for the serving threads (scheduling.hpp).

#include "network/scheduling.hpp"

#include <sched.h>

namespace ladder::net {

bool use_batch_scheduling() {
#ifdef SCHED_BATCH
  const sched_param param{.sched_priority = 0};
  return ::sched_setscheduler(0, SCHED_BATCH, &param) == 0;
#else
  return false;
#endif
}

std::string scheduling_policy() {
  const int policy = ::sched_getscheduler(0);
#ifdef SCHED_BATCH
  if (policy == SCHED_BATCH) return "batch";
#endif
  return policy == SCHED_OTHER ? "default" : "other";
}

}  // namespace ladder::net
