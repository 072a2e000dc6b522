/// \file
/// One replica's handlers against scripted message sequences: no threads, no sockets, no timing.
/// Each test feeds datagrams to Replica::handle() and checks what it sent and what it holds.

#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "level2_async/replica.hpp"
#include "protocol/codec.hpp"

namespace {

using namespace ladder;
using namespace ladder::protocol;
using level2::Replica;
using level2::ReplicaOptions;
using level2::Variant;

struct Sent {
  net::NodeId to = 0;
  Message message;
};

// One replica of a three-replica cluster with one client (node 3), whose sends are recorded.
struct Bench {
  explicit Bench(ReplicaId self, Variant variant = Variant::fixed)
      : replica(
            io.get_executor(), options(self, variant),
            [this](net::NodeId to, std::string body, net::MessageClass) {
              DecodeResult decoded = decode(body);
              REQUIRE(decoded.ok());
              sent.push_back(Sent{to, std::move(decoded).message()});
            },
            nullptr) {}

  static ReplicaOptions options(ReplicaId self, Variant variant) {
    ReplicaOptions o;
    o.self = self;
    o.topology = net::Topology{3, 1};
    o.variant = variant;
    return o;
  }

  void receive(net::NodeId from, const Message& message) {
    replica.handle(net::Datagram{from, 0, encode(message), 0});
  }

  // The messages sent so far of type T, forgetting them.
  template <class T>
  std::vector<std::pair<net::NodeId, T>> take() {
    std::vector<std::pair<net::NodeId, T>> found;
    for (const Sent& s : sent) {
      if (const T* m = std::get_if<T>(&s.message)) found.emplace_back(s.to, *m);
    }
    sent.clear();
    return found;
  }

  boost::asio::io_context io;
  std::vector<Sent> sent;
  Replica replica;
};

constexpr net::NodeId kClient = 3;

Request add(std::uint64_t seq, std::int64_t delta) {
  return Request{spec::RequestId{0, seq}, Op::add(delta)};
}

}  // namespace

TEST_CASE("a malformed datagram is counted and dropped, and the replica carries on") {
  Bench bench(0);
  bench.replica.handle(net::Datagram{1, 0, std::string("\x07\xff\xff", 3), 0});
  bench.replica.handle(net::Datagram{1, 0, std::string(), 0});
  bench.replica.handle(net::Datagram{1, 0, std::string("\x63", 1), 0});
  CHECK(bench.replica.report().malformed == 3);
  CHECK(bench.sent.empty());
  // Still a working primary.
  bench.receive(kClient, add(1, 5));
  CHECK(bench.take<Prepare>().size() == 2);
}

TEST_CASE("N2 N4 N5: the primary prepares, commits with one backup's ack, and replies") {
  Bench bench(0);
  bench.receive(kClient, add(1, 5));
  const auto prepares = bench.take<Prepare>();
  REQUIRE(prepares.size() == 2);
  CHECK(prepares[0].second == Prepare{0, 1, 0, add(1, 5)});
  bench.receive(1, PrepareOk{0, 1, 1});
  const auto replies = bench.take<Reply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].first == kClient);
  CHECK(replies[0].second == Reply{0, spec::RequestId{0, 1}, 5});
  CHECK(bench.replica.report().commit_number == 1);
  CHECK(bench.replica.report().value == 5);
}

TEST_CASE("N2b: a retried request that committed is answered again, not applied again") {
  Bench bench(0);
  bench.receive(kClient, add(1, 5));
  bench.receive(1, PrepareOk{0, 1, 1});
  bench.sent.clear();
  bench.receive(kClient, add(1, 5));
  const auto replies = bench.take<Reply>();
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].second.value == 5);
  CHECK(bench.replica.report().value == 5);
  CHECK(bench.replica.report().op_number == 1);
  CHECK(bench.replica.report().applied == std::vector{spec::RequestId{0, 1}});
}

TEST_CASE("N3: a duplicated and reordered Prepare stream is applied once, in order") {
  Bench bench(1);
  bench.receive(0, Prepare{0, 2, 0, add(2, 3)});  // op 1 is missing: ask for state
  CHECK(bench.take<GetState>().size() == 1);
  CHECK(bench.replica.report().op_number == 0);
  bench.receive(0, Prepare{0, 1, 0, add(1, 5)});
  bench.receive(0, Prepare{0, 1, 0, add(1, 5)});  // a duplicate re-acks, appends nothing
  bench.receive(0, Prepare{0, 2, 1, add(2, 3)});
  const auto acks = bench.take<PrepareOk>();
  REQUIRE(acks.size() == 3);
  CHECK(acks.back().second == PrepareOk{0, 2, 1});
  bench.receive(0, Commit{0, 2});
  bench.receive(0, Commit{0, 2});
  CHECK(bench.replica.report().value == 8);
  CHECK(bench.replica.report().applied ==
        std::vector{spec::RequestId{0, 1}, spec::RequestId{0, 2}});
}

