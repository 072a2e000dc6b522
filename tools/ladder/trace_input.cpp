#include "tools/ladder/trace_input.hpp"

#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

level3::Trace read_trace_argument(const std::filesystem::path& path) {
  try {
    return level3::load_trace(path);
  } catch (const level3::TraceError& error) {
    throw UsageError(error.what());
  }
}

}  // namespace ladder::tools
