#pragma once
// Reading and writing small messages on a loopback socket with as few trips through the event
// loop, and as few system calls, as a blocking request/reply protocol needs.

#include <cstddef>
#include <string_view>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace ladder::level1::detail {

// Writes `bytes` on `socket` (which must be in non-blocking mode): at once, in the common case
// that they fit in the socket's send buffer, and through the event loop only for what does not.
// Returns the bytes written; `error` says why it stopped early. An async_write alone would cost a
// pass through the event loop per message even when the kernel took the bytes at once — on
// loopback, a noticeable part of a whole round trip.
inline boost::asio::awaitable<std::size_t> write_now_or_later(boost::asio::ip::tcp::socket& socket,
                                                              std::string_view bytes,
                                                              boost::system::error_code& error) {
  std::size_t written = socket.write_some(boost::asio::buffer(bytes), error);
  if (error == boost::asio::error::would_block) {
    written = 0;
    error = {};
  }
  if (error || written == bytes.size()) co_return written;
  written += co_await boost::asio::async_write(
      socket, boost::asio::buffer(bytes.substr(written)),
      boost::asio::redirect_error(boost::asio::use_awaitable, error));
  co_return written;
}

// Reads what `socket` (in non-blocking mode) has to offer into `buffer`, waiting through the
// event loop until something arrives. Waiting first and reading after, instead of async_read_some
// (which tries a read first, and on a request/reply connection almost always finds nothing yet),
// saves a system call per message.
inline boost::asio::awaitable<std::size_t> read_when_ready(boost::asio::ip::tcp::socket& socket,
                                                           boost::asio::mutable_buffer buffer,
                                                           boost::system::error_code& error) {
  for (;;) {
    co_await socket.async_wait(boost::asio::ip::tcp::socket::wait_read,
                               boost::asio::redirect_error(boost::asio::use_awaitable, error));
    if (error) co_return 0;
    const std::size_t n = socket.read_some(buffer, error);
    if (error != boost::asio::error::would_block) co_return n;  // data, end of stream, or error
    error = {};  // woken without data (it happens): wait again
  }
}

}  // namespace ladder::level1::detail
