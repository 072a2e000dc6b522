#include "no_lost_add.hpp"

#include <fmt/format.h>

#include "exercises/09_invariant/given/log_holds.hpp"
#include "exercises/09_invariant/given/your_code_here.hpp"

namespace ladder::ex09 {

//! [no-lost-add]
// state.acknowledged lists every add a client saw acknowledged, with the view of its Reply.
// state.replicas[r] is replica r (its role(), view, log); bit r of state.down says it is crashed.
//
// Which replicas must hold an acknowledged add, from which moment on? Too few, and the explorer
// walks past the first-release flaw; too many, and it cries wolf on the fixed protocol (a backup
// may lag behind, and so may a primary of an older view). docs/protocol.md, invariant I1.
std::optional<std::string> no_lost_add([[maybe_unused]] const level4::Level3State& state) {
  your_code_here("no_lost_add must report an acknowledged add that a replica lost");
}
//! [no-lost-add]

}  // namespace ladder::ex09
