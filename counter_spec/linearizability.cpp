// The non-template half of the linearizability checker: the time line it searches, the set of
// placed calls, and the words for a person.

#include "counter_spec/linearizability.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

namespace ladder::spec {

const char* to_string(CallKind kind) {
  switch (kind) {
    case CallKind::add:
      return "add";
    case CallKind::read:
      return "read";
    case CallKind::write:
      return "write";
    case CallKind::cas:
      return "cas";
  }
  assert(false && "unknown CallKind");
  return "?";
}

std::string Call::describe() const {
  std::string what;
  switch (kind) {
    case CallKind::add:
      what = fmt::format("add({:+})", value);
      break;
    case CallKind::read:
      what = result ? fmt::format("read() -> {}", *result) : "read() -> ?";
      break;
    case CallKind::write:
      what = fmt::format("write({})", value);
      break;
    case CallKind::cas:
      what = fmt::format("cas({}, {})", expected, value);
      break;
  }
  const std::string end = returned ? fmt::format("{}", *returned) : "?";
  return fmt::format("c{} {} [{}, {}]", client, what, invoked, end);
}

void validate_calls(const std::vector<Call>& calls) {
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const Call& call = calls[i];
    if (call.index != i) {
      throw std::invalid_argument(fmt::format("call {} carries index {}", i, call.index));
    }
    if (call.returned && *call.returned < call.invoked) {
      throw std::invalid_argument(
          fmt::format("call {} ({}) returns before it is invoked", i, call.describe()));
    }
    if (call.kind == CallKind::read && call.returned && !call.result) {
      throw std::invalid_argument(fmt::format(
          "call {} ({}) is a read that returned ok without a value", i, call.describe()));
    }
  }
  // Sort a copy by (client, invoke) and look at neighbours.
  std::vector<const Call*> by_client;
  by_client.reserve(calls.size());
  for (const Call& call : calls)
    by_client.push_back(&call);
  std::sort(by_client.begin(), by_client.end(), [](const Call* a, const Call* b) {
    return std::tie(a->client, a->invoked, a->index) < std::tie(b->client, b->invoked, b->index);
  });
  for (std::size_t i = 1; i < by_client.size(); ++i) {
    const Call& before = *by_client[i - 1];
    const Call& after = *by_client[i];
    if (before.client != after.client) continue;
    // After an unknown outcome the client may go on (Jepsen would name a new process); the
    // unknown call then stays concurrent with everything after it.
    if (before.returned && *before.returned > after.invoked) {
      throw std::invalid_argument(fmt::format("client c{} invokes {} while {} is outstanding",
                                              after.client, after.describe(), before.describe()));
    }
  }
}

std::string explain(const LinearizabilityResult& result, const std::vector<Call>& calls) {
  if (result.linearizable) {
    return fmt::format(
        "linearizable: {} of {} calls took effect in an order the model accepts, "
        "ending in state {}",
        result.order.size(), calls.size(), result.state_after_order);
  }
  assert(result.blocking && "a non-linearizable result names its blocking call");
  // The last few placed calls are the ones that matter for the blocked call; the picture has all.
  constexpr std::size_t kShown = 8;
  const std::size_t skipped = result.order.size() > kShown ? result.order.size() - kShown : 0;
  std::string prefix = skipped > 0 ? fmt::format("... {} earlier", skipped) : "";
  for (std::size_t k = skipped; k < result.order.size(); ++k) {
    prefix += fmt::format("{}{}", prefix.empty() ? "" : ", ", calls[result.order[k]].describe());
  }
  return fmt::format(
      "not linearizable: {} cannot be placed. The longest partial linearization has {} call(s){}{} "
      "and leaves state {}; the call returned before any place the model accepts.",
      calls[*result.blocking].describe(), result.order.size(), prefix.empty() ? "" : ": ", prefix,
      result.state_after_order);
}

