#include "safe_to_retry.hpp"

#include "exercises/03_safe_retry/given/your_code_here.hpp"

namespace ladder::ex03 {

//! [safe-to-retry]
// Decide from what the error says about the call (error.may_have_run(): no, unknown or yes) and
// from whether running the call twice would do harm (`idempotent`). The README explains each
// case; the tests drive each error class through the fault proxy.
bool safe_to_retry([[maybe_unused]] const level1::RpcError& error,
                   [[maybe_unused]] bool idempotent) {
  your_code_here("safe_to_retry must say, for each error class, whether a retry is safe");
}
//! [safe-to-retry]

}  // namespace ladder::ex03
