#include "tools/ladder/trace_input.hpp"

#include "level4_explore/level3_trace.hpp"
#include "tools/ladder/usage_error.hpp"

namespace ladder::tools {

level3::Trace read_trace_argument(const std::filesystem::path& path) {
  try {
    return level3::load_trace(path);
  } catch (const level3::TraceError& error) {
    throw UsageError(error.what());
  }
}

level3::Trace read_drawable_trace_argument(const std::filesystem::path& path) {
  if (!level4::is_schedule_trace_file(path)) return read_trace_argument(path);
  try {
    return level4::as_level3_trace(level4::load_schedule_trace(path));
  } catch (const level3::TraceError& error) {
    throw UsageError(error.what());
  }
}

}  // namespace ladder::tools
