/// \file
/// The codec gives back what it was given: every message type, ordinary and extreme, exact bytes
/// for a few messages, and random valid messages from a seeded generator.

#include <catch2/catch.hpp>

#include <string>

#include "network/frame.hpp"
#include "network/rng.hpp"
#include "protocol/codec.hpp"
#include "protocol/tests/sample_messages.hpp"

namespace ladder::protocol {
namespace {

using test::bytes;

Message round_trip(const Message& message) {
  const DecodeResult result = decode(encode(message));
  INFO(describe(message));
  if (!result) FAIL("decode failed: " << result.error().message);
  return result.message();
}

TEST_CASE("every sample message decodes to itself", "[codec]") {
  for (const Message& message : test::sample_messages()) {
    CHECK(round_trip(message) == message);
  }
}

TEST_CASE("every message type at its extreme values decodes to itself", "[codec]") {
  for (const Message& message : test::extreme_messages()) {
    CHECK(round_trip(message) == message);
  }
}

TEST_CASE("the type byte is the variant's index plus one", "[codec]") {
  const auto messages = test::sample_messages();
  REQUIRE(messages.size() == 12);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string body = encode(messages[i]);
    CHECK(static_cast<std::size_t>(static_cast<unsigned char>(body[0])) == i + 1);
    CHECK(static_cast<std::size_t>(type_of(messages[i])) == i + 1);
  }
}

TEST_CASE("a Commit's body is the one the header's example shows", "[codec]") {
  CHECK(encode(Commit{1, 300}) == bytes({0x05, 0x01, 0xac, 0x02}));
}

TEST_CASE("varints take the shortest form at every width boundary", "[codec]") {
  // Commit{view, 0}: type byte, view, then one zero byte for the commit number.
  CHECK(encode(Commit{0, 0}) == bytes({0x05, 0x00, 0x00}));
  CHECK(encode(Commit{127, 0}) == bytes({0x05, 0x7f, 0x00}));
  CHECK(encode(Commit{128, 0}) == bytes({0x05, 0x80, 0x01, 0x00}));
  CHECK(encode(Commit{test::kU64Max, 0}) ==
        bytes({0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00}));
}

TEST_CASE("signed values are zigzag encoded so that small magnitudes are short", "[codec]") {
  // Request{c0#1, add(delta)}: type, client 0, seq 1, kind 0 (add), then zigzag(delta).
  CHECK(encode(Request{{0, 1}, Op::add(0)}) == bytes({0x01, 0x00, 0x01, 0x00, 0x00}));
  CHECK(encode(Request{{0, 1}, Op::add(-1)}) == bytes({0x01, 0x00, 0x01, 0x00, 0x01}));
  CHECK(encode(Request{{0, 1}, Op::add(1)}) == bytes({0x01, 0x00, 0x01, 0x00, 0x02}));
  CHECK(encode(Request{{0, 1}, Op::add(-64)}) == bytes({0x01, 0x00, 0x01, 0x00, 0x7f}));
  CHECK(encode(Request{{0, 1}, Op::add(64)}) == bytes({0x01, 0x00, 0x01, 0x00, 0x80, 0x01}));
  CHECK(encode(Request{{0, 1}, Op::read()}) == bytes({0x01, 0x00, 0x01, 0x01}));
}

TEST_CASE("a RecoveryResponse without a log ends with has_log 0", "[codec]") {
  const Message message = RecoveryResponse{3, 9, 1, std::nullopt};
  CHECK(encode(message) == bytes({0x0c, 0x03, 0x09, 0x01, 0x00}));
  CHECK(round_trip(message) == message);
}

TEST_CASE("the widest message is exactly kMaxBodyBytes long", "[codec][bounds]") {
  // kMaxBodyBytes is a promise to senders that every message fits in a datagram; this is the
  // message that reaches it, so a bound changed without updating the constant fails here.
  const Message widest = RecoveryResponse{
      test::kU64Max, test::kU64Max, static_cast<ReplicaId>(kMaxReplicas - 1), test::widest_log()};
  CHECK(encode(widest).size() == kMaxBodyBytes);
  for (const Message& message : test::extreme_messages()) {
    CHECK(encode(message).size() <= kMaxBodyBytes);
  }
  CHECK(kMaxBodyBytes + net::kFrameHeaderBytes < net::kDefaultMaxFrameBytes);
}

TEST_CASE("a datagram is the frame around the body and decodes to the message", "[codec]") {
  for (const Message& message : test::sample_messages()) {
    const std::string datagram = encode_datagram(message);
    CHECK(datagram == net::encode_frame(encode(message)));
    const DecodeResult result = decode_datagram(datagram);
    REQUIRE(result);
    CHECK(result.message() == message);
  }
}

TEST_CASE("10,000 random valid messages decode to themselves", "[codec][random]") {
  net::Rng rng(20240611);
  for (int i = 0; i < 10'000; ++i) {
    const Message message = test::random_message(rng);
    const std::string body = encode(message);
    INFO("message " << i << ": " << describe(message));
    const DecodeResult result = decode(body);
    REQUIRE(result);
    REQUIRE(result.message() == message);
    REQUIRE(body.size() <= kMaxBodyBytes);
  }
}

}  // namespace
}  // namespace ladder::protocol
