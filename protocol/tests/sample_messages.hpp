#pragma once
/// \file
/// Messages for the codec's tests: one hand-written sample of every type, the widest message the
/// bounds allow, and a generator of random valid messages drawn from a seeded net::Rng.

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "network/rng.hpp"
#include "protocol/messages.hpp"

namespace ladder::protocol::test {

/// The bytes of a body, written as numbers for readable expectations: bytes({0x05, 0x01, 0xac}).
inline std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (const unsigned value : values)
    out.push_back(static_cast<char>(value));
  return out;
}

inline constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

/// A small log: value 12 after 6 ops by two clients, then one uncommitted add.
inline Log sample_log() {
  Snapshot snapshot{6, 12, {{{0, 3}, 12}, {{2, 1}, 5}}};
  return Log{snapshot, {Request{{1, 4}, Op::add(2)}}};
}

/// One ordinary message of every type, in MessageType order.
inline std::vector<Message> sample_messages() {
  return {
      Request{{0, 3}, Op::add(2)},
      Reply{1, {0, 3}, 12},
      Prepare{1, 7, 6, Request{{0, 3}, Op::read()}},
      PrepareOk{1, 7, 2},
      Commit{1, 300},
      StartViewChange{2, 1},
      DoViewChange{2, 1, 1, sample_log()},
      StartView{2, sample_log()},
      GetState{1, 5, 2},
      NewState{1, sample_log()},
      Recovery{2, 9},
      RecoveryResponse{1, 9, 0, sample_log()},
  };
}

/// The widest log the bounds allow: a full client table and a full suffix, every integer at its
/// widest (a varint of 10 bytes), so that its encoding has the largest possible size.
inline Log widest_log() {
  Log log;
  log.snapshot.commit_number = kU64Max - kMaxUncommitted;
  log.snapshot.value = kI64Min;
  for (std::size_t c = 0; c < kMaxClients; ++c) {
    log.snapshot.clients.push_back({{static_cast<spec::ClientId>(c), kU64Max}, kI64Min});
  }
  for (std::size_t i = 0; i < kMaxUncommitted; ++i) {
    log.suffix.push_back(
        Request{{static_cast<spec::ClientId>(kMaxClients - 1), kU64Max}, Op::add(kI64Min)});
  }
  return log;
}

/// Every message type at its extremes: largest ids and numbers, most negative values.
inline std::vector<Message> extreme_messages() {
  const auto last_replica = static_cast<ReplicaId>(kMaxReplicas - 1);
  const auto last_client = static_cast<spec::ClientId>(kMaxClients - 1);
  return {
      Request{{last_client, kU64Max}, Op::add(kI64Min)},
      Reply{kU64Max, {last_client, kU64Max}, kI64Max},
      Prepare{kU64Max, kU64Max, kU64Max - 1, Request{{last_client, 1}, Op::add(kI64Max)}},
      PrepareOk{kU64Max, kU64Max, last_replica},
      Commit{kU64Max, kU64Max},
      StartViewChange{kU64Max, last_replica},
      DoViewChange{kU64Max, kU64Max, last_replica, widest_log()},
      StartView{0, Log{}},
      GetState{kU64Max, 0, last_replica},
      NewState{kU64Max, widest_log()},
      Recovery{last_replica, kU64Max},
      RecoveryResponse{kU64Max, kU64Max, last_replica, widest_log()},
  };
}

/// A random unsigned value whose encoding is of random width: uniform over 0 .. 2^bits - 1 with
/// bits itself uniform, so that every varint length is exercised.
inline std::uint64_t random_u64(net::Rng& rng) {
  const auto bits = rng.below(65);
  if (bits == 0) return 0;
  const std::uint64_t mask = bits == 64 ? kU64Max : (std::uint64_t{1} << bits) - 1;
  return rng.next() & mask;
}

/// A random signed value of random width, either sign.
inline std::int64_t random_i64(net::Rng& rng) {
  return static_cast<std::int64_t>(random_u64(rng));
}

/// A random valid request id.
inline spec::RequestId random_request_id(net::Rng& rng) {
  return {static_cast<spec::ClientId>(rng.below(kMaxClients)), 1 + random_u64(rng) / 2};
}

/// A random valid request.
inline Request random_request(net::Rng& rng) {
  const Op op = rng.chance(0.5) ? Op::read() : Op::add(random_i64(rng));
  return Request{random_request_id(rng), op};
}

/// A random valid log: a sorted client table and a suffix, both of random length within bounds.
inline Log random_log(net::Rng& rng) {
  Log log;
  log.snapshot.commit_number = random_u64(rng) / 2;  // leaves room for the suffix
  log.snapshot.value = random_i64(rng);
  for (std::size_t c = 0; c < kMaxClients; ++c) {
    if (rng.chance(0.1)) {
      log.snapshot.clients.push_back(
          {{static_cast<spec::ClientId>(c), 1 + random_u64(rng) / 2}, random_i64(rng)});
    }
  }
  const auto suffix_size = rng.below(kMaxUncommitted + 1);
  for (std::uint64_t i = 0; i < suffix_size; ++i)
    log.suffix.push_back(random_request(rng));
  return log;
}

/// A random valid message of a random type.
inline Message random_message(net::Rng& rng) {
  const auto replica = [&rng] { return static_cast<ReplicaId>(rng.below(kMaxReplicas)); };
  switch (rng.below(12)) {
    case 0:
      return random_request(rng);
    case 1:
      return Reply{random_u64(rng), random_request_id(rng), random_i64(rng)};
    case 2: {
      const std::uint64_t op_number = 1 + random_u64(rng) / 2;
      return Prepare{random_u64(rng), op_number, rng.below(op_number), random_request(rng)};
    }
    case 3:
      return PrepareOk{random_u64(rng), random_u64(rng), replica()};
    case 4:
      return Commit{random_u64(rng), random_u64(rng)};
    case 5:
      return StartViewChange{random_u64(rng), replica()};
    case 6:
      return DoViewChange{random_u64(rng), random_u64(rng), replica(), random_log(rng)};
    case 7:
      return StartView{random_u64(rng), random_log(rng)};
    case 8:
      return GetState{random_u64(rng), random_u64(rng), replica()};
    case 9:
      return NewState{random_u64(rng), random_log(rng)};
    case 10:
      return Recovery{replica(), random_u64(rng)};
    default: {
      RecoveryResponse response{random_u64(rng), random_u64(rng), replica(), std::nullopt};
      if (rng.chance(0.5)) response.log = random_log(rng);
      return response;
    }
  }
}

}  // namespace ladder::protocol::test
