#include "level2_async/replica_node.hpp"

#include <cassert>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

namespace ladder::level2 {

namespace asio = boost::asio;

namespace {

// A replica's coroutine that throws is a bug: stop the program where it happened.
void rethrow(const std::exception_ptr& error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace

ReplicaNode::ReplicaNode(net::UdpNetwork& network, const ReplicaOptions& options, Note note)
    : inbox_(io_.get_executor()),
      replica_(
          io_.get_executor(), options,
          [&network, self = options.self](net::NodeId to, std::string body, net::MessageClass cls) {
            network.send(self, to, std::move(body), cls);
          },
          std::move(note)) {
  network.attach(options.self, inbox_.receiver());
  asio::co_spawn(io_, replica_.run(inbox_), rethrow);
  // No work guard: the replica's receive loop and timers are the work, and once stop() ends
  // them, run() returns and the thread ends.
  thread_ = std::thread([this] { io_.run(); });
}

ReplicaNode::~ReplicaNode() {
  asio::post(io_, [this] { replica_.stop(); });
  thread_.join();
}

ReplicaReport ReplicaNode::report() {
  assert(!io_.get_executor().running_in_this_thread() && "report() would wait for itself");
  std::promise<ReplicaReport> promise;
  std::future<ReplicaReport> answer = promise.get_future();
  asio::post(io_, [this, &promise] { promise.set_value(replica_.report()); });
  return answer.get();
}

}  // namespace ladder::level2
