#pragma once
/// \file
/// Plug your own invariant into any model: WithInvariant is the same model (same states, events,
/// encoding, done and faults) whose violation() is the function you give it, instead of the
/// model's own. Exercise 09 explores level 3's cluster this way with the reader's invariant.
///
/// \code
/// auto mine = [](const Level3State& s) -> std::optional<std::string> { ... };
/// const Level3Model level3(config);
/// const auto result = explore(WithInvariant<Level3Model>(level3, mine));
/// \endcode

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "level4_explore/explorer.hpp"

namespace ladder::level4 {

/// `M` with violation() replaced by an invariant of your own. Holds `model` by reference: it must
/// outlive the wrapper.
template <Model M>
class WithInvariant {
 public:
  using State = typename M::State;  ///< the model's state
  using Event = typename M::Event;  ///< the model's event
  /// nullopt when a state is fine, else the evidence.
  using Invariant = std::function<std::optional<std::string>(const State&)>;

  /// The model `model` checked with `invariant` alone.
  WithInvariant(const M& model, Invariant invariant)
      : model_(model), invariant_(std::move(invariant)) {}

  /// The model's initial state.
  State initial() const { return model_.initial(); }
  /// The model's successors.
  void successors(const State& state, std::vector<std::pair<Event, State>>& out) const {
    model_.successors(state, out);
  }
  /// Your invariant, not the model's.
  std::optional<std::string> violation(const State& state) const { return invariant_(state); }
  /// The model's encoding.
  void encode(const State& state, std::string& bytes) const { model_.encode(state, bytes); }
  /// The model's label of a state.
  std::string describe(const State& state) const { return model_.describe(state); }
  /// The model's label of an event.
  std::string describe(const Event& event) const { return model_.describe(event); }
  /// The model's faults.
  bool is_fault(const Event& event) const { return model_.is_fault(event); }
  /// The model's done states.
  bool done(const State& state) const { return model_.done(state); }

 private:
  const M& model_;
  Invariant invariant_;
};

}  // namespace ladder::level4
