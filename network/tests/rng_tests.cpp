// The generator behind every simulated run. Its outputs are fixed numbers: the expected values
// below were computed with an independent Python transcription of xoshiro256** and splitmix64,
// so a change of compiler, build type or machine that changes a single bit fails here first.

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "network/rng.hpp"

using ladder::net::Rng;

TEST_CASE("Rng gives the reference xoshiro256** outputs for fixed seeds", "[rng]") {
  struct Golden {
    std::uint64_t seed;
    std::array<std::uint64_t, 3> first;
  };
  const std::array<Golden, 3> goldens = {{
      {0, {0x99ec5f36cb75f2b4U, 0xbf6e1f784956452aU, 0x1a5f849d4933e6e0U}},
      {1, {0xb3f2af6d0fc710c5U, 0x853b559647364ceaU, 0x92f89756082a4514U}},
      {42, {0x15780b2e0c2ec716U, 0x6104d9866d113a7eU, 0xae17533239e499a1U}},
  }};
  for (const auto& golden : goldens) {
    Rng rng(golden.seed);
    for (const std::uint64_t expected : golden.first) {
      CHECK(rng.next() == expected);
    }
  }
}

TEST_CASE("Rng::below follows Lemire's method draw for draw", "[rng]") {
  Rng small(7);
  std::vector<std::uint64_t> digits;
  for (int i = 0; i < 10; ++i)
    digits.push_back(small.below(10));
  CHECK(digits == std::vector<std::uint64_t>{7, 2, 8, 9, 9, 8, 0, 1, 4, 1});

  // A bound of 3 * 2^62 rejects a quarter of all draws: the rejection loop must match too.
  Rng big(7);
  const std::uint64_t bound = 3 * (std::uint64_t{1} << 62U);
  CHECK(big.below(bound) == 9692516303121356995U);
  CHECK(big.below(bound) == 3856539442751087005U);
  CHECK(big.below(bound) == 11616294679869479728U);
}

TEST_CASE("Rng::below is uniform over a small range", "[rng]") {
  Rng rng(2024);
  constexpr int kDraws = 60'000;
  std::array<int, 6> counts{};
  for (int i = 0; i < kDraws; ++i)
    ++counts.at(rng.below(6));
  // Each face: n = 60000, p = 1/6, sigma = sqrt(n p (1-p)) ~ 91; allow 5 sigma.
  for (const int count : counts) {
    CHECK(count > 10'000 - 456);
    CHECK(count < 10'000 + 456);
  }
}

TEST_CASE("Rng::between covers both ends and nothing outside", "[rng]") {
  Rng rng(5);
  bool saw_lo = false;
  bool saw_hi = false;
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t v = rng.between(-3, 3);
    REQUIRE(v >= -3);
    REQUIRE(v <= 3);
    saw_lo = saw_lo || v == -3;
    saw_hi = saw_hi || v == 3;
  }
  CHECK(saw_lo);
  CHECK(saw_hi);
  CHECK(rng.between(9, 9) == 9);
  // The full int64 range (a span of 2^64, which wraps to 0) takes the raw 64 bits.
  Rng full(6);
  Rng raw(6);
  CHECK(full.between(INT64_MIN, INT64_MAX) ==
        static_cast<std::int64_t>(raw.next() + static_cast<std::uint64_t>(INT64_MIN)));
}

TEST_CASE("Rng::unit uses 53 bits and stays within 0 to 1, 1 excluded", "[rng]") {
  Rng rng(7);
  CHECK(rng.unit() == 0.7005764821796896);
  CHECK(rng.unit() == 0.2787512294737843);
  Rng many(8);
  for (int i = 0; i < 10'000; ++i) {
    const double u = many.unit();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
}

TEST_CASE("Rng::chance is never for p <= 0, always for p >= 1, and draws nothing then", "[rng]") {
  Rng rng(11);
  Rng untouched(11);
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(rng.chance(0.0));
    CHECK_FALSE(rng.chance(-1.0));
    CHECK(rng.chance(1.0));
    CHECK(rng.chance(2.0));
  }
  CHECK(rng.next() == untouched.next());
}

TEST_CASE("Rng::fork gives reference streams and leaves the parent where it was", "[rng]") {
  const Rng parent(7);
  Rng first = parent.fork(1);
  CHECK(first.next() == 0xc03a57febe5314dfU);
  CHECK(first.next() == 0x31dd813488951954U);
  Rng second = parent.fork(2);
  CHECK(second.next() == 0x108f030b32cf45caU);
  CHECK(second.next() == 0xa44987cc77fafa28U);
  // fork is const: the parent's own sequence is untouched.
  Rng copy = parent;
  CHECK(copy.next() == Rng(7).next());
}
