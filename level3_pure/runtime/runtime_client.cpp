/// \file
/// A pure client driven on an io_context: client_step() in, actions out.

#include "level3_pure/runtime/runtime_client.hpp"

#include <cassert>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "network/udp_endpoint.hpp"
#include "protocol/codec.hpp"

namespace ladder::level3 {

std::uint64_t initial_seq() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
  assert(us > 0 && "the wall clock is after 1970");
  return static_cast<std::uint64_t>(us);
}

ClientDriver::ClientDriver(const boost::asio::any_io_executor& executor, ClientState initial,
                           Transmit send)
    : state_(std::move(initial)), send_(std::move(send)), retry_(executor), deadline_(executor) {
  assert(send_ && "a client needs a way to send");
}

void ClientDriver::invoke(const protocol::Op& op, std::chrono::milliseconds deadline,
                          Finish finish) {
  assert(!busy() && "C1: one outstanding request per client");
  assert(deadline.count() > 0 && "a positive deadline");
  finish_ = std::move(finish);
  deadline_.arm(deadline, [this] { run(Abandon{}); });
  run(Invoke{op});
}

void ClientDriver::cancel() {
  retry_.cancel();
  deadline_.cancel();
  finish_ = nullptr;
}

void ClientDriver::on_message(const protocol::Message& message, net::NodeId from) {
  run(Receive{from, message});
}

void ClientDriver::run(const ClientInput& input) {
  ClientStepResult result = client_step(std::move(state_), input);
  state_ = std::move(result.next);
  std::optional<ClientOutcome> outcome;
  for (const ClientAction& action : result.actions) {
    if (const auto* send = std::get_if<Send>(&action)) {
      send_(send->to, send->message);
    } else if (const auto* set = std::get_if<SetTimer>(&action)) {
      retry_.arm(std::chrono::milliseconds(set->after_ms),
                 [this] { run(TimerFired{Timer::client_retry}); });
    } else if (std::holds_alternative<CancelTimer>(action)) {
      retry_.cancel();
    } else if (const auto* completed = std::get_if<Completed>(&action)) {
      outcome = ClientOutcome{completed->request, completed->value};
    } else if (const auto* abandoned = std::get_if<Abandoned>(&action)) {
      outcome = ClientOutcome{abandoned->request, std::nullopt};
    }
    // Invoked: the history of a test client; the runtime's clients keep none.
  }
  if (!outcome) return;
  // Reported after every action ran: the finish may invoke the next operation at once, whose
  // retry timer a later CancelTimer of this step must not disarm.
  assert(!busy() && "an outcome ends the outstanding request");
  deadline_.cancel();
  Finish finish = std::move(finish_);
  finish_ = nullptr;
  finish(*outcome);
}

namespace {

// Reads the endpoint until it is closed, handing every Reply to `client`.
void receive_replies(net::UdpEndpoint& endpoint, ClientDriver& client,
                     const std::vector<net::UdpEndpoint::Address>& replicas) {
  endpoint.wait_readable([&endpoint, &client, &replicas](bool ready) {
    if (!ready) return;
    endpoint.drain(64, [&](const net::UdpEndpoint::Address& source, std::string_view bytes) {
      protocol::DecodeResult decoded = protocol::decode_datagram(bytes);
      if (!decoded) return;  // a client ignores what it cannot read; it will retry
      net::NodeId from = static_cast<net::NodeId>(replicas.size());  // a stranger
      for (std::size_t i = 0; i < replicas.size(); ++i) {
        if (replicas[i] == source) from = static_cast<net::NodeId>(i);
      }
      client.on_message(std::move(decoded).message(), from);
    });
    receive_replies(endpoint, client, replicas);
  });
}

}  // namespace

ClientOutcome call_cluster(const ClusterFile& cluster, spec::ClientId client,
                           const protocol::Op& op, std::chrono::milliseconds deadline) {
  assert(client < protocol::kMaxClients && "client ids are bounded");
  namespace asio = boost::asio;
  asio::io_context io;
  const auto host = asio::ip::make_address(cluster.host);
  std::vector<net::UdpEndpoint::Address> replicas;
  for (const ClusterMember& member : cluster.replicas)
    replicas.emplace_back(host, member.udp);
  net::UdpEndpoint endpoint(io, net::UdpEndpoint::Address(host, 0));
  ClientState initial = ClientState::initial(client, cluster.config);
  initial.last_seq = initial_seq();
  ClientDriver driver(io.get_executor(), std::move(initial),
                      [&](protocol::ReplicaId to, const protocol::Message& message) {
                        endpoint.send(replicas.at(to), protocol::encode_datagram(message));
                      });
  std::optional<ClientOutcome> result;
  driver.invoke(op, deadline, [&](const ClientOutcome& outcome) {
    result = outcome;
    endpoint.close();  // ends the receive loop: run() returns
  });
  receive_replies(endpoint, driver, replicas);
  io.run();
  assert(result && "the deadline ends every operation");
  return *result;
}

}  // namespace ladder::level3