namespace detail {

namespace {

// One well-mixed 64-bit value per call index (splitmix64's finalizer), for the Zobrist hash.
std::uint64_t mix(std::size_t i) {
  std::uint64_t z = static_cast<std::uint64_t>(i) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

void CallSet::insert(std::size_t i) {
  const std::size_t w = i / 64;
  assert((words_[w] & bit(i)) == 0 && "inserting a call already in the set");
  words_[w] |= bit(i);
  hash_ ^= mix(i);
  top_words_ = std::max(top_words_, w + 1);
  while (full_words_ < words_.size() && words_[full_words_] == ~std::uint64_t{0})
    ++full_words_;
}

void CallSet::erase(std::size_t i) {
  const std::size_t w = i / 64;
  assert((words_[w] & bit(i)) != 0 && "erasing a call not in the set");
  words_[w] &= ~bit(i);
  hash_ ^= mix(i);
  full_words_ = std::min(full_words_, w);
  while (top_words_ > 0 && words_[top_words_ - 1] == 0)
    --top_words_;
}

CallSetKey CallSet::key() const {
  CallSetKey key;
  key.full_words = full_words_;
  key.hash = hash_;
  if (top_words_ > full_words_) {
    const auto begin = words_.begin() + static_cast<std::ptrdiff_t>(full_words_);
    key.words.assign(begin, begin + static_cast<std::ptrdiff_t>(top_words_ - full_words_));
  }
  return key;
}

std::vector<Entry> build_entries(const std::vector<Call>& calls) {
  struct Stamp {
    Time time;
    bool is_return;  // false sorts first: invokes before returns at the same time
    std::size_t call;
  };
  std::vector<Stamp> stamps;
  stamps.reserve(2 * calls.size());
  for (const Call& call : calls) {
    stamps.push_back(Stamp{call.invoked, false, call.index});
    if (call.returned) stamps.push_back(Stamp{*call.returned, true, call.index});
  }
  std::sort(stamps.begin(), stamps.end(), [](const Stamp& a, const Stamp& b) {
    return std::tie(a.time, a.is_return, a.call) < std::tie(b.time, b.is_return, b.call);
  });

  std::vector<Entry> entries(stamps.size() + 1);
  std::vector<std::size_t> invoke_of(calls.size(), kNone);
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    const std::size_t at = i + 1;
    entries[at] = Entry{stamps[i].call, stamps[i].is_return, kNone, at - 1, at + 1};
    if (stamps[i].is_return) {
      assert(invoke_of[stamps[i].call] != kNone && "a return sorts after its invoke");
      entries[invoke_of[stamps[i].call]].match = at;
    } else {
      invoke_of[stamps[i].call] = at;
    }
  }
  entries[kHead] = Entry{kNone, false, kNone, stamps.size(), stamps.empty() ? kHead : 1};
  entries.back().next = kHead;
  if (!stamps.empty()) entries[1].prev = kHead;
  return entries;
}

namespace {

void unlink(std::vector<Entry>& entries, std::size_t at) {
  entries[entries[at].prev].next = entries[at].next;
  entries[entries[at].next].prev = entries[at].prev;
}

void relink(std::vector<Entry>& entries, std::size_t at) {
  entries[entries[at].prev].next = at;
  entries[entries[at].next].prev = at;
}

}  // namespace

void lift(std::vector<Entry>& entries, std::size_t invoke) {
  assert(!entries[invoke].is_return && "only an invoke is placed");
  unlink(entries, invoke);
  if (entries[invoke].match != kNone) unlink(entries, entries[invoke].match);
}

void unlift(std::vector<Entry>& entries, std::size_t invoke) {
  assert(!entries[invoke].is_return && "only an invoke is placed");
  // Reverse order of lift, so that each entry's neighbours are the ones it was unlinked from.
  if (entries[invoke].match != kNone) relink(entries, entries[invoke].match);
  relink(entries, invoke);
}

}  // namespace detail
}  // namespace ladder::spec
