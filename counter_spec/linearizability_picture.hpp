#pragma once
/// \file
/// A picture of a history and the checker's result: a self-contained HTML page with one SVG.
///
/// One lane per client, one bar per call from its invoke to its return (to the right edge, dashed,
/// when the outcome is unknown). Calls in the (partial) linearization carry their position in it;
/// the call that cannot be placed is drawn in red.

#include <string>
#include <vector>

#include "counter_spec/linearizability.hpp"

namespace ladder::spec {

/// The HTML page for `calls` checked against the model named `model_name`.
std::string linearizability_html(const std::vector<Call>& calls,
                                 const LinearizabilityResult& result,
                                 const std::string& model_name);

}  // namespace ladder::spec
