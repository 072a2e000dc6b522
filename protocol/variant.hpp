#pragma once
/// \file
/// The two versions of the protocol, and a replica's status: names that levels 2, 3 and 4 share,
/// each level re-exporting them in its own namespace (level2::Variant is protocol::Variant).

#include <optional>
#include <string_view>

namespace ladder::protocol {

/// Which protocol the replicas run: the one its author first shipped, or the corrected one.
///
/// The two differ in one place only, rule V4 (docs/03-level2.md and docs/04-level3.md tell the
/// story). Every other line of code is shared: the variant is a flag consulted at that one place.
enum class Variant {
  /// The planted teaching bug: a new primary takes ITS OWN log and commit number as the truth
  /// when it has f + 1 DoViewChanges, instead of the freshest log and the largest commit number.
  /// Loses acknowledged adds after some failovers.
  first_release,
  /// docs/protocol.md exactly.
  fixed,
};

/// "first-release", "fixed": the spelling of the command line's `--variant`.
const char* to_string(Variant variant);
/// The variant spelled `text` ("first-release" or "fixed"), or nullopt.
std::optional<Variant> parse_variant(std::string_view text);

/// A replica's status (docs/protocol.md, "What a replica holds").
enum class Status {
  normal,       ///< serving: primary or backup of `view`
  view_change,  ///< moving to `view`, whose primary has not yet started it
  recovering,   ///< restarted without a disk: learning the present from a quorum (R0-R3)
};

/// "normal", "view_change", "recovering".
const char* to_string(Status status);

}  // namespace ladder::protocol
