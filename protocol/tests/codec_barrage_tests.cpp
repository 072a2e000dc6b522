/// \file
/// A seeded barrage of 100,000 hostile inputs: random bytes and mutations of valid messages. The
/// decoder must never crash or read out of bounds (the asan preset checks that), must report an
/// error that points inside the input, and must accept only canonical bodies: whatever it accepts
/// encodes back to the same bytes.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "network/frame.hpp"
#include "network/rng.hpp"
#include "protocol/codec.hpp"
#include "protocol/tests/sample_messages.hpp"

namespace ladder::protocol {
namespace {

constexpr std::uint64_t kSeed = 1789;
constexpr int kInputs = 100'000;

// Random bytes, biased towards short inputs and small byte values, where the type byte and the
// varints' boundaries are.
std::string random_bytes(net::Rng& rng) {
  const auto length = rng.chance(0.8) ? rng.below(16) : rng.below(512);
  std::string out;
  for (std::uint64_t i = 0; i < length; ++i) {
    const auto value = rng.chance(0.5) ? rng.below(16) : rng.below(256);
    out.push_back(static_cast<char>(value));
  }
  return out;
}

// A valid body changed in one to four places: a byte flipped, replaced, inserted or deleted, the
// body cut short, or a piece of another body spliced in.
std::string mutated(net::Rng& rng, const std::vector<std::string>& corpus) {
  std::string body = corpus[rng.below(corpus.size())];
  const auto mutations = 1 + rng.below(4);
  for (std::uint64_t m = 0; m < mutations; ++m) {
    const std::size_t at = body.empty() ? 0 : rng.below(body.size());
    switch (rng.below(6)) {
      case 0:
        if (!body.empty()) body[at] = static_cast<char>(body[at] ^ (1 << rng.below(8)));
        break;
      case 1:
        if (!body.empty()) body[at] = static_cast<char>(rng.below(256));
        break;
      case 2:
        body.insert(at, 1, static_cast<char>(rng.below(256)));
        break;
      case 3:
        if (!body.empty()) body.erase(at, 1);
        break;
      case 4:
        body.resize(at);
        break;
      default: {
        const std::string& other = corpus[rng.below(corpus.size())];
        const std::size_t from = rng.below(other.size());
        body.insert(at, other, from, rng.below(other.size() - from + 1));
        break;
      }
    }
  }
  return body;
}

std::vector<std::string> corpus(net::Rng& rng) {
  std::vector<std::string> bodies;
  for (const auto& messages : {test::sample_messages(), test::extreme_messages()}) {
    for (const Message& message : messages)
      bodies.push_back(encode(message));
  }
  for (int i = 0; i < 200; ++i)
    bodies.push_back(encode(test::random_message(rng)));
  return bodies;
}

TEST_CASE("100,000 random and mutated bodies never crash the decoder", "[codec][barrage]") {
  net::Rng rng(kSeed);
  const std::vector<std::string> bodies = corpus(rng);
  int accepted = 0;
  int rejected = 0;
  for (int i = 0; i < kInputs; ++i) {
    const std::string input = rng.chance(0.3) ? random_bytes(rng) : mutated(rng, bodies);
    const DecodeResult result = decode(input);
    if (result) {
      ++accepted;
      // Canonical: the only body of this message is the input itself.
      if (encode(result.message()) != input) {
        FAIL("seed " << kSeed << ", input " << i << ": accepted a non-canonical body for "
                     << describe(result.message()));
      }
    } else {
      ++rejected;
      const DecodeError& error = result.error();
      if (error.offset > input.size() || error.message.empty()) {
        FAIL("seed " << kSeed << ", input " << i << ": error outside the input: " << error.message);
      }
    }
  }
  // Both outcomes must occur, or the barrage tested only one path of the decoder.
  CHECK(accepted > 1'000);
  CHECK(rejected > 10'000);
  CHECK(accepted + rejected == kInputs);
}

TEST_CASE("mutated datagrams never crash decode_datagram", "[codec][barrage]") {
  net::Rng rng(kSeed + 1);
  std::vector<std::string> datagrams;
  for (const std::string& body : corpus(rng))
    datagrams.push_back(net::encode_frame(body));
  int accepted = 0;
  for (int i = 0; i < kInputs / 10; ++i) {
    const std::string input = mutated(rng, datagrams);
    const DecodeResult result = decode_datagram(input);
    if (result) {
      ++accepted;
      if (encode_datagram(result.message()) != input) {
        FAIL("seed " << kSeed + 1 << ", input " << i << ": accepted a non-canonical datagram");
      }
    } else if (result.error().offset > input.size()) {
      FAIL("seed " << kSeed + 1 << ", input " << i
                   << ": error outside the input: " << result.error().message);
    }
  }
  CHECK(accepted > 100);
}

}  // namespace
}  // namespace ladder::protocol
