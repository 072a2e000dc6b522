#pragma once
/// \file
/// The one check every libFuzzer target of the workbook makes on what a decoder returned.

#include <cstdlib>

namespace ladder::fuzz {

/// Aborts when `condition` is false, with a crash libFuzzer reports and saves the input of;
/// assert() would do the same, but may be compiled out.
inline void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace ladder::fuzz
