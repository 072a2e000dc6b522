#pragma once
/// \file
/// Exercise 09's given helper: whether a replica's log holds a request, in its suffix or already
/// folded into its snapshot.

#include "counter_spec/history.hpp"
#include "protocol/messages.hpp"

namespace ladder::ex09 {

/// True when `log` holds request `id`: among the ops of its suffix, or applied in its snapshot.
/// A client sends request k + 1 only after request k completed, so a client-table record of
/// seq >= k for the same client means k was applied.
bool log_holds(const protocol::Log& log, const spec::RequestId& id);

}  // namespace ladder::ex09
