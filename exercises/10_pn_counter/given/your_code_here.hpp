#pragma once
/// \file
/// The placeholder that marks the places where the reader writes exercise code: it fails loudly,
/// naming the exercise and what to do, so that a test run says where to start.

#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ladder::ex10 {

/// Thrown by your_code_here(): a marked place of the starter has not been written yet.
class NotDoneYet : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Stops the run with "Exercise 10: your code here — <task>; see
/// exercises/10_pn_counter/README.md". Replace each call with your code.
[[noreturn]] inline void your_code_here(std::string_view task) {
  throw NotDoneYet(
      fmt::format("Exercise 10: your code here — {}; see exercises/10_pn_counter/README.md", task));
}

}  // namespace ladder::ex10
