/// \file
/// Exercise 05's grading tests: a backup's Prepare handler against scripted message sequences,
/// with the duplicates and the reordering a UDP network delivers. No thread, no clock: each test
/// states the sequence and the expected messages and state.

#include <vector>

#include <catch2/catch.hpp>

#include "prepare_handler.hpp"

namespace {

using namespace ladder;
using protocol::GetState;
using protocol::Message;
using protocol::Op;
using protocol::Prepare;
using protocol::PrepareOk;
using protocol::Request;

Request add(std::uint64_t seq, std::int64_t delta) {
  return Request{spec::RequestId{0, seq}, Op::add(delta)};
}

// Prepare of op k (c0's request k, add(k)) with commit number c, in view 0.
Prepare prepare(protocol::OpNumber k, protocol::OpNumber c) {
  return Prepare{0, k, c, add(k, static_cast<std::int64_t>(k))};
}

std::vector<Message> deliver(ex05::Backup& backup, const std::vector<Prepare>& sequence) {
  std::vector<Message> out;
  for (const Prepare& p : sequence) {
    for (Message& m : ex05::on_prepare(backup, p))
      out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

TEST_CASE("part 1: prepares in order are appended and each is acknowledged") {
  ex05::Backup backup;
  const auto out = deliver(backup, {prepare(1, 0), prepare(2, 0), prepare(3, 0)});
  CHECK(out == std::vector<Message>{PrepareOk{0, 1, 1}, PrepareOk{0, 2, 1}, PrepareOk{0, 3, 1}});
  CHECK(backup.log.op_number() == 3);
  CHECK(backup.log.suffix == std::vector{add(1, 1), add(2, 2), add(3, 3)});
}

TEST_CASE("part 2: a duplicated prepare is acknowledged again and not appended twice") {
  ex05::Backup backup;
  const auto out = deliver(backup, {prepare(1, 0), prepare(1, 0), prepare(2, 0), prepare(1, 0)});
  // The repeated ack names everything held: it is cumulative.
  CHECK(out == std::vector<Message>{PrepareOk{0, 1, 1}, PrepareOk{0, 1, 1}, PrepareOk{0, 2, 1},
                                    PrepareOk{0, 2, 1}});
  CHECK(backup.log.suffix == std::vector{add(1, 1), add(2, 2)});
}

TEST_CASE("part 3: a prepare that overtook its predecessor asks for state and holds nothing new") {
  ex05::Backup backup;
  const auto out = deliver(backup, {prepare(1, 0), prepare(3, 0)});
  CHECK(out == std::vector<Message>{PrepareOk{0, 1, 1}, GetState{0, 1, 1}});
  CHECK(backup.log.op_number() == 1);  // op 3 is not at position 2
}

TEST_CASE("part 3: after the gap is filled the stream continues in order") {
  ex05::Backup backup;
  deliver(backup, {prepare(1, 0), prepare(3, 0)});
  const auto out = deliver(backup, {prepare(2, 0), prepare(3, 0)});
  CHECK(out == std::vector<Message>{PrepareOk{0, 2, 1}, PrepareOk{0, 3, 1}});
  CHECK(backup.log.suffix == std::vector{add(1, 1), add(2, 2), add(3, 3)});
}

TEST_CASE("part 4: commit numbers apply each op once, in order, and never beyond what is held") {
  ex05::Backup backup;
  // Reordered and duplicated, with commit numbers that run ahead of what arrived.
  deliver(backup, {prepare(1, 0), prepare(3, 2), prepare(2, 1), prepare(2, 1), prepare(3, 2)});
  CHECK(backup.log.commit_number() == 2);
  CHECK(backup.log.snapshot.value == 3);  // add(1) then add(2)
  CHECK(backup.log.op_number() == 3);
  deliver(backup, {prepare(4, 9)});  // commit 9, but only op 4 is held: apply up to 4
  CHECK(backup.log.commit_number() == 4);
  CHECK(backup.log.snapshot.value == 10);
  REQUIRE(backup.log.snapshot.clients.size() == 1);
  CHECK(backup.log.snapshot.clients[0].request.seq == 4);
}

TEST_CASE("part 4: a prepare of another view is ignored") {
  ex05::Backup backup;
  backup.view = 2;
  const auto out = deliver(backup, {prepare(1, 0)});  // view 0: stale
  CHECK(out.empty());
  CHECK(backup.log.op_number() == 0);
}
