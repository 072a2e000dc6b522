/// \file
/// The visited sets: an exact byte arena with an open-addressing table, and a fingerprint table.

#include "level4_explore/detail/state_store.hpp"

#include <unistd.h>

#include <cassert>
#include <cstring>
#include <fstream>

namespace ladder::level4::detail {

namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr std::uint64_t kPrime0 = 0xa0761d6478bd642fULL;
constexpr std::uint64_t kPrime1 = 0xe7037ed1a0b428dbULL;
constexpr std::uint64_t kPrime2 = 0x8ebc6af09c88c6e3ULL;

// The 128-bit product of a and b, folded to 64 bits: every input bit moves every output bit.
std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  const Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

std::uint64_t load_word(const char* at, std::size_t length) {
  std::uint64_t word = 0;
  std::memcpy(&word, at, length);
  return word;
}

constexpr std::size_t kInitialSlots = 1024;

}  // namespace

std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t hash = seed ^ kPrime0 ^ (bytes.size() * kPrime2);
  const char* at = bytes.data();
  std::size_t left = bytes.size();
  for (; left >= 16; at += 16, left -= 16) {
    hash = fold_multiply(load_word(at, 8) ^ kPrime1, load_word(at + 8, 8) ^ hash);
  }
  if (left > 8) {
    hash = fold_multiply(load_word(at, 8) ^ kPrime1, load_word(at + 8, left - 8) ^ hash);
  } else if (left > 0) {
    hash = fold_multiply(load_word(at, left) ^ kPrime1, hash ^ kPrime2);
  }
  return fold_multiply(hash ^ kPrime0, hash ^ kPrime1 ^ bytes.size());
}

ExactStore::ExactStore() : offsets_{0}, slots_(kInitialSlots), mask_(kInitialSlots - 1) {}

std::string_view ExactStore::bytes(std::uint32_t index) const {
  assert(index < size());
  const std::uint64_t begin = offsets_[index];
  return std::string_view(arena_).substr(begin, offsets_[index + 1] - begin);
}

// The slot holding `bytes`, or the empty slot where it belongs.
std::uint64_t ExactStore::slot_of(std::uint64_t hash, std::string_view bytes) const {
  const std::uint64_t tag = hash >> 32;
  for (std::uint64_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
    const std::uint64_t entry = slots_[slot];
    if (entry == 0) return slot;
    if ((entry >> 32) != tag) continue;
    const auto index = static_cast<std::uint32_t>(entry & 0xFFFF'FFFFULL) - 1;
    if (this->bytes(index) == bytes) return slot;
  }
}

std::pair<std::uint32_t, bool> ExactStore::insert(std::string_view bytes) {
  assert(size() < kMaxStoredStates);
  const std::uint64_t hash = hash_bytes(bytes);
  std::uint64_t slot = slot_of(hash, bytes);
  if (slots_[slot] != 0) {
    return {static_cast<std::uint32_t>(slots_[slot] & 0xFFFF'FFFFULL) - 1, false};
  }
  const auto index = static_cast<std::uint32_t>(size());
  arena_.append(bytes);
  offsets_.push_back(arena_.size());
  slots_[slot] = ((hash >> 32) << 32) | (static_cast<std::uint64_t>(index) + 1);
  if (2 * size() > slots_.size()) grow();
  return {index, true};
}

std::optional<std::uint32_t> ExactStore::find(std::string_view bytes) const {
  const std::uint64_t entry = slots_[slot_of(hash_bytes(bytes), bytes)];
  if (entry == 0) return std::nullopt;
  return static_cast<std::uint32_t>(entry & 0xFFFF'FFFFULL) - 1;
}

void ExactStore::grow() {
  std::vector<std::uint64_t> old(2 * slots_.size());
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const std::uint64_t entry : old) {
    if (entry == 0) continue;
    const auto index = static_cast<std::uint32_t>(entry & 0xFFFF'FFFFULL) - 1;
    std::uint64_t slot = hash_bytes(bytes(index)) & mask_;
    while (slots_[slot] != 0)
      slot = (slot + 1) & mask_;
    slots_[slot] = entry;
  }
}

std::uint64_t ExactStore::memory_bytes() const {
  return arena_.capacity() + offsets_.capacity() * sizeof(std::uint64_t) +
         slots_.capacity() * sizeof(std::uint64_t);
}

FingerprintStore::FingerprintStore()
    : fingerprints_(kInitialSlots), indices_(kInitialSlots), mask_(kInitialSlots - 1) {}

// The fingerprint's slot, or the empty slot where it belongs.
std::uint64_t FingerprintStore::slot_of(std::uint64_t fingerprint) const {
  // The low bits pick the slot; mixing once more keeps slots independent of the stored value.
  for (std::uint64_t slot = (fingerprint * kPrime2) >> 20 & mask_;; slot = (slot + 1) & mask_) {
    const std::uint64_t stored = fingerprints_[slot];
    if (stored == 0 || stored == fingerprint) return slot;
  }
}

std::pair<std::uint32_t, bool> FingerprintStore::insert(std::string_view bytes) {
  assert(size_ < kMaxStoredStates);
  std::uint64_t fingerprint = hash_bytes(bytes);
  if (fingerprint == 0) fingerprint = 1;
  const std::uint64_t slot = slot_of(fingerprint);
  if (fingerprints_[slot] != 0) return {indices_[slot], false};
  const auto index = static_cast<std::uint32_t>(size_++);
  fingerprints_[slot] = fingerprint;
  indices_[slot] = index;
  if (4 * size_ > 3 * fingerprints_.size()) grow();
  return {index, true};
}

std::optional<std::uint32_t> FingerprintStore::find(std::string_view bytes) const {
  std::uint64_t fingerprint = hash_bytes(bytes);
  if (fingerprint == 0) fingerprint = 1;
  const std::uint64_t slot = slot_of(fingerprint);
  if (fingerprints_[slot] == 0) return std::nullopt;
  return indices_[slot];
}

void FingerprintStore::grow() {
  std::vector<std::uint64_t> old_fingerprints(2 * fingerprints_.size());
  std::vector<std::uint32_t> old_indices(2 * indices_.size());
  old_fingerprints.swap(fingerprints_);
  old_indices.swap(indices_);
  mask_ = fingerprints_.size() - 1;
  for (std::size_t i = 0; i < old_fingerprints.size(); ++i) {
    if (old_fingerprints[i] == 0) continue;
    const std::uint64_t slot = slot_of(old_fingerprints[i]);
    fingerprints_[slot] = old_fingerprints[i];
    indices_[slot] = old_indices[i];
  }
}

std::uint64_t FingerprintStore::memory_bytes() const {
  return fingerprints_.capacity() * sizeof(std::uint64_t) +
         indices_.capacity() * sizeof(std::uint32_t);
}

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages_total = 0;
  std::uint64_t pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? pages_resident * static_cast<std::uint64_t>(page) : 0;
}

}  // namespace ladder::level4::detail
