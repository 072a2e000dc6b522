#pragma once
/// \file
/// The messages of the primary–backup counter that levels 2, 3 and 4 run: plain data, one struct
/// per message, gathered in the variant ladder::protocol::Message.
///
/// This file holds no logic. What each message means, who sends it when, and what the receiver
/// does with it is written once, in [docs/protocol.md](../docs/protocol.md), which both
/// implementations follow rule by rule. The field comments below say what a value is; the rules
/// that quote them ("N3", "V4", ...) say what to do with it.
///
/// Every list a message carries is bounded (kMaxClients, kMaxUncommitted), so that any message
/// fits in one datagram and level 4 can hash whole states: the largest body is a few KiB.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "counter_spec/history.hpp"
#include "network/types.hpp"

namespace ladder::protocol {

/// A view number. View v's primary is replica v mod n; views start at 0.
using ViewNumber = std::uint64_t;
/// A position in the log: op 1 is the first operation ever accepted; 0 means "none yet".
using OpNumber = std::uint64_t;
/// A replica's index, 0 .. n-1: the same number as its net::NodeId.
using ReplicaId = net::NodeId;

/// The most replicas a message may name (ids 0 .. kMaxReplicas-1). Clusters have n = 3 by default.
inline constexpr std::size_t kMaxReplicas = 15;
/// The most clients a cluster serves (client ids 0 .. kMaxClients-1): bounds the client table.
inline constexpr std::size_t kMaxClients = 64;
/// The pipeline depth K: a primary holds at most this many ops beyond its commit number (rule N2),
/// which bounds every log suffix that travels in a message.
inline constexpr std::size_t kMaxUncommitted = 64;

/// One operation on the counter: add(delta) or read().
struct Op {
  spec::OpKind kind = spec::OpKind::read;  ///< add or read
  std::int64_t delta = 0;                  ///< the amount for add; always 0 for read

  /// add(delta).
  static Op add(std::int64_t delta) { return Op{spec::OpKind::add, delta}; }
  /// read().
  static Op read() { return Op{spec::OpKind::read, 0}; }
  /// Ops compare field by field.
  friend bool operator==(const Op&, const Op&) = default;
};

/// Client → replica: "apply `op` once, as my request number `id.seq`". Also the entry of a log:
/// a log holds the requests themselves, so that a new primary knows whom each op belongs to.
struct Request {
  spec::RequestId id;  ///< (client_id, request_seq); client < kMaxClients, seq >= 1
  Op op;               ///< what to do
  /// Requests compare field by field.
  friend bool operator==(const Request&, const Request&) = default;
};

/// Primary → client: "request `id` was applied; the counter's value right after it was `value`".
/// For a read, `value` is the value read; for an add, the value the add produced.
struct Reply {
  ViewNumber view = 0;     ///< the primary's view: tells the client who the primary is (view mod n)
  spec::RequestId id;      ///< the request this answers
  std::int64_t value = 0;  ///< the counter's value right after the request was applied
  /// Replies compare field by field.
  friend bool operator==(const Reply&, const Reply&) = default;
};

/// What a client table remembers about one client: its latest applied request and the result.
struct ClientRecord {
  spec::RequestId request;  ///< the client's latest applied request
  std::int64_t value = 0;   ///< the Reply value it produced, resent if the request comes again
  /// Records compare field by field.
  friend bool operator==(const ClientRecord&, const ClientRecord&) = default;
};

/// The committed prefix of a log, folded: the state after applying ops 1 .. commit_number.
///
/// A snapshot replaces the committed part of the log in every message, because the counter's
/// state is tiny while a log grows without end.
struct Snapshot {
  OpNumber commit_number = 0;  ///< ops 1 .. commit_number are folded into this snapshot
  std::int64_t value = 0;      ///< the counter after those ops
  /// The client table: at most kMaxClients records, sorted by client id, one per client.
  std::vector<ClientRecord> clients;
  /// Snapshots compare field by field.
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

/// A replica's whole log in bounded form: the snapshot of its committed prefix, then the ops it
/// holds beyond its commit number.
struct Log {
  Snapshot snapshot;  ///< ops 1 .. snapshot.commit_number, applied
  /// Ops snapshot.commit_number + 1, + 2, ...: held but not known (to the sender) to be committed.
  /// At most kMaxUncommitted entries.
  std::vector<Request> suffix;

