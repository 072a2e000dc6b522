#pragma once
/// \file
/// Sequential models for the linearizability checker: what one correct copy of the object, run
/// by one thread, would answer. Each satisfies SequentialModel (linearizability.hpp).

#include <cstdint>
#include <optional>
#include <string>

#include "counter_spec/linearizability.hpp"

namespace ladder::spec {

/// The replicated counter of this workbook: add(delta) and read(), starting at `initial`.
struct CounterModel {
  /// The counter's value.
  using State = std::int64_t;
  State initial = 0;  ///< the value before any add

  /// "counter".
  [[nodiscard]] static std::string name() { return "counter"; }
  /// The counter before any operation.
  [[nodiscard]] State init() const { return initial; }
  /// add and read only.
  [[nodiscard]] static bool supports(CallKind kind) {
    return kind == CallKind::add || kind == CallKind::read;
  }
  /// An add always succeeds; a read that returned is legal only when it returned the value. A
  /// read whose answer is unknown constrains nothing.
  [[nodiscard]] static std::optional<State> step(State value, const Call& call) {
    switch (call.kind) {
      case CallKind::add:
        return value + call.value;
      case CallKind::read:
        if (call.result && *call.result != value) return std::nullopt;
        return value;
      case CallKind::write:
      case CallKind::cas:
        break;
    }
    return std::nullopt;
  }
  /// "value 5".
  [[nodiscard]] static std::string describe(State value) {
    return "value " + std::to_string(value);
  }
};

/// A read/write/compare-and-set register, starting at `initial`.
struct RegisterModel {
  /// The register's value.
  using State = std::int64_t;
  State initial = 0;  ///< the value before any write

  /// "register".
  [[nodiscard]] static std::string name() { return "register"; }
  /// The register before any operation.
  [[nodiscard]] State init() const { return initial; }
  /// read, write and cas.
  [[nodiscard]] static bool supports(CallKind kind) {
    return kind == CallKind::read || kind == CallKind::write || kind == CallKind::cas;
  }
  /// A write always succeeds; a cas takes effect only when the register holds `expected` (a cas
  /// that reported failure did not happen and is not a call); a read must return the value.
  [[nodiscard]] static std::optional<State> step(State value, const Call& call) {
    switch (call.kind) {
      case CallKind::write:
        return call.value;
      case CallKind::cas:
        if (value != call.expected) return std::nullopt;
        return call.value;
      case CallKind::read:
        if (call.result && *call.result != value) return std::nullopt;
        return value;
      case CallKind::add:
        break;
    }
    return std::nullopt;
  }
  /// "value 5".
  [[nodiscard]] static std::string describe(State value) {
    return "value " + std::to_string(value);
  }
};

static_assert(SequentialModel<CounterModel>);
static_assert(SequentialModel<RegisterModel>);

}  // namespace ladder::spec
