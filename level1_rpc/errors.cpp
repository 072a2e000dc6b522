#include "level1_rpc/errors.hpp"

namespace ladder::level1 {

const char* to_string(MayHaveRun may_have_run) {
  switch (may_have_run) {
    case MayHaveRun::no:
      return "no";
    case MayHaveRun::unknown:
      return "unknown";
    case MayHaveRun::yes:
      return "yes";
  }
  return "?";
}

}  // namespace ladder::level1
