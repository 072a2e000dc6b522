/// \file
/// The grader behind `ladder check NN`; see check.hpp.

#include "tools/ladder/check.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "tools/ladder/usage_error.hpp"

// The ladder target compiles this file with both paths defined (see exercises/CMakeLists.txt):
// the grader finds the exercises in the source tree and builds them in the build tree.
#ifndef LADDER_SOURCE_DIR
#error "check.cpp needs LADDER_SOURCE_DIR (the repository root) as a compile definition"
#endif
#ifndef LADDER_BINARY_DIR
#error "check.cpp needs LADDER_BINARY_DIR (the CMake build directory) as a compile definition"
#endif

namespace ladder::tools {

namespace {

namespace fs = std::filesystem;

/// What a finished child process left behind.
struct ProcessResult {
  int exit_code = 0;   ///< 0..255, or 128 + signal when a signal ended it
  std::string output;  ///< stdout and stderr, interleaved as written
};

/// Runs `command` through the shell and collects everything it prints.
ProcessResult run_command(const std::string& command) {
  const std::string merged = command + " 2>&1";
  FILE* pipe = popen(merged.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error(fmt::format("cannot run: {}", command));
  ProcessResult result;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, got);
  const int status = pclose(pipe);
  if (status == -1) throw std::runtime_error(fmt::format("cannot wait for: {}", command));
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

/// Catch2's compact reporter begins each reported assertion with "<file>:<line>: ". Returns the
/// position of the ": " after the line number, npos for any other line.
std::size_t location_end(std::string_view line) {
  for (std::size_t colon = line.find(':'); colon != std::string_view::npos;
       colon = line.find(':', colon + 1)) {
    std::size_t end = colon + 1;
    while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end])) != 0)
      ++end;
    if (end > colon + 1 && line.substr(end).starts_with(": ")) return end;
  }
  return std::string_view::npos;
}

/// Lines of Catch2's compact output that end a message's continuation lines.
bool is_totals_line(std::string_view line) {
  return line.empty() || line.starts_with("Failed ") || line.starts_with("Passed ") ||
         line.starts_with("No tests ran");
}

/// The first line of the exercise's README without its "# ", as the grader's title.
std::string exercise_title(const Exercise& exercise) {
  std::ifstream in(exercise.path / "README.md");
  std::string line;
  if (!in || !std::getline(in, line)) return exercise.name();
  while (!line.empty() && (line.front() == '#' || line.front() == ' '))
    line.erase(0, 1);
  // Doxygen's page anchor ("# Title {#anchor}") is for the site, not for the terminal.
  if (const std::size_t anchor = line.find(" {#"); anchor != std::string::npos) line.resize(anchor);
  // "Exercise 01: acknowledgements and retries" -> "acknowledgements and retries".
  const std::size_t colon = line.find(": ");
  if (line.starts_with("Exercise ") && colon != std::string::npos) line.erase(0, colon + 2);
  return line.empty() ? exercise.name() : line;
}

/// A path inside the repository as the reader would type it.
std::string relative_to_source(const std::string& path) {
  const std::string root = std::string(LADDER_SOURCE_DIR) + "/";
  return path.starts_with(root) ? path.substr(root.size()) : path;
}

/// Prints `text` with `indent` before every line after the first.
void print_indented(std::string_view label, std::string_view text) {
  const auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    fmt::print("        {:<6}{}\n", i == 0 ? label : "", lines[i]);
  }
}

std::string list_for_usage(const std::vector<Exercise>& exercises) {
  std::string list;
  for (const Exercise& exercise : exercises) {
    list += fmt::format("  {}  {}\n", exercise.name(), exercise_title(exercise));
  }
  return list.empty() ? "  (none: the exercises folder is empty)\n" : list;
}

/// The result of one test case, as the grader prints it.
struct CaseOutcome {
  std::string name;
  bool passed = false;
  bool crashed = false;
  int exit_code = 0;
  std::vector<ReportLine> failures;
  std::vector<ReportLine> warnings;
  std::string output;
};

CaseOutcome run_case(const fs::path& binary, const std::string& name) {
  const std::string command =
      fmt::format("{} {} --reporter compact --use-colour no", shell_quote(binary.string()),
                  shell_quote(catch_test_spec(name)));
  ProcessResult result = run_command(command);
  CaseOutcome outcome;
  outcome.name = name;
  outcome.exit_code = result.exit_code;
  for (ReportLine& line : parse_compact_report(result.output)) {
    (line.result == "failed" ? outcome.failures : outcome.warnings).push_back(std::move(line));
  }
  // Catch2 exits with the number of failed assertions (capped at 255), so 0 is a pass. A signal
  // (exit code 128 + n from the shell) means the test binary itself died before its totals line,
  // which deserves its own words.
  const bool totals_printed = result.output.find(" test case") != std::string::npos;
  outcome.crashed = result.exit_code >= 128 && !totals_printed;
  outcome.passed = result.exit_code == 0 && outcome.failures.empty();
  outcome.output = std::move(result.output);
  return outcome;
}

