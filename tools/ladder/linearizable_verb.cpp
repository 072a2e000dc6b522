/// \file
/// `ladder linearizable HISTORY.jsonl [--model counter|register] [-o picture.html]`: is a
/// recorded history linearizable? Exit 0 yes, 1 no, 2 for a file or option it cannot use.

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "counter_spec/history_jsonl.hpp"
#include "counter_spec/linearizability.hpp"
#include "counter_spec/linearizability_picture.hpp"
#include "counter_spec/models.hpp"
#include "tools/ladder/command_line.hpp"
#include "tools/ladder/usage_error.hpp"
#include "tools/ladder/verbs.hpp"

namespace ladder::tools {
namespace {

// Every call must be an operation of the model: a cas in a counter history is bad input.
template <class Model>
void require_supported(const std::vector<spec::Call>& calls, const Model& model,
                       const std::filesystem::path& file) {
  for (const spec::Call& call : calls) {
    if (!model.supports(call.kind)) {
      throw UsageError(
          fmt::format("{}:{}: field \"op\": \"{}\" is not an operation of the {} "
                      "model (try --model {})",
                      file.string(), call.line, spec::to_string(call.kind), model.name(),
                      model.name() == "counter" ? "register" : "counter"));
    }
  }
}

template <class Model>
int check_with(const std::vector<spec::Call>& calls, const Model& model,
               const LinearizableOptions& options) {
  require_supported(calls, model, options.history);
  const spec::LinearizabilityResult result = spec::check_linearizability(calls, model);
  fmt::print("{}\n", spec::explain(result, calls));
  fmt::print("{} calls, {} (placed set, state) pairs memoised\n", calls.size(),
             result.states_memoised);
  if (options.output) {
    std::ofstream out(*options.output);
    out << spec::linearizability_html(calls, result, model.name());
    if (!out) throw std::runtime_error("cannot write " + options.output->string());
    fmt::print("wrote {}: the history, {}\n", options.output->string(),
               result.linearizable ? "its linearization numbered"
                                   : "the longest partial linearization numbered, the call that "
                                     "cannot be placed in red");
  }
  return result.linearizable ? kExitOk : kExitFailure;
}

}  // namespace

int run_linearizable(const LinearizableOptions& options) {
  std::vector<spec::Call> calls;
  try {
    calls = spec::load_history_jsonl(options.history);
    spec::validate_calls(calls);
  } catch (const spec::HistoryFileError& error) {
    throw UsageError(error.what());
  } catch (const std::invalid_argument& error) {
    throw UsageError(fmt::format("{}: {}", options.history.string(), error.what()));
  }
  if (options.model == "counter") return check_with(calls, spec::CounterModel{}, options);
  if (options.model == "register") return check_with(calls, spec::RegisterModel{}, options);
  throw UsageError(fmt::format("--model must be counter or register, not \"{}\"", options.model));
}

namespace {

// `ladder linearizable`'s command line as CLI11 fills it, until the verb runs.
struct LinearizableCommandLine {
  LinearizableOptions options;
  std::string file;
  std::string output;
};

LinearizableOptions linearizable_options(const LinearizableCommandLine& line) {
  LinearizableOptions options = line.options;
  options.history = line.file;
  if (!line.output.empty()) options.output = line.output;
  return options;
}

}  // namespace

void add_linearizable_verb(CommandLine& cli) {
  auto line = std::make_shared<LinearizableCommandLine>();
  CLI::App* verb = cli.app().add_subcommand(
      "linearizable", "is a recorded history (JSON lines) linearizable? exit 0 yes, 1 no");
  verb->add_option("HISTORY", line->file, "the history, one event per line")
      ->required()
      ->check(CLI::ExistingFile);
  verb->add_option("--model", line->options.model, "the sequential model")
      ->check(CLI::IsMember({"counter", "register"}))
      ->capture_default_str();
  verb->add_option("-o,--output", line->output, "write a picture (.html)")->type_name("FILE");
  cli.on_run(*verb, [line] { return run_linearizable(linearizable_options(*line)); });
}

}  // namespace ladder::tools
