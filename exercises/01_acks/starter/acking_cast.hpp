#pragma once
/// \file
/// Exercise 01's cast: AckingReplica for every replica and AckingClient for every client, ready
/// for level0::run_counter.

#include "acking_client.hpp"
#include "level0/harness.hpp"

namespace ladder::ex01 {

/// The cast of exercise 01; `retry` is handed to every client.
[[nodiscard]] level0::Cast acking_cast(RetryPolicy retry = {});

}  // namespace ladder::ex01
