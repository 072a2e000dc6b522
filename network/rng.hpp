#pragma once
/// \file
/// The seeded pseudo-random generator that every simulated run draws from.

#include <cstdint>

namespace ladder::net {

/// xoshiro256** seeded through splitmix64, with hand-written distributions.
///
/// The standard library's distributions are not used because they differ between
/// implementations: the same seed must give the same run on every machine, compiler
/// and build type. Every method here is specified bit for bit.
class Rng {
 public:
  /// A generator whose whole sequence is determined by `seed`.
  explicit Rng(std::uint64_t seed);

  /// The next 64 raw bits.
  std::uint64_t next();
  /// A uniform integer in [0, bound); precondition: bound > 0. Unbiased (Lemire's method).
  std::uint64_t below(std::uint64_t bound);
  /// A uniform integer in [lo, hi], both included; precondition: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  /// A uniform double in [0, 1) with 53 random bits.
  double unit();
  /// True with probability `p` (p <= 0 never, p >= 1 always).
  bool chance(double p);
  /// An independent generator for a named purpose (e.g. faults vs workload), so that
  /// drawing more numbers for one purpose does not shift the other's sequence.
  [[nodiscard]] Rng fork(std::uint64_t stream) const;

 private:
  std::uint64_t s_[4];
};

}  // namespace ladder::net
