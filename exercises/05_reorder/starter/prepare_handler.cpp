#include "prepare_handler.hpp"

#include "exercises/05_reorder/given/your_code_here.hpp"

namespace ladder::ex05 {

//! [on-prepare]
// Level 2's first draft was: append prepare.request, acknowledge it, apply up to
// prepare.commit_number. Under duplicates it appends an op twice; under reordering it puts op 3
// where op 2 belongs. Write rule N3: compare prepare.op_number with the ops the backup holds
// (backup.log.op_number()) and decide, then learn the commit number with apply_next().
std::vector<protocol::Message> on_prepare([[maybe_unused]] Backup& backup,
                                          [[maybe_unused]] const protocol::Prepare& prepare) {
  your_code_here("on_prepare must append each op once, in order, and acknowledge what it holds");
}
//! [on-prepare]

}  // namespace ladder::ex05
