#pragma once
/// \file
/// The checkers: each is a pure function from what happened to a list of findings, and each
/// finding names its evidence (the request, the replica, the time).
///
/// How the checkers count adds, once for all of them:
/// - an add *happened* when it was acknowledged (ok), *did not happen* when it failed, and
///   *might have happened* when its outcome is unknown (info) or it never completed (pending);
/// - attempts that carry the same RequestId are one add (a retry is the same request again): it
///   is acknowledged if any attempt was, failed only if every attempt failed;
/// - an unknown add of delta d moves the possible final value by anything between min(0, d) and
///   max(0, d), so the final value of a live replica must lie in
///   [acknowledged + Σ min(0, d), acknowledged + Σ max(0, d)] over the unknown adds.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "counter_spec/history.hpp"

namespace ladder::spec {

/// What a replica held when the run ended (after the network healed and went quiet).
struct ReplicaState {
  std::string name;                ///< "r0", "r1", ...
  bool up = true;                  ///< false when it was still crashed (its value is then ignored)
  std::int64_t value = 0;          ///< its counter
  bool has_apply_log = false;      ///< true when the level records which requests it applied
  std::vector<RequestId> applied;  ///< the requests it applied, in order (when has_apply_log)
};

/// Which rule a finding breaks.
enum class FindingKind {
  lost,        ///< a replica's value misses increments that were acknowledged
  duplicated,  ///< a replica holds more than every add that might have happened, or applied one
               ///< twice
  diverged,    ///< live replicas disagree after the network healed and went quiet
  stuck,       ///< no operation completed for too long while a majority was up and connected
  bad_read,    ///< a read returned a value no order of the adds explains
  not_linearizable,  ///< no order of the calls, each at an instant within its interval, explains
                     ///< every read (check_linearizable; check_all runs it when asked)
};

/// "LOST", "DUPLICATED", "DIVERGED", "STUCK", "BAD-READ", "NONLINEAR".
const char* to_string(FindingKind kind);

/// One broken rule, with its evidence.
struct Finding {
  FindingKind kind = FindingKind::lost;  ///< the rule
  std::int64_t amount = 0;  ///< lost/duplicated: by how much the value is off; diverged: highest
                            ///< minus lowest value; stuck: ms without progress; bad_read: 1
  std::string evidence;     ///< one sentence naming the request, the replica, the time
};

/// An interval [begin, end) in which a majority of replicas was up and connected.
struct Interval {
  Time begin = 0;  ///< first millisecond in the interval
  Time end = 0;    ///< first millisecond after it
};

/// LOST: some live replica's value is below what the acknowledged adds guarantee.
/// (With negative deltas the bound accounts for unknown adds that might have lowered it.)
/// One finding per such replica; with an apply log the evidence names the acknowledged requests
/// missing from it, else the last acknowledged add.
std::vector<Finding> check_lost(const History& history, std::span<const ReplicaState> replicas);
/// DUPLICATED: some live replica's value exceeds every add that might have happened, or its
/// apply log holds a request twice (named in the evidence). One finding per such replica; its
/// amount is the larger of (value - upper bound) and the deltas applied more than once.
std::vector<Finding> check_duplicated(const History& history,
                                      std::span<const ReplicaState> replicas);
/// DIVERGED: the live replicas hold different values (all of them are listed).
std::vector<Finding> check_diverged(std::span<const ReplicaState> replicas);
/// STUCK: within a window where a majority was up and connected, an operation was outstanding and
/// none completed for `threshold_ms` or more. `end` is when the run ended.
///
/// Progress is an ok completion: a fail or an info is the system saying "no" or nothing. An
/// operation waits from its invoke to its completion (or to `end`). A stretch runs, between two
/// acknowledgements, from the first moment an operation was waiting to the last: pauses between
/// a client's retries do not break it, time when nobody was asking is not part of it. Stretches
/// are clipped to the windows and to `end`; each one long enough is a finding.
std::vector<Finding> check_stuck(const History& history, std::span<const Interval> majority_windows,
                                 Time threshold_ms, Time end);
/// BAD-READ: a read's value lies outside [adds acknowledged before it began, adds that might have
/// happened before it ended]. One finding per bad read.
///
/// For an ok read invoked at t0 and answered at t1: the adds acknowledged before t0 are in it;
/// any other add that might have happened and was invoked by t1 may be in it; nothing else is.
/// Times are whole milliseconds, so events in the same millisecond count as concurrent.
std::vector<Finding> check_reads(const History& history);

/// NONLINEAR: the history is not linearizable for the counter (linearizability.hpp): no order
/// of the adds and reads, each taking effect at one instant between its invoke and its return
/// (unknown adds: any time after the invoke, or never), explains every read. Stronger than
/// check_reads, which judges each read alone. At most one finding; its evidence names the call
/// that cannot be placed. check_all runs it when RunRecord::linearizable_reads is set and
/// check_reads found nothing (a bad read is already not linearizable, and says more).
std::vector<Finding> check_linearizable(const History& history);

/// Everything a checker needs to know about a finished run.
struct RunRecord {
  History history;                         ///< what the clients saw
  std::vector<ReplicaState> replicas;      ///< where the replicas ended
  std::vector<Interval> majority_windows;  ///< when a majority was up and connected
  Time stuck_after_ms = 2000;              ///< STUCK threshold
  Time end = 0;                            ///< when the run ended
  /// Judge the reads as a whole too: when check_reads finds no bad read, check_linearizable runs
  /// (NONLINEAR). Levels 1-3 set it; level 0 does not, because its naive store makes every
  /// history with a concurrent read fail for reasons its other verdicts already name.
  bool linearizable_reads = false;
};

/// The verdict of every checker on one run.
struct Verdict {
  std::vector<Finding> findings;  ///< empty for a clean run, else in the order lost, duplicated,
                                  ///< diverged, stuck, bad_read, not_linearizable

  /// True when nothing was found.
  [[nodiscard]] bool ok() const { return findings.empty(); }
  /// True when some finding is of `kind`.
  [[nodiscard]] bool has(FindingKind kind) const;
  /// The table cell: "ok", "LOST 3", "LOST 3 DIVERGED", ... (each kind once). LOST and
  /// DUPLICATED carry the worst replica's amount (three replicas each missing the same +3 is
  /// "LOST 3"), BAD-READ the number of bad reads; DIVERGED and STUCK carry no number.
  [[nodiscard]] std::string cell() const;
  /// The one-line verdict the demos print: the cell, ": ", then the first finding's evidence
  /// ("ok" alone for a clean run).
  [[nodiscard]] std::string summary() const;
  /// The kinds found, as strings ("LOST", "DIVERGED"), each once, in order; {"ok"} when clean.
  [[nodiscard]] std::vector<std::string> kinds() const;
};

/// Runs every checker (check_linearizable only when run.linearizable_reads is set).
Verdict check_all(const RunRecord& run);

}  // namespace ladder::spec
