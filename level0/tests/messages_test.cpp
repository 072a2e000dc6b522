// Level 0's wire format: the three messages round-trip, and everything else is rejected.

#include <catch2/catch.hpp>

#include "level0/messages.hpp"

using ladder::level0::decode;
using ladder::level0::encode;
using ladder::level0::Message;
using ladder::level0::MessageKind;

TEST_CASE("each message kind encodes to its text and decodes back", "[messages]") {
  CHECK(encode({MessageKind::get, 0}) == "get");
  CHECK(encode({MessageKind::value, 17}) == "value 17");
  CHECK(encode({MessageKind::store, -3}) == "store -3");

  const Message samples[] = {{MessageKind::get, 0},
                             {MessageKind::value, 0},
                             {MessageKind::value, INT64_MAX},
                             {MessageKind::store, INT64_MIN},
                             {MessageKind::store, 20}};
  for (const Message& message : samples) {
    INFO(encode(message));
    const auto decoded = decode(encode(message));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == message);
  }
}

TEST_CASE("decode rejects every text that is not exactly a message", "[messages]") {
  const char* const malformed[] = {"",
                                   "GET",
                                   "get ",
                                   " get",
                                   "get 1",
                                   "value",
                                   "value ",
                                   "value x",
                                   "value 1 2",
                                   "value +3",
                                   "value 007",
                                   "value -0",
                                   "value 1.5",
                                   "value  3",
                                   "store",
                                   "store 9223372036854775808",
                                   "store -9223372036854775809",
                                   "stor 3",
                                   "store 3\n",
                                   "value\t3",
                                   "values 3"};
  for (const char* text : malformed) {
    INFO('"' << text << '"');
    CHECK_FALSE(decode(text).has_value());
  }
}
