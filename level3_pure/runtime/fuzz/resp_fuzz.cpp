// libFuzzer target for the RESP2 request parser of level 3's front door: whatever bytes a client
// sends, in whatever pieces, the parser yields commands and at most one protocol error, never
// crashes, and never holds more than its limits allow; every command maps to a decision.
//
// Build and run it (clang only; libFuzzer ships in libclang-rt-14-dev):
//
//     CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DLADDER_FUZZ=ON
//     cmake --build build/fuzz --target ladder_resp_fuzz
//     build/fuzz/level3_pure/runtime/ladder_resp_fuzz -max_total_time=60
//
// The first input byte picks the piece size the stream is cut into, and the second small limits,
// so that the fuzzer explores split headers and the limits' edges as well as the bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "level3_pure/runtime/resp.hpp"
#include "network/fuzz/require.hpp"

namespace {

using ladder::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    return 0;
  }
  const std::size_t piece = std::size_t{data[0]} % 16 + 1;
  ladder::level3::RespLimits limits;
  limits.max_bulk_bytes = std::size_t{data[1]} % 64 + 1;
  limits.max_line_bytes = std::size_t{data[1]} / 4 + 4;
  limits.max_array_length = std::size_t{data[1]} % 8 + 1;
  limits.max_command_bytes = std::size_t{data[1]} + 1;
  // Reinterpreting bytes as chars is the one cast a byte parser needs.
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);  // NOLINT

  ladder::level3::RespParser parser(limits);
  std::size_t commands = 0;
  std::size_t errors = 0;
  for (std::size_t pos = 0; pos < input.size(); pos += piece) {
    parser.feed(input.substr(pos, piece));
    while (auto item = parser.next()) {
      require(errors == 0);  // nothing after an error
      if (const auto* command = std::get_if<ladder::level3::RespCommand>(&*item)) {
        ++commands;
        require(!command->args.empty());
        std::size_t bytes = 0;
        for (const auto& arg : command->args)
          bytes += arg.size();
        require(command->args.size() <= limits.max_array_length || bytes < limits.max_line_bytes);
        // Every command maps to something the door can answer.
        const auto decision = ladder::level3::interpret(*command);
        if (const auto* local = std::get_if<ladder::level3::RespLocalReply>(&decision)) {
          require(!local->reply.empty());
        }
      } else {
        ++errors;
        const auto& error = std::get<ladder::level3::RespProtocolError>(*item);
        require(error.message.rfind("ERR Protocol error: ", 0) == 0);
        require(error.offset <= input.size());
      }
    }
    require(parser.buffered_bytes() <= limits.max_bulk_bytes + 2 + limits.max_line_bytes + piece);
  }
  require(errors <= 1);
  require(parser.failed() == (errors == 1));
  require(parser.commands() == commands);
  require(parser.bytes_fed() == input.size());
  return 0;
}
