#pragma once
/// \file
/// What exercise 05 hands over: a backup's state and rule A1 (applying the next committed op),
/// so that the exercise is only the Prepare handler itself.

#include <cstdint>

#include "protocol/messages.hpp"

namespace ladder::ex05 {

/// A backup of the primary-backup counter, reduced to what a Prepare touches.
struct Backup {
  protocol::ViewNumber view = 0;  ///< its view; primary(view) sends the Prepares
  protocol::ReplicaId self = 1;   ///< its id; its PrepareOk and GetState go to primary(view)
  protocol::Log log;  ///< the snapshot of ops 1 .. commit_number, then the ops held beyond it
};

/// Rule A1: applies op log.commit_number() + 1 (the suffix's first op) to the snapshot: the
/// counter, the client table, the commit number. Precondition: the suffix is not empty.
void apply_next(protocol::Log& log);

}  // namespace ladder::ex05
