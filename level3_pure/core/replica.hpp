#pragma once
/// \file
/// A replica of level 3 as plain data: everything a replica knows, in one copyable,
/// equality-comparable, hashable value. No function here changes it; step() (step.hpp) returns
/// the next one.
///
/// The fields are the table "What a replica holds" of docs/protocol.md, one for one, plus the
/// replica's own configuration (who it is, the cluster's parameters and which variant of the
/// protocol it runs), so that a Replica alone is enough for step() and for level 4, which stores
/// whole states in a hash set.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/config.hpp"
#include "protocol/messages.hpp"
#include "protocol/variant.hpp"

namespace ladder::level3 {

/// Which protocol the replica runs (protocol/variant.hpp): first_release plants the V4 flaw.
using protocol::Variant;
/// A replica's status: normal, view_change or recovering (protocol/variant.hpp).
using protocol::parse_variant;
using protocol::Status;
using protocol::to_string;

/// A replica's role, read off its state (docs/protocol.md, "Roles and transitions").
enum class Role {
  primary,      ///< normal status, primary(view) == self
  backup,       ///< normal status, someone else is primary
  view_change,  ///< status view_change
  recovering,   ///< status recovering
};

/// "primary", "backup", "view_change", "recovering".
const char* to_string(Role role);

/// Rule V4's decision: which recorded DoViewChange's log a new primary installs, and the commit
/// number it applies up to.
struct LogChoice {
  protocol::ReplicaId from = 0;   ///< the replica whose recorded DoViewChange log is installed
  protocol::OpNumber commit = 0;  ///< apply up to this op (capped at the installed log's ops)
  /// Choices compare field by field.
  friend bool operator==(const LogChoice&, const LogChoice&) = default;
};

/// Rule V4's decision as a pure function of the DoViewChanges a new primary recorded (`dvc[r]` is
/// replica r's; at least a quorum are present, `self`'s included). A plain function pointer, not
/// a std::function: a Replica stays cheap to copy and compare (level 4 stores millions).
using LogChooser = LogChoice (*)(const std::vector<std::optional<protocol::DoViewChange>>& dvc,
                                 protocol::ReplicaId self);

/// Who a replica is and the rules it plays by: fixed for a replica's whole life.
struct ReplicaConfig {
  protocol::ReplicaId self = 0;      ///< this replica's id, 0 .. cluster.replicas - 1
  protocol::Config cluster;          ///< n and the timeouts
  Variant variant = Variant::fixed;  ///< which V4 the replica runs
  /// When set, replaces the variant's V4 decision (exercise 07 plugs the reader's in); nullptr,
  /// the default, runs the variant's. Compared by ==; left out of hash_value, which must not
  /// depend on pointer values (equal replicas still hash equal).
  LogChooser choose_log = nullptr;
  /// Configs compare field by field (protocol::Config's fields included).
  friend bool operator==(const ReplicaConfig& a, const ReplicaConfig& b);
  /// True when the cluster is valid and self is one of its replicas.
  [[nodiscard]] bool valid() const;
};

/// The durable fields of rule P1: what a Persist action writes and a Recovered input reads back.
struct Durable {
  protocol::ViewNumber view = 0;              ///< the current view
  protocol::ViewNumber last_normal_view = 0;  ///< the latest view with status normal
  protocol::Log log;                          ///< snapshot and suffix
  /// Durable states compare field by field.
  friend bool operator==(const Durable&, const Durable&) = default;
};

/// A set of replica ids (0 .. kMaxReplicas-1) in one word: svc's type. Compact, ordered, hashable.
class ReplicaSet {
 public:
  /// Adds `id`; precondition (asserted): id < kMaxReplicas.
  void insert(protocol::ReplicaId id);
  /// True when `id` is in the set.
  [[nodiscard]] bool contains(protocol::ReplicaId id) const;
  /// The number of ids in the set.
  [[nodiscard]] int size() const;
  /// Empties the set.
  void clear() { bits_ = 0; }
  /// The set as a bit mask: bit i for replica i.
  [[nodiscard]] std::uint32_t bits() const { return bits_; }
  /// Sets compare by their members.
  friend bool operator==(const ReplicaSet&, const ReplicaSet&) = default;

