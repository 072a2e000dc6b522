#include "level3_pure/sim/sim_results.hpp"

#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include <fmt/format.h>

#include "level3_pure/sim/diagram.hpp"

namespace ladder::level3 {
namespace {

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
}

std::string history_text(const spec::History& history) {
  std::string text;
  for (const spec::Operation& op : history.operations())
    text += op.describe() + "\n";
  return text;
}

std::string verdict_text(const Trace& trace, const SimResult& result) {
  std::string text = describe_parameters(trace.spec);
  text += fmt::format("\nverdict: {}\n", result.verdict.summary());
  for (const spec::Finding& finding : result.verdict.findings) {
    text += fmt::format("  {}: {}\n", spec::to_string(finding.kind), finding.evidence);
  }
  text += fmt::format("digest: {:016x} ({} simulated events)\n", result.digest, result.events);
  text += fmt::format("reproduce: {}\n", reproduce_line(trace.spec));
  return text;
}

std::vector<std::string> write_results(const std::filesystem::path& folder, const Trace& trace,
                                       const SimResult& result) {
  save_trace(folder / "trace.jsonl", trace);
  write_file(folder / "history.txt", history_text(result.record.history));
  write_file(folder / "verdict.txt", verdict_text(trace, result));
  std::vector<std::string> written{"trace.jsonl", "history.txt", "verdict.txt"};
  const std::string dot = trace_diagram(trace);
  try {
    render_diagram(dot, Layout::pinned, folder / "run.svg");
    written.insert(written.end(), {"run.dot", "run.svg"});
  } catch (const std::runtime_error&) {
    render_diagram(dot, Layout::pinned, folder / "run.dot");  // no Graphviz: the text at least
    written.emplace_back("run.dot");
  }
  return written;
}

}  // namespace

std::filesystem::path results_folder(const std::filesystem::path& root, const SimSpec& spec) {
  return root / fmt::format("3-{}-{}{}", spec.scenario.name, spec.seed,
                            spec.variant == Variant::fixed ? "-fixed" : "");
}

std::vector<std::string> save_results(const std::filesystem::path& folder, const Trace& trace,
                                      const SimResult& result) {
  // The files are written into a fresh sibling folder, then renamed one by one over the folder's
  // files: a rename replaces a file at once, so a replay or a second run of the same seed that
  // reads the folder meanwhile sees each file whole, old or new, never half written.
  std::filesystem::create_directories(folder);
  std::filesystem::path staging = folder;
  staging += fmt::format(".writing-{}", ::getpid());
  std::filesystem::remove_all(staging);
  std::filesystem::create_directories(staging);
  const std::vector<std::string> written = write_results(staging, trace, result);
  for (const std::string& name : written)
    std::filesystem::rename(staging / name, folder / name);
  std::filesystem::remove_all(staging);
  return written;
}

}  // namespace ladder::level3
