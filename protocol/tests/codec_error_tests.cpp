/// \file
/// Every class of malformed input is rejected with its kind, the byte where the bad field starts,
/// the field's path and a message that says what was expected.

#include <catch2/catch.hpp>

#include <string>

#include "network/frame.hpp"
#include "protocol/codec.hpp"
#include "protocol/tests/sample_messages.hpp"

namespace ladder::protocol {
namespace {

using test::bytes;

DecodeError rejected(std::string_view body) {
  const DecodeResult result = decode(body);
  REQUIRE_FALSE(result);
  return result.error();
}

TEST_CASE("an empty body is rejected as empty", "[codec][errors]") {
  const DecodeError error = rejected("");
  CHECK(error.kind == DecodeErrorKind::empty);
  CHECK(error.offset == 0);
  CHECK(error.message == "empty message: no type byte");
}

TEST_CASE("type bytes outside 1 .. 12 are rejected as unknown_type", "[codec][errors]") {
  for (const unsigned type : {0U, 13U, 255U}) {
    const DecodeError error = rejected(bytes({type, 0x00}));
    CHECK(error.kind == DecodeErrorKind::unknown_type);
    CHECK(error.offset == 0);
  }
  CHECK(rejected(bytes({13})).message == "type byte 13 at byte 0 is not a message type (1 .. 12)");
}

TEST_CASE("every proper prefix of every message is rejected as truncated", "[codec][errors]") {
  // The encoding has no optional tail, so a body cut anywhere after its type byte ends inside a
  // field: the decoder must say so instead of reading past the end or inventing zeros.
  for (const auto& messages : {test::sample_messages(), test::extreme_messages()}) {
    for (const Message& message : messages) {
      const std::string body = encode(message);
      for (std::size_t length = 1; length < body.size(); ++length) {
        const DecodeResult result = decode(std::string_view(body).substr(0, length));
        INFO(describe(message) << " cut to " << length << " bytes");
        REQUIRE_FALSE(result);
        CHECK(result.error().kind == DecodeErrorKind::truncated);
        CHECK(result.error().offset <= length);  // a field may start right at the cut
      }
    }
  }
}

TEST_CASE("a truncated field is named with its path and position", "[codec][errors]") {
  // Prepare v1 op7 commit6, then the request's client id, and nothing more.
  const DecodeError error = rejected(bytes({0x03, 0x01, 0x07, 0x06, 0x00}));
  CHECK(error.kind == DecodeErrorKind::truncated);
  CHECK(error.field == "Prepare.request.id.seq");
  CHECK(error.offset == 5);
  CHECK(error.message ==
        "Prepare.request.id.seq at byte 5: the message ends at byte 5, inside the field");
}

TEST_CASE("a varint with a redundant zero byte is rejected as bad_varint", "[codec][errors]") {
  // Commit, view 0 written as 0x80 0x00 (two bytes for zero), commit 0.
  const DecodeError error = rejected(bytes({0x05, 0x80, 0x00, 0x00}));
  CHECK(error.kind == DecodeErrorKind::bad_varint);
  CHECK(error.field == "Commit.view");
  CHECK(error.offset == 1);
  CHECK(error.message ==
        "Commit.view at byte 1: varint is not in its shortest form (a redundant zero byte ends "
        "it)");
}

TEST_CASE("a varint beyond 64 bits is rejected as bad_varint", "[codec][errors]") {
  // Ten bytes whose last carries bit 64 (0x02), and eleven continuation bytes.
  const DecodeError too_big =
      rejected(bytes({0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00}));
  CHECK(too_big.kind == DecodeErrorKind::bad_varint);
  CHECK(too_big.message == "Commit.view at byte 1: varint exceeds 64 bits");
  const DecodeError too_long = rejected(
      bytes({0x05, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00, 0x00}));
  CHECK(too_long.kind == DecodeErrorKind::bad_varint);
  CHECK(too_long.message == "Commit.view at byte 1: varint is longer than 10 bytes");
}

TEST_CASE("values outside their field's range are rejected as out_of_range", "[codec][errors]") {
  struct Case {
    std::string body;
    std::string field;
    std::size_t offset;
    std::string message;
  };
  const Case cases[] = {
      {bytes({0x01, 0x00, 0x00, 0x01}), "Request.id.seq", 2,
       "Request.id.seq at byte 2: expected a request seq >= 1, got 0"},
      {bytes({0x01, 0x40, 0x01, 0x01}), "Request.id.client", 1,
       "Request.id.client at byte 1: expected a client id < 64, got 64"},
      {bytes({0x01, 0x00, 0x01, 0x02}), "Request.op.kind", 3,
       "Request.op.kind at byte 3: expected 0 (add) or 1 (read), got 2"},
      {bytes({0x04, 0x01, 0x07, 0x0f}), "PrepareOk.from", 3,
       "PrepareOk.from at byte 3: expected a replica id < 15, got 15"},
      {bytes({0x03, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01}), "Prepare.op_number", 2,
       "Prepare.op_number at byte 2: expected an op number >= 1, got 0"},
      {bytes({0x03, 0x01, 0x07, 0x07, 0x00, 0x01, 0x01}), "Prepare.commit_number", 3,
       "Prepare.commit_number at byte 3: expected a commit number < op_number 7, got 7"},
      {bytes({0x0c, 0x01, 0x09, 0x00, 0x02}), "RecoveryResponse.has_log", 4,
       "RecoveryResponse.has_log at byte 4: expected 0 or 1, got 2"},
  };
  for (const Case& c : cases) {
    const DecodeError error = rejected(c.body);
    CHECK(error.kind == DecodeErrorKind::out_of_range);
    CHECK(error.field == c.field);
    CHECK(error.offset == c.offset);
    CHECK(error.message == c.message);
  }
}

TEST_CASE("a log whose op number would overflow 64 bits is rejected", "[codec][errors]") {
  // StartView v0: commit_number 2^64 - 1, value 0, no clients, then a suffix of one entry.
  const std::string body = bytes({0x08, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01});
  const DecodeError error = rejected(body);
  CHECK(error.kind == DecodeErrorKind::out_of_range);
  CHECK(error.field == "StartView.log.suffix");
  CHECK(error.offset == 14);
}

TEST_CASE("lists over their bound are rejected as too_many before any allocation",
          "[codec][errors]") {
  // StartView v0, commit 0, value 0, then a client table of 65 records.
  const DecodeError clients = rejected(bytes({0x08, 0x00, 0x00, 0x00, 0x41}));
  CHECK(clients.kind == DecodeErrorKind::too_many);
  CHECK(clients.field == "StartView.log.snapshot.clients");
  CHECK(clients.offset == 4);
  CHECK(clients.message ==
        "StartView.log.snapshot.clients at byte 4: 65 entries exceed the limit of 64");

  // NewState v0, an empty snapshot, then a suffix of 2^63 entries: rejected from its count alone.
  const DecodeError suffix = rejected(bytes(
      {0x0a, 0x00, 0x00, 0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
  CHECK(suffix.kind == DecodeErrorKind::too_many);
  CHECK(suffix.field == "NewState.log.suffix");
  CHECK(suffix.message ==
        "NewState.log.suffix at byte 5: 9223372036854775808 entries exceed the limit of 64");
}

TEST_CASE("a client table out of order or with a repeated client is rejected as unsorted",
          "[codec][errors]") {
  // StartView v0, commit 0, value 0, two records: (client, seq 1, value 0) twice.
  for (const unsigned second_client : {0x02U, 0x03U}) {
    const DecodeError error = rejected(
        bytes({0x08, 0x00, 0x00, 0x00, 0x02, 0x03, 0x01, 0x00, second_client, 0x01, 0x00, 0x00}));
    CHECK(error.kind == DecodeErrorKind::unsorted);
    CHECK(error.field == "StartView.log.snapshot.clients[1].request.client");
    CHECK(error.offset == 8);
  }
  const DecodeError repeated =
      rejected(bytes({0x08, 0x00, 0x00, 0x00, 0x02, 0x03, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00}));
  CHECK(repeated.message ==
        "StartView.log.snapshot.clients[1].request.client at byte 8: client 3 follows client 3; "
        "records must be sorted by client id, one per client");
}

TEST_CASE("bytes after a complete message are rejected as trailing_bytes", "[codec][errors]") {
  for (const Message& message : test::sample_messages()) {
    const std::string body = encode(message) + bytes({0x00, 0x07});
    const DecodeError error = rejected(body);
    INFO(describe(message));
    CHECK(error.kind == DecodeErrorKind::trailing_bytes);
    CHECK(error.offset == body.size() - 2);
  }
  CHECK(rejected(bytes({0x05, 0x01, 0x02, 0x00})).message ==
        "1 trailing byte at byte 3, after a complete Commit");
}

TEST_CASE("datagram errors count bytes from the datagram's start", "[codec][errors]") {
  SECTION("a body error is shifted past the frame header") {
    const std::string datagram = net::encode_frame(bytes({0x05, 0x80, 0x00, 0x00}));
    const DecodeResult result = decode_datagram(datagram);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == DecodeErrorKind::bad_varint);
    CHECK(result.error().offset == net::kFrameHeaderBytes + 1);
    CHECK(result.error().message.rfind("Commit.view at byte 6: ", 0) == 0);
  }
  SECTION("a malformed frame is a frame error") {
    std::string datagram = encode_datagram(Commit{1, 2});
    datagram[4] = 7;  // the wire version byte
    const DecodeResult result = decode_datagram(datagram);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == DecodeErrorKind::frame);
    CHECK(result.error().offset == 4);
    CHECK(result.error().field == "frame");
  }
  SECTION("describe_datagram says malformed and why") {
    CHECK(describe_datagram(net::encode_frame(bytes({0x0d}))) ==
          "malformed: type byte 13 at byte 5 is not a message type (1 .. 12)");
    CHECK(describe_datagram(encode_datagram(Commit{1, 6})) == "Commit v1 commit6");
  }
}

}  // namespace
}  // namespace ladder::protocol
