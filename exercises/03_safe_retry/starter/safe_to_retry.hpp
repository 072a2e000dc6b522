#pragma once
/// \file
/// Exercise 03: which failed calls may be sent again.

#include "level1_rpc/errors.hpp"

namespace ladder::ex03 {

/// True when a call that failed with `error` may be sent again without risk of doing its work
/// twice. `idempotent`: the call does the same whether it runs once or twice (a read, or an add
/// that the server deduplicates by request id, as in exercise 02).
[[nodiscard]] bool safe_to_retry(const level1::RpcError& error, bool idempotent);

}  // namespace ladder::ex03