void print_outcome(const CaseOutcome& outcome, const Hints& hints, bool verbose) {
  fmt::print("  {}  {}\n", outcome.passed ? "PASS" : "FAIL", outcome.name);
  // Warnings are how a passing test shows the reader something (the next level's first break).
  for (const ReportLine& warning : outcome.warnings)
    print_indented("says:", explanation(warning));
  if (outcome.passed) return;
  if (outcome.crashed) {
    print_indented("why:", fmt::format("the test crashed (exit code {}); run it under the asan "
                                       "preset or a debugger to see where",
                                       outcome.exit_code));
  }
  const std::size_t shown =
      verbose ? outcome.failures.size() : std::min<std::size_t>(1, outcome.failures.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const ReportLine& failure = outcome.failures[i];
    print_indented("why:", explanation(failure));
    print_indented("at:", relative_to_source(failure.location));
  }
  if (outcome.failures.size() > shown) {
    fmt::print("        ({} more failed assertions; --verbose shows them)\n",
               outcome.failures.size() - shown);
  }
  if (outcome.failures.empty() && !outcome.crashed) {
    print_indented("why:", outcome.output);
  }
  if (const auto hint = hints.hints.find(outcome.name); hint != hints.hints.end()) {
    print_indented("hint:", hint->second);
  }
}

/// The whole of `ladder check`; check_exercise() adds the last line of defence.
int grade(const CheckOptions& options) {
  const fs::path source_dir = LADDER_SOURCE_DIR;
  const fs::path binary_dir = LADDER_BINARY_DIR;
  const std::vector<Exercise> exercises = list_exercises(source_dir / "exercises");
  const std::optional<Exercise> exercise = find_exercise(exercises, options.exercise);
  if (!exercise) {
    fmt::print(stderr, "ladder check: unknown exercise '{}'; the exercises are:\n{}",
               options.exercise, list_for_usage(exercises));
    return kExitUsage;
  }
  if (!fs::exists(binary_dir / "CMakeCache.txt")) {
    fmt::print(stderr,
               "ladder check: no CMake build directory at {}; configure one first "
               "(./run does it)\n",
               binary_dir.string());
    return kExitUsage;
  }

  const std::string variant = options.solution ? "solution" : "starter";
  const std::string target = exercise->target(options.solution);
  fmt::print("Exercise {}: {}\n", exercise->number, exercise_title(*exercise));
  fmt::print("checking {}exercises/{}/{}/ (building {} ...)\n",
             options.solution ? "the solution in " : "your code in ", exercise->name(), variant,
             target);
  std::fflush(stdout);

  const ProcessResult build = run_command(fmt::format(
      "cmake --build {} --target {}", shell_quote(binary_dir.string()), shell_quote(target)));
  if (build.exit_code != 0) {
    fmt::print("{}\n", build.output);
    fmt::print(
        "The build failed (output above). Fix the first error it names in "
        "exercises/{}/{}/, then run ./run check {} again.\n",
        exercise->name(), variant, exercise->number);
    return kExitFailure;
  }
  if (options.verbose) fmt::print("{}\n", build.output);

  const fs::path binary = binary_dir / "exercises" / target;
  const ProcessResult listing =
      run_command(fmt::format("{} --list-test-names-only", shell_quote(binary.string())));
  const std::vector<std::string> names = parse_test_names(listing.output);
  // Catch2 2.x exits with the number of test cases it listed, so only a crash or an empty list
  // means the listing failed.
  if (listing.exit_code >= 128 || names.empty()) {
    fmt::print("{}\nThe test binary {} did not list its tests (output above).\n", listing.output,
               binary.string());
    return kExitFailure;
  }

  const fs::path hints_file = exercise->path / "tests" / "hints.json";
  Hints hints;
  try {
    if (fs::exists(hints_file)) hints = load_hints(hints_file);
  } catch (const std::exception& error) {
    // The hints help; grading goes on without them.
    fmt::print(stderr, "ladder check: no hints: {}\n", error.what());
  }
  std::size_t passed = 0;
  for (const std::string& name : names) {
    const CaseOutcome outcome = run_case(binary, name);
    print_outcome(outcome, hints, options.verbose);
    std::fflush(stdout);
    if (outcome.passed) ++passed;
  }

  fmt::print("\n{} of {} tests pass.\n", passed, names.size());
  if (passed == names.size()) {
    if (!hints.next.empty()) fmt::print("Next: {}\n", hints.next);
    return kExitOk;
  }
  fmt::print(
      "Next: read the first failing test's hint and exercises/{}/README.md; change "
      "exercises/{}/{}/, then run ./run check {} again.{}\n",
      exercise->name(), exercise->name(), variant, exercise->number,
      options.solution ? ""
                       : fmt::format(" (./run check {} --solution shows what passing "
                                     "looks like.)",
                                     exercise->number));
  return kExitFailure;
}

}  // namespace

std::string Exercise::target(bool solution) const {
  return fmt::format("exercise_{}_{}", number, solution ? "solution" : "starter");
}

