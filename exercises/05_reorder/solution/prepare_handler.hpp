#pragma once
/// \file
/// Exercise 05: a backup's Prepare handler that stays correct when the network duplicates and
/// reorders (rule N3 of docs/protocol.md).

#include <vector>

#include "exercises/05_reorder/given/apply.hpp"
#include "protocol/messages.hpp"

namespace ladder::ex05 {

/// Handles one Prepare at `backup` and returns the messages to send to its primary (PrepareOk or
/// GetState). Prepares may arrive twice, late, or before the ones they follow.
std::vector<protocol::Message> on_prepare(Backup& backup, const protocol::Prepare& prepare);

}  // namespace ladder::ex05
