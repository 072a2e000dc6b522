// Tests of the wire frame codec: layout, round trips, split feeds, every error, and a
// deterministic barrage of random and mutated frames.

#include "network/frame.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "network/rng.hpp"

namespace ladder::net {
namespace {

using namespace std::string_literals;

// A frame header announcing `length` bytes, followed by `version`.
std::string header(std::uint32_t length, std::uint8_t version = kWireVersion) {
  std::string bytes;
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<char>((length >> shift) & 0xFFU));
  }
  bytes.push_back(static_cast<char>(version));
  return bytes;
}

// Everything the decoder returns until it needs more bytes.
struct Drained {
  std::vector<std::string> bodies;
  std::vector<FrameError> errors;
};

Drained drain(FrameDecoder& decoder) {
  Drained out;
  while (auto frame = decoder.next()) {
    if (frame->ok()) {
      out.bodies.push_back(std::move(*frame).body());
    } else {
      out.errors.push_back(frame->error());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("encode_frame writes the big-endian length, the version and the body", "[frame]") {
  CHECK(encode_frame("hi") == "\x00\x00\x00\x03\x01hi"s);
  CHECK(encode_frame("") == "\x00\x00\x00\x01\x01"s);
  const std::string body(300, 'x');
  CHECK(encode_frame(body).substr(0, 5) == "\x00\x00\x01\x2d\x01"s);  // 301 = 0x12d
}

TEST_CASE("bodies survive a round trip through the stream decoder", "[frame]") {
  const std::vector<std::string> bodies = {"", "add 1", "\x00\xff\x00 binary"s,
                                           std::string(kDefaultMaxFrameBytes - 1, 'z')};
  FrameDecoder decoder;
  std::string stream;
  for (const auto& body : bodies) {
    stream += encode_frame(body);
  }
  decoder.feed(stream);
  const Drained out = drain(decoder);
  CHECK(out.errors.empty());
  CHECK(out.bodies == bodies);
  CHECK(decoder.frames() == bodies.size());
  CHECK(decoder.buffered_bytes() == 0);
}

TEST_CASE("a stream fed one byte at a time yields each frame once it is complete", "[frame]") {
  const std::string stream = encode_frame("first") + encode_frame("") + encode_frame("third");
  FrameDecoder decoder;
  std::vector<std::string> bodies;
  std::vector<std::size_t> completed_at;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    decoder.feed(stream.substr(i, 1));
    for (auto& body : drain(decoder).bodies) {
      bodies.push_back(body);
      completed_at.push_back(i + 1);
    }
  }
  CHECK(bodies == std::vector<std::string>{"first", "", "third"});
  // Each frame comes out exactly when its last byte arrives: 10, 15 and 25 bytes in.
  CHECK(completed_at == std::vector<std::size_t>{10, 15, 25});
  CHECK(decoder.bytes_fed() == stream.size());
}

TEST_CASE("a length of 0 is rejected: not even the version byte follows", "[frame]") {
  FrameDecoder decoder;
  decoder.feed(encode_frame("ok") + "\x00\x00\x00\x00"s);
  const Drained out = drain(decoder);
  CHECK(out.bodies == std::vector<std::string>{"ok"});
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].kind == FrameErrorKind::empty);
  CHECK(out.errors[0].offset == 7);
  CHECK(out.errors[0].message ==
        "empty frame at byte 7: its length is 0, but even the version "
        "byte needs 1");
}

TEST_CASE("a length over the limit is rejected before any body byte is buffered", "[frame]") {
  FrameDecoder decoder;
  decoder.feed("\x00\x10\x00\x00"s);  // 1 MiB announced, nothing else sent
  const Drained out = drain(decoder);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].kind == FrameErrorKind::too_large);
  CHECK(out.errors[0].message == "frame of 1048576 bytes exceeds the 65536-byte limit");
  CHECK(decoder.buffered_bytes() == 0);
}

TEST_CASE("the limit is configurable and counts the version byte with the body", "[frame]") {
  FrameDecoder decoder(16);
  decoder.feed(encode_frame(std::string(15, 'a'), 16));  // N = 16: at the limit
  CHECK(drain(decoder).bodies == std::vector<std::string>{std::string(15, 'a')});
  decoder.feed(header(17));  // N = 17: one over
  const Drained out = drain(decoder);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].message == "frame of 17 bytes exceeds the 16-byte limit");
  CHECK(out.errors[0].offset == 20);
}

TEST_CASE("an unknown version is rejected at its byte, before the body arrives", "[frame]") {
  SECTION("in the first frame") {
    FrameDecoder decoder;
    decoder.feed(header(100, 7));  // the 99 body bytes never come
    const Drained out = drain(decoder);
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0].kind == FrameErrorKind::bad_version);
    CHECK(out.errors[0].message == "unknown wire version 7 at byte 4");
  }
  SECTION("in a later frame, counting bytes from the start of the stream") {
    FrameDecoder decoder;
    decoder.feed(encode_frame("hi"));
    CHECK(drain(decoder).bodies.size() == 1);
    decoder.feed(header(3, 0) + "hi");
    const Drained out = drain(decoder);
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0].message == "unknown wire version 0 at byte 11");
    CHECK(out.errors[0].offset == 11);
  }
}

