#include "tools/ladder/tests/resp_connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace ladder::tools::testing {
namespace {

constexpr std::size_t kMaxBulkBytes = 1 << 20;  // a counter's replies are tiny; more is a bug

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ms = remaining_ms(deadline);
    const int got = poll(&p, 1, ms);
    if (got > 0) return true;
    if (got == 0) return false;
    if (errno != EINTR) throw RespIoError(fmt::format("poll: {}", std::strerror(errno)));
  }
}

std::int64_t parse_integer(const std::string& text, const std::string& line) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw std::runtime_error(fmt::format("RESP: not an integer in reply line '{}'", line));
  return value;
}

}  // namespace

std::string RespReply::describe() const {
  if (type == ':') return fmt::format(":{}", integer);
  if (null) return "$(nil)";
  return fmt::format("{}{}", type, text);
}

RespConnection::RespConnection(std::uint16_t port, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw RespIoError(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // NOLINTNEXTLINE: the sockets API takes a sockaddr*
  if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS) {
      const std::string why = std::strerror(errno);
      close(fd_);
      throw RespIoError(fmt::format("connect to port {}: {}", port, why));
    }
    int error = 0;
    socklen_t size = sizeof error;
    if (!wait_for(fd_, POLLOUT, deadline) ||
        getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
      close(fd_);
      throw RespIoError(fmt::format("connect to port {}: {}", port,
                                    error != 0 ? std::strerror(error) : "timed out"));
    }
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RespConnection::~RespConnection() {
  if (fd_ >= 0) close(fd_);
}

RespReply RespConnection::call(const std::vector<std::string>& args,
                               std::chrono::milliseconds limit) {
  assert(!args.empty());
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string request = fmt::format("*{}\r\n", args.size());
  for (const std::string& arg : args)
    request += fmt::format("${}\r\n{}\r\n", arg.size(), arg);
  send_all(request, deadline);

  const std::string line = read_line(deadline);
  if (line.empty()) throw std::runtime_error("RESP: an empty reply line");
  RespReply reply;
  reply.type = line[0];
  const std::string rest = line.substr(1);
  switch (reply.type) {
    case '+':
    case '-':
      reply.text = rest;
      return reply;
    case ':':
      reply.integer = parse_integer(rest, line);
      return reply;
    case '$': {
      const std::int64_t size = parse_integer(rest, line);
      if (size == -1) {
        reply.null = true;
        return reply;
      }
      if (size < 0 || static_cast<std::size_t>(size) > kMaxBulkBytes)
        throw std::runtime_error(fmt::format("RESP: bulk length out of range in '{}'", line));
      reply.text = read_exactly(static_cast<std::size_t>(size), deadline);
      if (read_exactly(2, deadline) != "\r\n")
        throw std::runtime_error("RESP: a bulk string not followed by CRLF");
      return reply;
    }
    default:
      throw std::runtime_error(fmt::format("RESP: unexpected reply line '{}'", line));
  }
}

void RespConnection::send_all(const std::string& bytes, Deadline deadline) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t got = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (got > 0) {
      sent += static_cast<std::size_t>(got);
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(fd_, POLLOUT, deadline)) throw RespIoError("send: deadline passed");
      continue;
    }
    throw RespIoError(fmt::format("send: {}", std::strerror(errno)));
  }
}

std::string RespConnection::read_line(Deadline deadline) {
  for (;;) {
    const std::size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    if (buffer_.size() > kMaxBulkBytes) throw std::runtime_error("RESP: a line without an end");
    fill(deadline);
  }
}

std::string RespConnection::read_exactly(std::size_t size, Deadline deadline) {
  while (buffer_.size() < size)
    fill(deadline);
  std::string bytes = buffer_.substr(0, size);
  buffer_.erase(0, size);
  return bytes;
}

// Appends what the socket has to buffer_, waiting for it until the deadline.
void RespConnection::fill(Deadline deadline) {
  char chunk[4096];
  for (;;) {
    const ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(got));
      return;
    }
    if (got == 0) throw RespIoError("the server closed the connection");
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      throw RespIoError(fmt::format("recv: {}", std::strerror(errno)));
    if (!wait_for(fd_, POLLIN, deadline)) throw RespIoError("no reply before the deadline");
  }
}

}  // namespace ladder::tools::testing
