#pragma once
/// \file
/// The scheduling hint the real servers take (level 1's RPC threads, level 3's `ladder node`):
/// Linux's SCHED_BATCH policy for the thread that serves.
///
/// On loopback the thread that sends a message and the one woken to handle it usually share a
/// core. Under the default policy the woken thread preempts the sender at once, in the middle of
/// its work: a level 1 primary between its sends to two backups, a level 3 primary in the middle
/// of answering fifty RESP clients. A SCHED_BATCH thread waits for the running one to block (or
/// for the tick), so every hop costs one context switch instead of two or three
/// (bench/RESULTS.md). It is a hint: correctness never depends on it.

#include <string>

namespace ladder::net {

/// Puts the calling thread under SCHED_BATCH. Returns false where the kernel refuses it (or has no
/// such policy); the thread then keeps its policy, which serves the same work with more switches.
bool use_batch_scheduling();

/// The calling thread's policy, for INFO lines and tests: "batch", "default" (SCHED_OTHER), or
/// "other" for any other policy.
std::string scheduling_policy();

}  // namespace ladder::net