  /// The sender's commit number: snapshot.commit_number.
  [[nodiscard]] OpNumber commit_number() const { return snapshot.commit_number; }
  /// The number of the last op held: commit_number() + suffix.size().
  [[nodiscard]] OpNumber op_number() const { return snapshot.commit_number + suffix.size(); }
  /// Logs compare field by field.
  friend bool operator==(const Log&, const Log&) = default;
};

/// Primary → backups (rule N3): "op `op_number` of view `view` is `request`; I have committed
/// everything up to `commit_number`". Also resent as a heartbeat while ops are uncommitted (N7).
struct Prepare {
  ViewNumber view = 0;         ///< the primary's view
  OpNumber op_number = 0;      ///< the position of `request` in the log, >= 1
  OpNumber commit_number = 0;  ///< the primary's commit number, < op_number
  Request request;             ///< the op itself, with its client's request id
  /// Prepares compare field by field.
  friend bool operator==(const Prepare&, const Prepare&) = default;
};

/// Backup → primary (rule N4): "in view `view` I hold every op up to `op_number`". Cumulative: it
/// acknowledges op_number and every op before it.
struct PrepareOk {
  ViewNumber view = 0;     ///< the backup's view
  OpNumber op_number = 0;  ///< the backup's op number: its log is the primary's up to here
  ReplicaId from = 0;      ///< the backup
  /// PrepareOks compare field by field.
  friend bool operator==(const PrepareOk&, const PrepareOk&) = default;
};

/// Primary → backups (rule N7): the heartbeat when nothing is uncommitted: "I am alive, and
/// everything up to `commit_number` is committed".
struct Commit {
  ViewNumber view = 0;         ///< the primary's view
  OpNumber commit_number = 0;  ///< the primary's commit number
  /// Commits compare field by field.
  friend bool operator==(const Commit&, const Commit&) = default;
};

/// Replica → all replicas (rule V1): "I have given up on view `view` - 1; let us move to `view`".
struct StartViewChange {
  ViewNumber view = 0;  ///< the proposed new view
  ReplicaId from = 0;   ///< the sender
  /// StartViewChanges compare field by field.
  friend bool operator==(const StartViewChange&, const StartViewChange&) = default;
};

/// Replica → the new view's primary (rule V3): "here is my log for you to choose from".
struct DoViewChange {
  ViewNumber view = 0;              ///< the new view
  ViewNumber last_normal_view = 0;  ///< the latest view in which the sender's status was normal
  ReplicaId from = 0;               ///< the sender
  Log log;  ///< the sender's log; its op_number() and commit_number() rank it (rule V4)
  /// DoViewChanges compare field by field.
  friend bool operator==(const DoViewChange&, const DoViewChange&) = default;
};

/// New primary → all replicas (rule V5): "view `view` has begun, and this is its log".
struct StartView {
  ViewNumber view = 0;  ///< the new view
  Log log;              ///< the freshest log of the view change, committed up to the largest commit
  /// StartViews compare field by field.
  friend bool operator==(const StartView&, const StartView&) = default;
};

/// Lagging backup → its primary (rule S1): "I am in view `view` and hold ops up to `op_number`;
/// send me your state".
struct GetState {
  ViewNumber view = 0;     ///< the sender's view, which must be the receiver's
  OpNumber op_number = 0;  ///< the sender's op number
  ReplicaId from = 0;      ///< the sender
  /// GetStates compare field by field.
  friend bool operator==(const GetState&, const GetState&) = default;
};

/// Primary → lagging backup (rule S2): the primary's whole log, to replace the backup's.
struct NewState {
  ViewNumber view = 0;  ///< the primary's view
  Log log;              ///< the primary's log
  /// NewStates compare field by field.
  friend bool operator==(const NewState&, const NewState&) = default;
};

/// Recovering replica → all replicas (rule R0; resent by R1): "I forgot everything; tell me where
/// we are".
struct Recovery {
  ReplicaId from = 0;       ///< the recovering replica
  std::uint64_t nonce = 0;  ///< fresh for each crash, so that old answers are not taken for new
  /// Recoveries compare field by field.
  friend bool operator==(const Recovery&, const Recovery&) = default;
};

/// Replica in normal status → recovering replica (rule R2). Only the primary sends its log.
struct RecoveryResponse {
  ViewNumber view = 0;      ///< the responder's view
  std::uint64_t nonce = 0;  ///< the nonce of the Recovery this answers
  ReplicaId from = 0;       ///< the responder
  std::optional<Log> log;   ///< the responder's log if it is view's primary, else nothing
  /// RecoveryResponses compare field by field.
  friend bool operator==(const RecoveryResponse&, const RecoveryResponse&) = default;
};

/// Any message of the protocol. The wire's type byte is the alternative's index + 1
/// (MessageType).
using Message =
    std::variant<Request, Reply, Prepare, PrepareOk, Commit, StartViewChange, DoViewChange,
                 StartView, GetState, NewState, Recovery, RecoveryResponse>;

/// The kind of a message, as its wire type byte: Message's alternative index + 1.
enum class MessageType : std::uint8_t {
  request = 1,             ///< Request
  reply = 2,               ///< Reply
  prepare = 3,             ///< Prepare
  prepare_ok = 4,          ///< PrepareOk
  commit = 5,              ///< Commit
  start_view_change = 6,   ///< StartViewChange
  do_view_change = 7,      ///< DoViewChange
  start_view = 8,          ///< StartView
  get_state = 9,           ///< GetState
  new_state = 10,          ///< NewState
  recovery = 11,           ///< Recovery
  recovery_response = 12,  ///< RecoveryResponse
};

/// The type of `message`.
MessageType type_of(const Message& message);

/// The message's name as in docs/protocol.md: "Request", "PrepareOk", ...
const char* to_string(MessageType type);

/// One short human line for logs and diagrams, e.g. "Prepare v1 op7 c0#3 add(+2) commit6".
///
/// The formats, one per message (a log is shown as "opN commitM"):
///
///     Request c0#3 add(+2)              Reply v1 c0#3 =12
///     Prepare v1 op7 c0#3 read commit6  PrepareOk v1 op7 from r2
///     Commit v1 commit6                 StartViewChange v2 from r1
///     DoViewChange v2 from r1 normal_v1 op7 commit6
///     StartView v2 op7 commit6          GetState v1 op5 from r2
///     NewState v1 op7 commit6           Recovery from r2 nonce 9
///     RecoveryResponse v1 from r0 nonce 9 op7 commit6  (or "no log" from a backup)
std::string describe(const Message& message);

/// "add(+2)", "add(-1)", "read".
std::string describe(const Op& op);

}  // namespace ladder::protocol