TEST_CASE("messages of an older view are ignored and counted") {
  Bench bench(1);
  bench.receive(2, StartViewChange{1, 2});  // V2: r1 joins the view change to view 1
  bench.sent.clear();
  bench.receive(0, Prepare{0, 1, 0, add(1, 5)});
  bench.receive(0, Commit{0, 0});
  CHECK(bench.sent.empty());
  CHECK(bench.replica.report().ignored == 2);
  CHECK(bench.replica.report().view == 1);
}

// The scene of the planted bug: r1 never received op 1's Prepare, r2 did and acknowledged it, so
// the old primary r0 committed it and replied. r0 is gone; r1 becomes primary of view 1 with
// r2's DoViewChange and its own.
namespace {

Log log_with_op1() {
  Log log;
  log.suffix.push_back(add(1, 5));
  return log;
}

StartView view_change_to_r1(Variant variant) {
  Bench bench(1, variant);
  bench.receive(2, StartViewChange{1, 2});
  bench.receive(2, DoViewChange{1, 0, 2, log_with_op1()});
  const auto start_views = bench.take<StartView>();
  REQUIRE(start_views.size() == 2);  // to r0 and r2
  CHECK(bench.replica.report().status == level2::Status::normal);
  CHECK(bench.replica.report().view == 1);
  return start_views.front().second;
}

}  // namespace

TEST_CASE("V4 fixed: the new primary starts its view with the freshest log") {
  const StartView start = view_change_to_r1(Variant::fixed);
  CHECK(start.log.op_number() == 1);
  CHECK(start.log.suffix == std::vector{add(1, 5)});
}

TEST_CASE("V4 first-release: the new primary keeps its own log and forgets the acknowledged op") {
  // This is the planted bug, pinned: if it ever stops forgetting, the chapter's story is wrong.
  const StartView start = view_change_to_r1(Variant::first_release);
  CHECK(start.log.op_number() == 0);
}

TEST_CASE("R2 R3: a restarted replica learns the present from a quorum before it answers") {
  // A Bench's replica boots normal; a recovering one is built by hand.
  ReplicaOptions options = Bench::options(2, Variant::fixed);
  boost::asio::io_context io;
  std::vector<Sent> sent;
  options.recovering = true;
  options.nonce = 7;
  Replica replica(
      io.get_executor(), options,
      [&sent](net::NodeId to, std::string body, net::MessageClass) {
        sent.push_back(Sent{to, decode(body).message()});
      },
      nullptr);
  const auto receive = [&](net::NodeId from, const Message& m) {
    replica.handle(net::Datagram{from, 2, encode(m), 0});
  };
  receive(0, Prepare{0, 1, 0, add(1, 5)});  // I10: a recovering replica answers nothing
  CHECK(sent.empty());
  Log log = log_with_op1();
  receive(1, RecoveryResponse{0, 6, 1, std::nullopt});  // an old nonce: ignored
  receive(1, RecoveryResponse{0, 7, 1, std::nullopt});
  CHECK(replica.report().status == level2::Status::recovering);
  receive(0, RecoveryResponse{0, 7, 0, log});
  CHECK(replica.report().status == level2::Status::normal);
  CHECK(replica.report().op_number == 1);
  REQUIRE(sent.size() == 1);
  CHECK(std::get<PrepareOk>(sent[0].message) == PrepareOk{0, 1, 2});
}

TEST_CASE("a Prepare from the replica's own previous life is ignored, not taken for a new view") {
  // Regression: r1 became primary of view 4, sent Prepares, and crashed before its StartView
  // reached anyone. It recovered (R3) into an older view, and then one of its own Prepares of view
  // 4, delayed in the network across the crash, arrived. S0 took it for "view 4 is running, join
  // it as a backup", and become_backup() asserted, because r1 is view 4's primary. Only
  // primary(v) prepares in view v (I8): a Prepare of a view whose primary is us is our own past,
  // and is ignored.
  Bench bench(1);
  bench.receive(0, Prepare{1, 1, 0, add(1, 5)});  // view 1's primary is r1: this cannot be news
  bench.receive(0, Commit{4, 0});                 // view 4's primary is r1 as well
  CHECK(bench.replica.report().view == 0);
  CHECK(bench.replica.report().status == level2::Status::normal);
  CHECK(bench.replica.report().ignored == 2);
  CHECK(bench.sent.empty());
}
