/// \file
/// xoshiro256** (Blackman and Vigna, 2018) with splitmix64 seeding, and the distributions built on
/// it. Every function is written out so that a seed means the same numbers everywhere.

#include "network/rng.hpp"

#include <cassert>

namespace ladder::net {
namespace {

// splitmix64 (Steele, Lea and Flood): spreads a seed's bits so that nearby seeds such as 1 and 2
// still give unrelated xoshiro states, and never yields the all-zero state from four draws.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15U);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9U;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebU;
  return z ^ (z >> 31U);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
}

// g++ and clang both provide 128-bit integers; `__extension__` keeps -Wpedantic quiet about it.
__extension__ using Uint128 = unsigned __int128;

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) {
    word = splitmix64(state);
  }
  assert((s_[0] | s_[1] | s_[2] | s_[3]) != 0 && "xoshiro must not start from the zero state");
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17U;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  assert(bound > 0 && "below(0) has no possible result");
  // Lemire, "Fast Random Integer Generation in an Interval" (2019): the high word of x * bound is
  // uniform in [0, bound) once the few low words that would favour some results are rejected.
  Uint128 product = static_cast<Uint128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    while (low < threshold) {
      product = static_cast<Uint128>(next()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  const auto result = static_cast<std::uint64_t>(product >> 64U);
  assert(result < bound);
  return result;
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  assert(lo <= hi && "between(lo, hi) needs lo <= hi");
  // Unsigned arithmetic: hi - lo may not fit in int64 (e.g. the full range).
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
  const std::uint64_t offset = span == 0 ? next() : below(span);  // span 0: all 2^64 values
  const auto result = static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
  assert(lo <= result && result <= hi);
  return result;
}

double Rng::unit() {
  // The top 53 bits fill a double's mantissa exactly: every result is a multiple of 2^-53.
  const double result = static_cast<double>(next() >> 11U) * 0x1.0p-53;
  assert(0.0 <= result && result < 1.0);
  return result;
}

bool Rng::chance(double p) {
  // Certain outcomes draw nothing, so a fault that is switched off costs nothing and leaves the
  // sequence of the other draws as it was.
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return unit() < p;
}

Rng Rng::fork(std::uint64_t stream) const {
  // Mix the whole state with the stream number, then let splitmix64 (in the constructor) spread
  // the result: forks of one parent with different streams, and forks of different parents,
  // share no visible structure.
  std::uint64_t mix = stream;
  std::uint64_t seed = splitmix64(mix);
  seed ^= s_[0] ^ rotl(s_[1], 17) ^ rotl(s_[2], 31) ^ rotl(s_[3], 47);
  return Rng(seed);
}

}  // namespace ladder::net
