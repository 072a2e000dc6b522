// The code the exercises hand over unchanged (given/) must work before the reader starts, so it
// is tested here, with the machinery, and not among the tests that grade the reader.

#include <cstdint>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "exercises/01_acks/given/messages.hpp"
#include "exercises/01_acks/given/your_code_here.hpp"

namespace {

using ladder::ex01::decode;
using ladder::ex01::encode;
using ladder::ex01::Message;
using ladder::ex01::MessageKind;

TEST_CASE("exercise 01 messages encode to the documented text", "[given]") {
  CHECK(encode({MessageKind::get, 0, 0}) == "get");
  CHECK(encode({MessageKind::value, 4, 17}) == "value 4 17");
  CHECK(encode({MessageKind::store, 5, -20}) == "store 5 -20");
  CHECK(encode({MessageKind::stored, 5, 0}) == "stored 5");
}

TEST_CASE("exercise 01 messages decode what they encode", "[given]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kTop = std::numeric_limits<std::uint64_t>::max();
  for (const Message& message :
       {Message{MessageKind::get, 0, 0}, Message{MessageKind::value, 0, 0},
        Message{MessageKind::value, kTop, kMin}, Message{MessageKind::store, 1, kMax},
        Message{MessageKind::stored, 9, 0}}) {
    CAPTURE(encode(message));
    CHECK(decode(encode(message)) == message);
  }
}

TEST_CASE("exercise 01 messages reject anything encode would not produce", "[given]") {
  for (const std::string text : {"",
                                 "get ",
                                 " get",
                                 "get 1",
                                 "value",
                                 "value 1",
                                 "value 1 2 3",
                                 "value  1 2",
                                 "value -1 2",
                                 "value 01 2",
                                 "value 1 +2",
                                 "value 1 -0",
                                 "store 1",
                                 "stored",
                                 "stored 1 2",
                                 "stored 18446744073709551616",
                                 "store 1 9223372036854775808",
                                 "STORE 1 2",
                                 "put 1 2",
                                 "stored x"}) {
    CAPTURE(text);
    CHECK_FALSE(decode(text).has_value());
  }
}

TEST_CASE("your_code_here fails loudly, naming the exercise, the task and the README", "[given]") {
  try {
    ladder::ex01::your_code_here("part 9: do the thing");
    FAIL("your_code_here returned");
  } catch (const ladder::ex01::NotDoneYet& error) {
    CHECK(std::string(error.what()) ==
          "Exercise 01: your code here — part 9: do the thing; see exercises/01_acks/README.md");
  }
}

}  // namespace