std::vector<Exercise> list_exercises(const fs::path& root) {
  std::vector<Exercise> exercises;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root, error)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    if (name.size() < 4 || name[2] != '_' || !all_digits(std::string_view(name).substr(0, 2))) {
      continue;
    }
    exercises.push_back(Exercise{name.substr(0, 2), name.substr(3), entry.path()});
  }
  std::sort(exercises.begin(), exercises.end(),
            [](const Exercise& a, const Exercise& b) { return a.name() < b.name(); });
  return exercises;
}

std::optional<Exercise> find_exercise(const std::vector<Exercise>& exercises,
                                      std::string_view query) {
  // "1" means "01": readers type the number as they say it.
  const std::string padded =
      query.size() == 1 && all_digits(query) ? "0" + std::string(query) : std::string(query);
  for (const Exercise& exercise : exercises) {
    if (padded == exercise.number || padded == exercise.name()) return exercise;
  }
  return std::nullopt;
}

std::vector<std::string> parse_test_names(std::string_view output) {
  std::vector<std::string> names;
  for (std::string_view line : split_lines(output)) {
    if (!line.empty()) names.emplace_back(line);
  }
  return names;
}

std::vector<ReportLine> parse_compact_report(std::string_view output) {
  std::vector<ReportLine> lines;
  bool continuing = false;  // the last line began an entry whose message may span more lines
  for (std::string_view line : split_lines(output)) {
    if (const std::size_t end = location_end(line); end != std::string_view::npos) {
      // "<location>: <result>: <message>"; passing assertions ("passed") are not reported.
      const std::string_view rest = line.substr(end + 2);
      const std::size_t colon = rest.find(": ");
      const std::string_view result = rest.substr(0, colon);
      continuing = colon != std::string_view::npos && (result == "failed" || result == "warning");
      if (continuing) {
        lines.push_back(ReportLine{std::string(line.substr(0, end)), std::string(result),
                                   std::string(rest.substr(colon + 2))});
      }
    } else if (is_totals_line(line)) {
      continuing = false;
    } else if (continuing) {
      lines.back().message += '\n';
      lines.back().message += line;
    }
  }
  return lines;
}

std::string explanation(const ReportLine& line) {
  // Catch2 prints messages as 'text' after "with message: " (exceptions), "with 1 message: " or
  // "with 2 messages: " (joined by " and "), and an exception's expression after "; expression
  // was:"; a warning is just 'text'. The text may hold quotes itself, so only those frames
  // delimit it.
  const std::string& message = line.message;
  std::size_t begin = message.starts_with('\'') ? 1 : std::string::npos;
  for (std::string_view label : {"message: '", "messages: '"}) {
    const std::size_t at = message.find(label);
    if (at != std::string::npos && (begin == std::string::npos || at + label.size() < begin)) {
      begin = at + label.size();
    }
  }
  if (begin == std::string::npos) return message;
  std::size_t end = message.find("'; expression was:", begin);
  if (end == std::string::npos) end = message.rfind('\'');
  if (end == std::string::npos || end < begin) return message;
  std::string text = message.substr(begin, end - begin);
  static constexpr std::string_view joint = "' and '";
  for (std::size_t at = text.find(joint); at != std::string::npos; at = text.find(joint, at)) {
    text.replace(at, joint.size(), "\n");
  }
  return text;
}

Hints load_hints(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the hints table", file.string()));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& error) {
    throw std::runtime_error(fmt::format("{}: not JSON: {}", file.string(), error.what()));
  }
  if (!doc.is_object()) {
    throw std::runtime_error(fmt::format("{}: expected an object at the top", file.string()));
  }
  Hints hints;
  for (const auto& [key, value] : doc.items()) {
    if (key == "next") {
      if (!value.is_string()) {
        throw std::runtime_error(fmt::format("{}: /next: expected a string", file.string()));
      }
      hints.next = value.get<std::string>();
    } else if (key == "hints") {
      if (!value.is_object()) {
        throw std::runtime_error(
            fmt::format("{}: /hints: expected an object of test name -> hint", file.string()));
      }
      for (const auto& [name, hint] : value.items()) {
        if (!hint.is_string()) {
          throw std::runtime_error(
              fmt::format("{}: /hints/{}: expected a string", file.string(), name));
        }
        hints.hints.emplace(name, hint.get<std::string>());
      }
    } else {
      throw std::runtime_error(fmt::format(
          "{}: /{}: unknown field (expected \"next\" or \"hints\")", file.string(), key));
    }
  }
  return hints;
}

std::string shell_quote(std::string_view arg) {
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";  // close the quote, add an escaped quote, reopen
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

std::string catch_test_spec(std::string_view name) {
  std::string spec;
  for (char c : name) {
    if (std::string_view(",[]*~\"\\").find(c) != std::string_view::npos) spec += '\\';
    spec += c;
  }
  return spec;
}

int check_exercise(const CheckOptions& options) {
  try {
    return grade(options);
  } catch (const std::exception& error) {
    // Only the machine can fail here (no shell, no pipe): the reader's code runs in a child.
    // kExitFailure would say that the reader's code fails; like a missing build directory, this
    // stops the grading itself, so it exits as a command line that cannot be graded does.
    fmt::print(stderr, "ladder check: {}\n", error.what());
    return kExitUsage;
  }
}

}  // namespace ladder::tools
