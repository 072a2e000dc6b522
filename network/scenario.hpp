#pragma once
/// \file
/// Scenarios: a fault plan plus the workload that runs under it, loaded from `scenarios/*.json`.

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "network/fault_plan.hpp"
#include "network/types.hpp"

namespace ladder::net {

/// What the clients do: each client runs `operations` operations one after another.
struct Workload {
  int clients = 1;                ///< number of clients
  int operations = 10;            ///< operations per client
  std::int64_t delta_min = 1;     ///< smallest delta an add draws
  std::int64_t delta_max = 1;     ///< largest delta an add draws
  double read_probability = 0.0;  ///< each operation is a read with this probability, else an add
  Time think_min_ms = 0;          ///< shortest pause between a client's operations
  Time think_max_ms = 0;          ///< longest pause between a client's operations
};

/// A named fault scenario: description, topology, workload, fault plan and expected verdicts.
struct Scenario {
  std::string name;         ///< the file's stem, e.g. "lossy"
  std::string description;  ///< one or two sentences for the reader
  int replicas = 3;         ///< number of replicas
  Workload workload;        ///< what the clients do
  FaultPlan faults;         ///< what the network does
  Time stuck_after_ms =
      2000;  ///< no progress for this long with a majority up and connected is STUCK
  /// Expected verdicts per level ("level0" -> {"DIVERGED"}), checked by the tests at the
  /// scenario's `seed`; "ok" means a clean run. Documentation the tests keep honest.
  std::map<std::string, std::vector<std::string>> expect;
  std::uint64_t seed = 1;  ///< the seed the tour and the expectations use

  /// The topology the scenario runs on.
  [[nodiscard]] Topology topology() const { return Topology{replicas, workload.clients}; }
};

/// A scenario file that cannot be used. what() names the file, the JSON path and what was expected.
class ScenarioError : public std::runtime_error {
 public:
  /// `file`: where it came from; `json_path`: e.g. "/faults/timeline/2/at_ms"; `problem`: what was
  /// expected.
  ScenarioError(std::string file, std::string json_path, const std::string& problem);
  /// The file the error is in.
  [[nodiscard]] const std::string& file() const { return file_; }
  /// The JSON pointer of the offending value.
  [[nodiscard]] const std::string& json_path() const { return json_path_; }

 private:
  std::string file_;
  std::string json_path_;
};

/// Validates a parsed scenario document; `source` names it in errors and `name` becomes
/// Scenario::name. Unknown fields are errors. Throws ScenarioError.
Scenario parse_scenario(const nlohmann::json& doc, const std::string& source,
                        const std::string& name);
/// Reads and validates one scenario file. Throws ScenarioError (also for unreadable or non-JSON
/// files).
Scenario load_scenario(const std::filesystem::path& file);
/// Every `*.json` in `dir`, sorted by name. Throws ScenarioError on the first bad file.
std::vector<Scenario> load_scenarios(const std::filesystem::path& dir);
/// The scenario as a document that parse_scenario accepts again (round trip).
nlohmann::json to_json(const Scenario& scenario);

/// One operation a client will run, drawn in advance from the workload so that every level
/// (and every replay) runs the same operations for the same seed.
struct PlannedOp {
  bool read = false;       ///< a read, else an add
  std::int64_t delta = 0;  ///< add: the delta
  Time think_ms = 0;       ///< pause before invoking it
};

/// The operations of every client (outer index: client), drawn from `seed`.
std::vector<std::vector<PlannedOp>> plan_workload(const Workload& workload, std::uint64_t seed);

/// The monkey: a random but valid scenario drawn from `seed` on the given topology and workload.
/// It draws drop, duplicate, delay and response-loss parameters and a timeline of partitions,
/// one-way cuts, heals, crashes and restarts that ends healed with every node up.
Scenario monkey_scenario(std::uint64_t seed, int replicas, const Workload& workload);

}  // namespace ladder::net
