#include "safe_to_retry.hpp"

namespace ladder::ex03 {

//! [safe-to-retry]
bool safe_to_retry(const level1::RpcError& error, bool idempotent) {
  switch (error.may_have_run()) {
    case level1::MayHaveRun::no:
      return true;  // nothing ran: sending it again is the first time it runs
    case level1::MayHaveRun::unknown:
      return idempotent;  // it may have run: a second run must do no harm
    case level1::MayHaveRun::yes:
      return false;  // it ran and the server said no: asking again gets the same answer, or worse
  }
  return false;
}
//! [safe-to-retry]

}  // namespace ladder::ex03
