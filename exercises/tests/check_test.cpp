// Tests of the grader behind `ladder check NN` (tools/ladder/check.cpp), without building
// anything: the pieces that find an exercise, read Catch2's compact output and load the hints.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tools/ladder/check.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ladder::tools;

/// A fresh, empty directory under the system's temp directory, removed again at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("ladder-check-test-" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

std::string read(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What `exercise_01_starter <one case> --reporter compact` prints, trimmed to the shapes that
// matter: an exception (with the "; expression was" tail), a CHECK with a two-line INFO message,
// an explicit FAIL, a warning and the totals.
constexpr const char* kCompactOutput =
    "/src/exercises/01_acks/tests/acks_test.cpp:120: failed: unexpected exception with message: "
    "'Exercise 01: your code here — part 1: do it; see exercises/01_acks/README.md'; expression "
    "was: network.run_until_quiet(1000)\n"
    "/src/exercises/01_acks/tests/acks_test.cpp:200: failed: bad.empty() for: false with 1 "
    "message: '3 of 50 seeds of lossy went wrong; the first, seed 7: LOST 3\n"
    "r1 misses c0 add(+3)'\n"
    "/src/a_test.cpp:9: failed: explicitly with 2 messages: 'first' and 'it's second'\n"
    "/src/a_test.cpp:10: warning: 'just so you know'\n"
    "Failed 1 test case, failed 3 assertions.\n"
    "\n";

TEST_CASE("check: compact output is split into failures and warnings with location and message",
          "[check]") {
  const std::vector<ReportLine> failures = parse_compact_report(kCompactOutput);
  REQUIRE(failures.size() == 4);
  CHECK(failures[0].result == "failed");
  CHECK(failures[0].location == "/src/exercises/01_acks/tests/acks_test.cpp:120");
  CHECK(failures[0].message.starts_with("unexpected exception with message: 'Exercise 01"));
  CHECK(failures[1].location == "/src/exercises/01_acks/tests/acks_test.cpp:200");
  CHECK(failures[1].message.ends_with("seed 7: LOST 3\nr1 misses c0 add(+3)'"));
  CHECK(failures[2].location == "/src/a_test.cpp:9");
  CHECK(failures[3].location == "/src/a_test.cpp:10");
  CHECK(failures[3].result == "warning");
  CHECK(failures[3].message == "'just so you know'");
}

TEST_CASE("check: a failure or warning is explained by its quoted messages", "[check]") {
  const std::vector<ReportLine> failures = parse_compact_report(kCompactOutput);
  REQUIRE(failures.size() == 4);
  CHECK(explanation(failures[0]) ==
        "Exercise 01: your code here — part 1: do it; see exercises/01_acks/README.md");
  CHECK(explanation(failures[1]) ==
        "3 of 50 seeds of lossy went wrong; the first, seed 7: LOST 3\nr1 misses c0 add(+3)");
  CHECK(explanation(failures[2]) == "first\nit's second");
  CHECK(explanation(failures[3]) == "just so you know");
  CHECK(explanation(ReportLine{"x.cpp:1", "failed", "a == b for: 1 == 2"}) == "a == b for: 1 == 2");
}

TEST_CASE("check: output without failures or warnings gives no report lines", "[check]") {
  CHECK(parse_compact_report("Passed 1 test case with 4 assertions.\n\n").empty());
  CHECK(parse_compact_report("").empty());
  CHECK(parse_compact_report("/src/a_test.cpp:3: passed: x == 1 for: 1 == 1\n").empty());
  // A colon-separated line that is not "<file>:<line>: failed: " is not a failure.
  CHECK(parse_compact_report("note: failed: nothing\n").empty());
}

TEST_CASE("check: test names are the non-empty lines of --list-test-names-only", "[check]") {
  CHECK(parse_test_names("part 1: a\npart 2: b, with a comma\n\n") ==
        std::vector<std::string>{"part 1: a", "part 2: b, with a comma"});
}

TEST_CASE("check: exercises are the NN_slug folders, sorted by number", "[check]") {
  TempDir root("list");
  for (const char* folder : {"02_second", "01_first", "notes", "1_short", "ab_letters"}) {
    fs::create_directories(root.path() / folder);
  }
  write(root.path() / "03_a_file", "not a folder");

  const std::vector<Exercise> exercises = list_exercises(root.path());
  REQUIRE(exercises.size() == 2);
  CHECK(exercises[0].name() == "01_first");
  CHECK(exercises[0].number == "01");
  CHECK(exercises[0].slug == "first");
  CHECK(exercises[1].name() == "02_second");
  CHECK(list_exercises(root.path() / "missing").empty());
}

TEST_CASE("check: an exercise is found by number, short number or folder name", "[check]") {
  const std::vector<Exercise> exercises{{"01", "acks", "/x/01_acks"}, {"12", "more", "/x/12_more"}};
  CHECK(find_exercise(exercises, "01")->name() == "01_acks");
  CHECK(find_exercise(exercises, "1")->name() == "01_acks");
  CHECK(find_exercise(exercises, "01_acks")->name() == "01_acks");
  CHECK(find_exercise(exercises, "12")->name() == "12_more");
  CHECK_FALSE(find_exercise(exercises, "2").has_value());
  CHECK_FALSE(find_exercise(exercises, "acks").has_value());
  CHECK_FALSE(find_exercise(exercises, "").has_value());
  CHECK(exercises[0].target(false) == "exercise_01_starter");
  CHECK(exercises[0].target(true) == "exercise_01_solution");
}

TEST_CASE("check: a hints table loads, and a bad one is named by file and field", "[check]") {
  TempDir root("hints");
  const fs::path file = root.path() / "hints.json";
  write(file, R"({"next": "go on", "hints": {"part 1: a": "look at b"}})");
  const Hints hints = load_hints(file);
  CHECK(hints.next == "go on");
  CHECK(hints.hints.at("part 1: a") == "look at b");

  write(file, R"({"hints": {"part 1: a": 3}})");
  CHECK_THROWS_WITH(load_hints(file), Catch::Contains(file.string()) &&
                                          Catch::Contains("/hints/part 1: a: expected a string"));
  write(file, R"({"hint": {}})");
  CHECK_THROWS_WITH(load_hints(file), Catch::Contains("/hint: unknown field"));
  write(file, "{ not json");
  CHECK_THROWS_WITH(load_hints(file), Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(load_hints(root.path() / "missing.json"), Catch::Contains("cannot read"));
}

TEST_CASE("check: every exercise's hints name test cases that exist", "[check]") {
  // A renamed test case would silently lose its hint; this keeps the table and the tests in step.
  const std::vector<Exercise> exercises = list_exercises(fs::path(LADDER_SOURCE_DIR) / "exercises");
  REQUIRE_FALSE(exercises.empty());
  for (const Exercise& exercise : exercises) {
    const Hints hints = load_hints(exercise.path / "tests" / "hints.json");
    CHECK_FALSE(hints.next.empty());
    std::string sources;
    for (const auto& entry : fs::directory_iterator(exercise.path / "tests")) {
      if (entry.path().extension() == ".cpp") sources += read(entry.path());
    }
    // Catch2 test names may be split over string literals ("...a " "b..."): join them first.
    std::string joined;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const bool closing_quote = sources[i] == '"' && i > 0 && sources[i - 1] != '\\';
      if (closing_quote) {
        std::size_t j = i + 1;
        while (j < sources.size() && (sources[j] == ' ' || sources[j] == '\n'))
          ++j;
        const bool newline_between = sources.substr(i, j - i).find('\n') != std::string::npos;
        if (j < sources.size() && sources[j] == '"' && newline_between) {
          i = j;  // drop the closing quote, the gap and the next opening quote
          continue;
        }
      }
      joined += sources[i];
    }
    for (const auto& [name, hint] : hints.hints) {
      std::string escaped;
      for (char c : name)
        escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
      INFO(exercise.name() << ": hint for \"" << name << "\"");
      CHECK(joined.find('"' + escaped + '"') != std::string::npos);
      CHECK_FALSE(hint.empty());
    }
  }
}

TEST_CASE("check: shell words and Catch2 test specs are quoted", "[check]") {
  CHECK(shell_quote("plain") == "'plain'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
  CHECK(catch_test_spec("part 2: a, b") == "part 2: a\\, b");
  CHECK(catch_test_spec("[x] *y* ~z \"q\" \\") == "\\[x\\] \\*y\\* \\~z \\\"q\\\" \\\\");
}

}  // namespace
