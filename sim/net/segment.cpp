#include "dhcpsim/net/segment.hpp"

#include <algorithm>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/core/random.hpp"

namespace dhcpsim::net {

std::size_t MacIndex::slot_of(uint64_t key) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = core::mix64(key) & mask;
  while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & mask;
  return i;
}

std::span<const IfaceId> MacIndex::find(uint64_t mac) const {
  if (slots_.empty()) return {};
  const Slot& s = slots_[slot_of(mac | kUsed)];
  if (s.key == 0) return {};
  if (s.dup) return {overflow_[s.dup - 1].data(), overflow_[s.dup - 1].size()};
  return {&s.iface, 1};
}

void MacIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
  for (const Slot& s : old)
    if (s.key != 0) slots_[slot_of(s.key)] = s;
}

void MacIndex::insert(uint64_t mac, IfaceId iface) {
  if ((size_ + 1) * 2 > slots_.size()) grow();  // load factor <= 1/2: short probes
  const uint64_t key = mac | kUsed;
  Slot& s = slots_[slot_of(key)];
  if (s.key == 0) {
    s = Slot{key, iface, 0};
    ++size_;
    return;
  }
  if (!s.dup) {
    // A second interface with this MAC: move both to an overflow list.
    uint32_t index;
    if (!overflow_free_.empty()) {
      index = overflow_free_.back();
      overflow_free_.pop_back();
    } else {
      index = static_cast<uint32_t>(overflow_.size());
      overflow_.emplace_back();
    }
    overflow_[index].assign({s.iface});
    s.dup = index + 1;
  }
  overflow_[s.dup - 1].push_back(iface);
}

void MacIndex::erase(uint64_t mac, IfaceId iface) {
  if (slots_.empty()) return;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = slot_of(mac | kUsed);
  Slot& s = slots_[i];
  if (s.key == 0) return;
  if (s.dup) {
    const uint32_t index = s.dup - 1;
    IfaceList& l = overflow_[index];
    auto it = std::find(l.begin(), l.end(), iface);
    if (it != l.end()) l.erase(it);
    if (l.size() > 1) return;
    DHCPSIM_ASSERT(l.size() == 1, "a MAC overflow list holds at least two interfaces");
    s.iface = l.front();
    s.dup = 0;
    l.clear();
    overflow_free_.push_back(index);
    return;
  }
  if (s.iface != iface) return;
  // Backward-shift deletion keeps every probe sequence unbroken (no tombstones).
  slots_[i] = Slot{};
  --size_;
  for (std::size_t j = (i + 1) & mask; slots_[j].key != 0; j = (j + 1) & mask) {
    const std::size_t home = core::mix64(slots_[j].key) & mask;
    // Move j back to i if its home is not in the (cyclic) interval (i, j].
    const bool between = i < j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      slots_[i] = slots_[j];
      slots_[j] = Slot{};
      i = j;
    }
  }
}

}  // namespace dhcpsim::net
