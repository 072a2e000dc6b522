#include "prepare_handler.hpp"

#include <algorithm>

namespace ladder::ex05 {

//! [on-prepare]
std::vector<protocol::Message> on_prepare(Backup& backup, const protocol::Prepare& prepare) {
  if (prepare.view != backup.view) return {};  // another view's Prepare: not ours to judge here
  std::vector<protocol::Message> out;
  protocol::Log& log = backup.log;
  if (prepare.op_number <= log.op_number()) {
    // A duplicate, or a late one: we hold it already. The ack is cumulative, so repeating it is
    // harmless, and it repairs an ack the network lost.
    out.emplace_back(protocol::PrepareOk{backup.view, log.op_number(), backup.self});
  } else if (prepare.op_number == log.op_number() + 1) {
    log.suffix.push_back(prepare.request);  // the next one: append it
    out.emplace_back(protocol::PrepareOk{backup.view, prepare.op_number, backup.self});
  } else {
    // It overtook the ones before it. Appending it would put it at the wrong position; ask the
    // primary for its state instead (S1), and hold nothing new.
    out.emplace_back(protocol::GetState{backup.view, log.op_number(), backup.self});
  }
  // Learn the commit number, never beyond the ops we hold (N6).
  while (log.commit_number() < std::min(prepare.commit_number, log.op_number()))
    apply_next(log);
  return out;
}
//! [on-prepare]

}  // namespace ladder::ex05
