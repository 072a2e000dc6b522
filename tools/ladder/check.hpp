#pragma once
/// \file
/// `ladder check NN`: the grader of the exercises. It builds one exercise's tests against the
/// reader's starter (or the solution), runs every test case on its own, and prints one line per
/// case with the hint that goes with a failure. The pieces it is made of (finding an exercise,
/// reading Catch2's output, the hints table) are declared here too, so that they can be tested
/// without building anything.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ladder::tools {

/// Options of `ladder check`.
struct CheckOptions {
  std::string exercise;   ///< "01", "1" or "01_acks"
  bool solution = false;  ///< check the exercise's solution instead of the reader's starter
  bool verbose = false;   ///< also print the build's output and every failure line in full
};

/// Builds and runs one exercise's tests against the reader's starter (or the solution); prints
/// pass/fail per test with hints. Returns kExitOk (0) when all pass, kExitFailure (1) when some
/// fail or do not build, and kExitUsage (2) when it cannot grade at all: an unknown exercise, no
/// build directory, or a failure of the machine rather than of the code (usage_error.hpp).
int check_exercise(const CheckOptions& options);

/// An exercise folder: `exercises/NN_slug/`.
struct Exercise {
  std::string number;          ///< "01"
  std::string slug;            ///< "acks"
  std::filesystem::path path;  ///< the folder itself

  /// "01_acks", the folder's name.
  [[nodiscard]] std::string name() const { return number + "_" + slug; }
  /// The CMake target holding its tests: "exercise_01_starter" or "exercise_01_solution".
  [[nodiscard]] std::string target(bool solution) const;
};

/// Every exercise folder under `root` (named two digits, an underscore, a slug), sorted by number.
/// Other entries are ignored; a missing root gives an empty list.
std::vector<Exercise> list_exercises(const std::filesystem::path& root);

/// The exercise that `query` names: its number with or without the leading zero ("01", "1") or its
/// folder name ("01_acks"). nullopt when none matches.
std::optional<Exercise> find_exercise(const std::vector<Exercise>& exercises,
                                      std::string_view query);

/// Test case names as printed by a Catch2 binary run with `--list-test-names-only`.
std::vector<std::string> parse_test_names(std::string_view output);

/// One failed assertion or warning as Catch2's compact reporter prints it.
struct ReportLine {
  std::string location;  ///< "exercises/01_acks/tests/acks_test.cpp:42"
  std::string result;    ///< "failed" or "warning"
  std::string message;   ///< what follows "failed: ", continuation lines joined by newlines
};

/// The failed assertions and warnings in the output of a Catch2 binary run with
/// `--reporter compact`, in order. Passing assertions, the totals line and blank lines are skipped.
std::vector<ReportLine> parse_compact_report(std::string_view output);

/// What a report line says in words: the quoted messages of a failure ("... with 1 message:
/// 'seed 7: LOST 3'"), which is where ladder's tests explain themselves, or a warning's text; the
/// whole message when it quotes none.
std::string explanation(const ReportLine& line);

/// The hints table of an exercise: `tests/hints.json` in its folder.
///
/// \code{.json}
/// { "next": "what to do once every test passes",
///   "hints": { "test case name": "what to look at when it fails" } }
/// \endcode
struct Hints {
  std::string next;                          ///< printed when every test passes
  std::map<std::string, std::string> hints;  ///< by test case name
};

/// Reads a hints table. Throws std::runtime_error naming the file and the field when it is
/// unreadable, not JSON, or not of the shape above.
Hints load_hints(const std::filesystem::path& file);

/// Quotes `arg` for a POSIX shell: the result is one word whatever `arg` holds.
std::string shell_quote(std::string_view arg);

/// Escapes `name` so that Catch2 matches it as one exact test case name (`,`, `[`, `]`, `*`, `~`,
/// `"` and `\` are special in Catch2's test specs).
std::string catch_test_spec(std::string_view name);

}  // namespace ladder::tools
