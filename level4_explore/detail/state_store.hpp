#pragma once
/// \file
/// The explorer's visited sets, independent of any model: they store states as the bytes
/// Model::encode wrote. Two kinds: ExactStore keeps every state's bytes (sound), FingerprintStore
/// keeps a 64-bit hash per state (hash compaction: smaller, may confuse two states).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ladder::level4::detail {

/// A 64-bit hash of `bytes` (wyhash-style multiply-fold over 8-byte words). Good enough for
/// fingerprints: distinct inputs collide with probability about 2⁻⁶⁴.
std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed = 0);

/// The largest number of states a store holds: indices are 32 bits and one value is reserved.
inline constexpr std::uint64_t kMaxStoredStates = 0xFFFF'FFFEULL;

/// Every state's encoding in one arena, found by an open-addressing table.
///
/// Layout: `arena_` holds the encodings back to back; `offsets_[i]` .. `offsets_[i + 1]` is state
/// i's. Each table slot is 64 bits: the hash's high 32 bits (a tag that skips most byte
/// comparisons) and the state's index + 1 (0 = empty). Linear probing, load at most 1/2.
class ExactStore {
 public:
  ExactStore();
  /// The index of `bytes`, stored now if new: {index, true when it was inserted}.
  /// Precondition (asserted): size() < kMaxStoredStates.
  std::pair<std::uint32_t, bool> insert(std::string_view bytes);
  /// The index of `bytes`, or nullopt when it was never inserted.
  std::optional<std::uint32_t> find(std::string_view bytes) const;
  /// State `index`'s encoding.
  std::string_view bytes(std::uint32_t index) const;
  /// How many states are stored.
  std::uint64_t size() const { return offsets_.size() - 1; }
  /// Bytes held: arena, offsets and table, at their capacities.
  std::uint64_t memory_bytes() const;
  /// Total length of the stored encodings.
  std::uint64_t encoded_bytes() const { return arena_.size(); }

 private:
  std::uint64_t slot_of(std::uint64_t hash, std::string_view bytes) const;
  void grow();

  std::string arena_;
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint64_t> slots_;
  std::uint64_t mask_ = 0;
};

/// One 64-bit fingerprint per state, with its index, in an open-addressing table.
///
/// A state is identified by hash_bytes of its encoding alone: two states with the same fingerprint
/// are one state to this store, so a search with it may miss states. Load at most 3/4.
class FingerprintStore {
 public:
  FingerprintStore();
  /// The index of the state with `bytes`' fingerprint, stored now if new.
  std::pair<std::uint32_t, bool> insert(std::string_view bytes);
  /// The index of `bytes`' fingerprint, or nullopt.
  std::optional<std::uint32_t> find(std::string_view bytes) const;
  /// How many fingerprints are stored.
  std::uint64_t size() const { return size_; }
  /// Bytes held: the table at its capacity.
  std::uint64_t memory_bytes() const;
  /// Always 0: encodings are not kept.
  std::uint64_t encoded_bytes() const { return 0; }

 private:
  std::uint64_t slot_of(std::uint64_t fingerprint) const;
  void grow();

  std::vector<std::uint64_t> fingerprints_;  // 0 = empty slot (a fingerprint of 0 is stored as 1)
  std::vector<std::uint32_t> indices_;
  std::uint64_t size_ = 0;
  std::uint64_t mask_ = 0;
};

/// The resident memory of this process in bytes (from /proc/self/statm), or 0 when unknown.
std::uint64_t resident_bytes();

}  // namespace ladder::level4::detail
