#pragma once
/// \file
/// Internal to the checkers: a history's adds, one per request, which is what the bounds count.

#include <cstdint>
#include <optional>
#include <vector>

#include "counter_spec/history.hpp"

namespace ladder::spec::detail {

/// One add as the checkers count it. A client that retries a request under the same request id
/// records one operation per attempt, but the request is a single add: it may take effect once,
/// so it counts once (ok when some attempt was acknowledged, failed when every attempt failed).
struct Add {
  std::int64_t delta = 0;              ///< the delta every attempt carried
  Outcome outcome = Outcome::pending;  ///< ok, fail, or info/pending for "might have happened"
  Time invoked = 0;                    ///< the first attempt's invoke
  std::optional<Time> acknowledged;    ///< when the ok attempt completed (outcome ok only)
  Operation op;                        ///< the attempt that decided the outcome, for evidence

  /// True when it might have taken effect: ok, info or pending.
  [[nodiscard]] bool maybe_happened() const { return outcome != Outcome::fail; }
  /// True when it might have happened but was not acknowledged: info or pending.
  [[nodiscard]] bool unknown() const { return maybe_happened() && outcome != Outcome::ok; }
};

/// The history's adds, attempts of one request merged, ordered by their first invoke.
std::vector<Add> adds_of(const std::vector<Operation>& operations);

/// The acknowledged adds' sum and the range an unknown add could move it in.
struct Bounds {
  std::int64_t acknowledged = 0;  ///< Σ delta over the acknowledged adds
  std::int64_t lower = 0;         ///< acknowledged + Σ min(0, delta) over the unknown adds
  std::int64_t upper = 0;         ///< acknowledged + Σ max(0, delta) over the unknown adds
};

/// The bounds on the final value that `adds` allow.
Bounds final_bounds(const std::vector<Add>& adds);

}  // namespace ladder::spec::detail
