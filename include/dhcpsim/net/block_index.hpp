#pragma once
// Key -> 32-bit value for keys that come in runs: the addresses on one segment (a subnet's
// hosts, addresses a server hands out in order, one vendor's MACs in sequence).
//
// Eight consecutive keys form a block, and a block's eight values share one 64-byte slot.
// Blocks are placed by a full 64-bit mix of the block number (open addressing, linear
// probing, at most half the slots used, backward-shift deletion), so any key set gets
// short probes. A cold lookup costs one cache line (a generic hash map keeps control bytes
// and slots apart: two), and work that moves along neighbouring addresses (host after
// host, a scan of a subnet) finds its line already warm. Sparse keys pay memory for it:
// up to one 64-byte slot (two at the load limit) per key.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/core/random.hpp"

namespace dhcpsim::net {

template <class Key>
class BlockIndex {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  /// The value stored under `key`, or kNone.
  uint32_t find(Key key) const {
    if (slots_.empty()) return kNone;
    const Slot& s = slots_[slot_of(tag_of(key))];
    return s.tag == 0 ? kNone : s.values[lane_of(key)];
  }

  /// Where a lookup of `key` starts (for a prefetch; null when the index is empty).
  const void* home(Key key) const {
    return slots_.empty() ? nullptr : &slots_[home_of(tag_of(key))];
  }

  /// Stores `value` (not kNone) under `key`, replacing any value there.
  void set(Key key, uint32_t value) {
    DHCPSIM_ASSERT(value != kNone, "BlockIndex cannot store its empty marker");
    if ((blocks_ + 1) * 2 > slots_.size()) grow();
    const uint64_t tag = tag_of(key);
    Slot& s = slots_[slot_of(tag)];
    if (s.tag == 0) {
      s.tag = tag;
      ++blocks_;
    }
    uint32_t& v = s.values[lane_of(key)];
    if (v == kNone) {
      ++s.used;
      ++size_;
    }
    v = value;
  }

  /// Removes `key` (nothing happens if it is absent).
  void erase(Key key) {
    if (slots_.empty()) return;
    std::size_t i = slot_of(tag_of(key));
    Slot& s = slots_[i];
    if (s.tag == 0 || s.values[lane_of(key)] == kNone) return;
    s.values[lane_of(key)] = kNone;
    --size_;
    if (--s.used > 0) return;
    // The block is empty: free its slot, shifting later members of the probe run back.
    const std::size_t mask = slots_.size() - 1;
    slots_[i] = Slot{};
    --blocks_;
    for (std::size_t j = (i + 1) & mask; slots_[j].tag != 0; j = (j + 1) & mask) {
      const std::size_t home = home_of(slots_[j].tag);
      // Move j back to i unless its home lies in the cyclic interval (i, j].
      const bool between = i < j ? (home > i && home <= j) : (home > i || home <= j);
      if (!between) {
        slots_[i] = slots_[j];
        slots_[j] = Slot{};
        i = j;
      }
    }
  }

  /// Number of keys stored.
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// Calls f(key, value) for every key, in an unspecified order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.tag != 0)
        for (uint32_t l = 0; l < kBlock; ++l)
          if (s.values[l] != kNone) f(static_cast<Key>(((s.tag - 1) << kShift) | l), s.values[l]);
  }

 private:
  static constexpr uint32_t kShift = 3;
  static constexpr uint32_t kBlock = 1u << kShift;
  struct alignas(64) Slot {
    uint64_t tag = 0;  // block number + 1; 0: free
    uint32_t used = 0;
    uint32_t values[kBlock] = {kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone};
  };
  static_assert(sizeof(Slot) == 64);

  static uint64_t tag_of(Key key) { return (static_cast<uint64_t>(key) >> kShift) + 1; }
  static uint32_t lane_of(Key key) { return static_cast<uint32_t>(key) & (kBlock - 1); }
  std::size_t home_of(uint64_t tag) const { return core::mix64(tag) & (slots_.size() - 1); }
  std::size_t slot_of(uint64_t tag) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home_of(tag);
    while (slots_[i].tag != 0 && slots_[i].tag != tag) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 4 : old.size() * 2, Slot{});
    for (const Slot& s : old)
      if (s.tag != 0) slots_[slot_of(s.tag)] = s;
  }

  std::vector<Slot> slots_;
  std::size_t blocks_ = 0;
  std::size_t size_ = 0;
};

/// Records referred to by index from a BlockIndex value, with their slots reused.
template <class T>
class RecordPool {
 public:
  /// A fresh (default-constructed) record's index.
  uint32_t acquire() {
    if (!free_.empty()) {
      const uint32_t k = free_.back();
      free_.pop_back();
      return k;
    }
    records_.emplace_back();
    return static_cast<uint32_t>(records_.size() - 1);
  }
  /// Gives record k back; it is reset to a default-constructed T.
  void release(uint32_t k) {
    records_[k] = T{};
    free_.push_back(k);
  }
  T& operator[](uint32_t k) { return records_[k]; }
  const T& operator[](uint32_t k) const { return records_[k]; }
  /// Every record, released ones included (default-constructed): for scans.
  const std::vector<T>& all() const { return records_; }

 private:
  std::vector<T> records_;
  std::vector<uint32_t> free_;
};

}  // namespace dhcpsim::net
