// Level 3's RESP front door alone: the RespServer of level3_pure/runtime/resp_server.hpp with an
// in-memory counter as its backend, no cluster behind it. What redis-benchmark measures against
// it is the ceiling of a ladder cluster's rate: parsing, dispatch, in-order answers, the socket.
//
//   cmake --build build/release --target ladder_bench_resp_door
//   build/release/bench/ladder_bench_resp_door --port 16380      # until SIGINT or SIGTERM
//
// bench/resp_bench.sh runs it side by side with redis-server; RESULTS.md has the figures.

#include <csignal>
#include <cstdint>
#include <cstdio>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "level3_pure/runtime/resp_server.hpp"

int main(int argc, char** argv) {
  CLI::App app{"level 3's RESP front door with an in-memory counter, for redis-benchmark"};
  std::uint16_t port = 16380;
  std::size_t max_outstanding = 256;
  app.add_option("--port", port, "loopback port to listen on (0: any)");
  app.add_option("--max-outstanding", max_outstanding, "commands owed per connection, at most")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  boost::asio::io_context io;
  std::int64_t value = 0;  // touched only on io's one thread
  ladder::level3::RespServerOptions options;
  options.listen_port = port;
  options.max_outstanding = max_outstanding;
  ladder::level3::RespServer server(
      io, options,
      [&value](std::uint64_t, ladder::level3::CounterCommand command, ladder::level3::Done done) {
        if (command.kind == ladder::level3::CounterCommand::Kind::add) value += command.delta;
        done(ladder::level3::CommandOutcome::ok(value));
      },
      [&value] { return fmt::format("# ladder\r\nrole:memory\r\nvalue:{}\r\n", value); });
  server.start();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { server.stop(); });
  fmt::print("listening on 127.0.0.1:{}\n", server.port());
  std::fflush(stdout);
  io.run();
  const auto stats = server.stats();
  fmt::print("value {} commands {} connections {} protocol_errors {} backpressure_pauses {}\n",
             value, stats.commands, stats.connections_accepted, stats.protocol_errors,
             stats.backpressure_pauses);
  return 0;
}