TEST_CASE("after an error the stream is dead until reset", "[frame]") {
  FrameDecoder decoder;
  decoder.feed(header(5, 9) + "abcd" + encode_frame("lost"));
  Drained out = drain(decoder);
  CHECK(out.bodies.empty());  // the valid frame after the bad one is not trusted
  CHECK(out.errors.size() == 1);
  CHECK(decoder.failed());
  CHECK(decoder.error().kind == FrameErrorKind::bad_version);

  // More bytes are counted and discarded; the error is not reported twice.
  decoder.feed(encode_frame("also lost"));
  out = drain(decoder);
  CHECK(out.bodies.empty());
  CHECK(out.errors.empty());
  CHECK(decoder.buffered_bytes() == 0);
  CHECK(decoder.errors() == 1);

  decoder.reset();
  CHECK_FALSE(decoder.failed());
  decoder.feed(encode_frame("new stream"));
  CHECK(drain(decoder).bodies == std::vector<std::string>{"new stream"});
  CHECK(decoder.errors() == 1);  // counters survive reset
  CHECK(decoder.frames() == 1);
}

TEST_CASE("decode_datagram accepts exactly one whole frame", "[frame]") {
  SECTION("a whole frame") {
    const FrameResult result = decode_datagram(encode_frame("ping"));
    REQUIRE(result.ok());
    CHECK(result.body() == "ping");
  }
  SECTION("shorter than the length field") {
    const FrameResult result = decode_datagram("\x00\x00\x01"s);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == FrameErrorKind::truncated);
    CHECK(result.error().message ==
          "datagram of 3 bytes is truncated: the length field alone takes 4");
  }
  SECTION("shorter than the frame it announces") {
    const FrameResult result = decode_datagram(header(10) + "abc");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == FrameErrorKind::truncated);
    CHECK(result.error().message == "frame of 10 bytes is truncated: the datagram ends at byte 8");
  }
  SECTION("bytes after the frame") {
    const FrameResult result = decode_datagram(encode_frame("ping") + "xy");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == FrameErrorKind::trailing_bytes);
    CHECK(result.error().offset == 9);
    CHECK(result.error().message == "2 trailing bytes at byte 9 after the frame");
  }
  SECTION("length 0, too large, wrong version") {
    CHECK(decode_datagram("\x00\x00\x00\x00"s).error().kind == FrameErrorKind::empty);
    CHECK(decode_datagram(encode_frame("12345"), 4).error().message ==
          "frame of 6 bytes exceeds the 4-byte limit");
    CHECK(decode_datagram(header(2, 2) + "x").error().message ==
          "unknown wire version 2 at byte 4");
  }
}

TEST_CASE(
    "100000 random and mutated frames: each yields a frame or a counted error, memory stays "
    "bounded",
    "[frame]") {
  // Small limit, so that lengths over it are common among the mutations.
  constexpr std::size_t kLimit = 200;
  Rng rng(20240601);
  FrameDecoder decoder(kLimit);
  std::uint64_t frames_seen = 0;
  std::uint64_t errors_seen = 0;
  std::uint64_t intact_frames = 0;

  for (int round = 0; round < 100'000; ++round) {
    // One short stream: one to three frames, maybe one byte of it overwritten.
    std::vector<std::string> bodies;
    std::string stream;
    const auto frame_count = rng.between(1, 3);
    for (std::int64_t i = 0; i < frame_count; ++i) {
      std::string body(static_cast<std::size_t>(rng.between(0, kLimit - 1)), '\0');
      for (char& c : body) {
        c = static_cast<char>(rng.below(256));
      }
      stream += encode_frame(body, kLimit);
      bodies.push_back(std::move(body));
    }
    const bool mutated = rng.chance(0.5);
    if (mutated) {
      // Favour the header bytes, where mutations make errors rather than different bodies.
      const auto at = rng.chance(0.5) ? rng.below(5) : rng.below(stream.size());
      stream[at] = static_cast<char>(rng.below(256));
    }

    // Feed it in random pieces, draining after each, as a connection would.
    Drained out;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      const auto piece = static_cast<std::size_t>(rng.between(1, 64));
      decoder.feed(std::string_view(stream).substr(pos, piece));
      pos += piece;
      Drained more = drain(decoder);
      out.bodies.insert(out.bodies.end(), more.bodies.begin(), more.bodies.end());
      out.errors.insert(out.errors.end(), more.errors.begin(), more.errors.end());
      REQUIRE(decoder.buffered_bytes() < 4 + kLimit);
    }
    REQUIRE(out.errors.size() <= 1);
    frames_seen += out.bodies.size();
    errors_seen += out.errors.size();
    if (!mutated) {
      REQUIRE(out.errors.empty());
      REQUIRE(out.bodies == bodies);
      ++intact_frames;
    }
    // The same bytes as one datagram (of the first frame only when intact) never crash either.
    const FrameResult datagram = decode_datagram(stream, kLimit);
    if (!mutated && bodies.size() == 1) {
      REQUIRE(datagram.ok());
      REQUIRE(datagram.body() == bodies[0]);
    }
    decoder.reset();  // the next round is a new connection
  }
  CHECK(decoder.frames() == frames_seen);
  CHECK(decoder.errors() == errors_seen);
  // The barrage reached both outcomes in quantity (values fixed by the seed).
  CHECK(errors_seen > 20'000);
  CHECK(intact_frames > 40'000);
}

}  // namespace ladder::net
