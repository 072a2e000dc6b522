#pragma once
/// \file
/// Histories as JSON lines, the input of `ladder linearizable`, and the conversion from History.
///
/// One event per line, in the order the events happened (blank lines and lines starting with
/// `#` are skipped):
///
///     {"type": "invoke", "client": 0, "time": 12, "op": "add", "value": 3}
///     {"type": "invoke", "client": 1, "time": 13, "op": "read"}
///     {"type": "ok",     "client": 0, "time": 20, "op": "add", "value": 3}
///     {"type": "ok",     "client": 1, "time": 25, "op": "read", "value": 3}
///
/// - `type`: "invoke", then one of "ok" (it happened), "fail" (it certainly did not happen: the
///   call is dropped) or "info" (unknown: it may take effect at any time after its invoke, or
///   never). An invoke with no completion by the end of the file is unknown too.
/// - `client`: a non-negative integer; a client has at most one call outstanding.
/// - `time`: an integer (milliseconds, virtual or real); a completion is not before its invoke.
/// - `op`: "add", "read" (counter), "write", "cas", "read" (register). A completion names the
///   same op as its invoke.
/// - `value`: on the invoke, add's delta, write's value, cas's `[expected, new]`; a read's invoke
///   has none (or null). On a read's ok, the value read. Other completions may repeat the
///   invoke's value; it is ignored.

#include <filesystem>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "counter_spec/history.hpp"
#include "counter_spec/linearizability.hpp"

namespace ladder::spec {

/// A history file that cannot be read: what() names the file, the line and the field.
class HistoryFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads JSON lines from `in`; `file_name` is only for messages. Throws HistoryFileError.
std::vector<Call> parse_history_jsonl(std::istream& in, const std::string& file_name);
/// Reads a JSON-lines history file. Throws HistoryFileError (also when it cannot be opened).
std::vector<Call> load_history_jsonl(const std::filesystem::path& file);

/// A History's operations as calls for the counter model: failed operations are dropped, info
/// and pending ones are unknown, in invoke order.
std::vector<Call> calls_from_history(const History& history);
/// A History as JSON lines in the format above, one event per line in recorded order.
std::string to_jsonl(const History& history);

}  // namespace ladder::spec