 private:
  std::uint32_t bits_ = 0;
};

/// Everything one replica knows. Plain data: copy it, compare it, hash it.
///
/// The per-replica tables (acked, dvc, responses) have exactly config.cluster.replicas entries,
/// indexed by replica id; the entry for self is unused except in dvc (a new primary records its
/// own DoViewChange there, rule V3).
struct Replica {
  ReplicaConfig config;  ///< who this replica is and which variant it runs

  // The durable fields (P1).
  protocol::ViewNumber view = 0;              ///< the current view
  protocol::ViewNumber last_normal_view = 0;  ///< the latest view in which status was normal
  protocol::Log log;                          ///< the snapshot of ops 1 .. commit, then the suffix

  // The volatile fields.
  Status status = Status::normal;  ///< derived from the durable fields on a restart (P3)
  /// Primary only: acked[r] is the highest op backup r acknowledged in this view (N4).
  std::vector<protocol::OpNumber> acked;
  /// View change: the replicas whose StartViewChange (or DoViewChange) for `view` arrived (V2).
  ReplicaSet svc;
  /// New primary: dvc[r] is replica r's DoViewChange for `view` (V4).
  std::vector<std::optional<protocol::DoViewChange>> dvc;
  /// View change: whether this replica sent its DoViewChange for `view` (V3).
  bool sent_do_view_change = false;
  /// Recovering: this recovery's nonce, supplied by the driver in the Recovered input (R0).
  std::uint64_t nonce = 0;
  /// Recovering: responses[r] is replica r's RecoveryResponse carrying `nonce` (R3).
  std::vector<std::optional<protocol::RecoveryResponse>> responses;

  /// The state every replica starts in: view 0, status normal, an empty log, empty tables
  /// sized for the cluster. Precondition (asserted): config.valid().
  static Replica initial(const ReplicaConfig& config);
  /// A process that has just started and not yet read its disk: the initial state with status
  /// recovering. A driver that still holds the state its replica crashed in (the simulator) feeds
  /// Recovered to that state; a driver that lost it with the process (the runtime) feeds Recovered
  /// to this one. Its role, recovering, is the one from which the role table allows every restart:
  /// the role the replica had when it crashed is unknown to a new process, and initial()'s role
  /// (primary for r0) would be a guess. Precondition (asserted): config.valid().
  static Replica restarting(const ReplicaConfig& config);

  /// The role read off the state: primary, backup, view_change or recovering.
  [[nodiscard]] Role role() const;
  /// The number of the last op held: log.op_number().
  [[nodiscard]] protocol::OpNumber op_number() const { return log.op_number(); }
  /// The number of the last op known committed (and applied): log.commit_number().
  [[nodiscard]] protocol::OpNumber commit_number() const { return log.commit_number(); }
  /// The counter's committed value: log.snapshot.value.
  [[nodiscard]] std::int64_t value() const { return log.snapshot.value; }
  /// The durable fields (P1), as a Persist action writes them.
  [[nodiscard]] Durable durable() const { return Durable{view, last_normal_view, log}; }
  /// True for a backup that entered its view by S0 and has not installed the primary's log
  /// yet (S3): its last_normal_view is still the older view, and it appends no Prepare.
  [[nodiscard]] bool awaiting_state() const {
    return status == Status::normal && last_normal_view < view;
  }
  /// The primary of the current view.
  [[nodiscard]] protocol::ReplicaId primary() const { return config.cluster.primary(view); }
  /// One line for traces, e.g. "r1 backup v2 op7 commit6 =12".
  [[nodiscard]] std::string describe() const;

  /// Replicas compare field by field: level 4 deduplicates states with it.
  friend bool operator==(const Replica&, const Replica&) = default;
};

/// A hash of every field of `replica`, the same on every machine and every run (no pointer
/// values, no std::hash of strings): equal replicas hash equal.
std::size_t hash_value(const Replica& replica);

}  // namespace ladder::level3

namespace std {

/// Lets Replica key a std::unordered_set (level 4's visited states).
template <>
struct hash<ladder::level3::Replica> {
  /// hash_value(replica).
  size_t operator()(const ladder::level3::Replica& replica) const {
    return ladder::level3::hash_value(replica);
  }
};

}  // namespace std
