#pragma once
// Address allocators: interchangeable strategies that only *propose* candidate addresses.
//
// The shape follows ISC Kea's allocation engine: an allocator knows nothing about leases,
// reservations, declined addresses or offers. It walks an index space [0, size) (the
// concatenated pool ranges of one subnet) and proposes the next candidate; the lease table
// checks the candidate and asks again if it is not usable. The lease table tells the
// allocator when an index becomes used or free, which only the free-list strategy needs.
//
// - iterative: the index after the last one proposed, wrapping (Kea's default; dhcpd and
//   dnsmasq behave alike in spirit). O(1) memory; O(1/free fraction) probes per allocation.
// - random: a pseudo-random permutation of the index space, drawn from the server's rng;
//   no index repeats until the whole space has been proposed, then a new permutation.
//   O(1) memory (a keyed bijection, cycle-walked into [0, size)).
// - free-list: the free indices in the order they became free (least recently freed first,
//   like dhcpd's free-lease queue, so a released address stays available for its previous
//   client as long as possible). O(1) per allocation at any occupancy; ~4 bytes per index.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "dhcpsim/core/random.hpp"

namespace dhcpsim::proto {

enum class AllocatorKind : uint8_t { Iterative, Random, FreeList };

/// "iterative", "random", "free-list".
const char* to_string(AllocatorKind kind);
/// The inverse of to_string; nullopt for an unknown name.
std::optional<AllocatorKind> allocator_kind_from_string(std::string_view name);

class Allocator {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit Allocator(uint32_t size) : size_(size) {}
  virtual ~Allocator() = default;
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  virtual AllocatorKind kind() const = 0;
  /// The next candidate index in [0, size()), or kNone when the allocator knows that no
  /// index is free (only the free list knows). A candidate may be unusable: the caller
  /// checks it and calls propose() again.
  virtual uint32_t propose(core::Rng& rng) = 0;
  /// Index `i` left the free state (whoever chose it).
  virtual void on_used(uint32_t i) { (void)i; }
  /// Index `i` became free again.
  virtual void on_freed(uint32_t i) { (void)i; }
  /// Forget everything: every index is free (a server that lost its lease database).
  virtual void reset(core::Rng& rng) = 0;
  /// The index the next propose() will most likely return, or kNone if unknown; the lease
  /// table prefetches its slot (a pure performance hint).
  virtual uint32_t hint() const { return kNone; }
  /// Heap bytes owned by the allocator.
  virtual std::size_t memory_bytes() const { return 0; }

  uint32_t size() const { return size_; }

 protected:
  uint32_t size_;
};

class IterativeAllocator final : public Allocator {
 public:
  explicit IterativeAllocator(uint32_t size) : Allocator(size) {}
  AllocatorKind kind() const override { return AllocatorKind::Iterative; }
  uint32_t propose(core::Rng& rng) override;
  void reset(core::Rng& rng) override;

 private:
  uint32_t cursor_ = 0;
};

class RandomAllocator final : public Allocator {
 public:
  RandomAllocator(uint32_t size, core::Rng& rng);
  AllocatorKind kind() const override { return AllocatorKind::Random; }
  uint32_t propose(core::Rng& rng) override;
  void reset(core::Rng& rng) override;
  /// The keyed bijection of [0, size()) used by the current cycle (exposed for tests).
  uint32_t permute(uint32_t i) const;

 private:
  void rekey(core::Rng& rng);
  uint32_t step(uint32_t x) const;  // a bijection of [0, 2^bits_)

  uint32_t bits_ = 1;
  uint32_t mask_ = 1;
  uint32_t shift_ = 1;
  uint32_t counter_ = 0;
  uint32_t mul_[3] = {1, 1, 1};
  uint32_t add_[3] = {0, 0, 0};
};

class FreeListAllocator final : public Allocator {
 public:
  explicit FreeListAllocator(uint32_t size);
  AllocatorKind kind() const override { return AllocatorKind::FreeList; }
  /// The least recently freed index that is still free, or kNone if none is.
  uint32_t propose(core::Rng& rng) override;
  void on_used(uint32_t i) override;
  void on_freed(uint32_t i) override;
  void reset(core::Rng& rng) override;
  uint32_t hint() const override { return count_ > 0 ? ring_[head_] : kNone; }
  std::size_t memory_bytes() const override;
  /// Free indices (exact).
  uint32_t free_count() const { return count_ - stale_; }

 private:
  // A FIFO ring of indices (each at most once) plus two bitsets: "in the ring" and "used".
  // An index used by another path than propose() (a requested or previous address) stays
  // in the ring as a stale entry and is skipped when it reaches the head: O(1) amortized
  // per operation, 4 bytes + 2 bits per index, and the bitsets (256 KiB for a million
  // addresses) stay in cache, so no operation touches more than the ring's ends.
  bool test(const std::vector<uint64_t>& bits, uint32_t i) const {
    return (bits[i >> 6] >> (i & 63)) & 1;
  }
  static void assign(std::vector<uint64_t>& bits, uint32_t i, bool on) {
    const uint64_t m = uint64_t(1) << (i & 63);
    bits[i >> 6] = on ? (bits[i >> 6] | m) : (bits[i >> 6] & ~m);
  }
  void pop_head();

  std::vector<uint32_t> ring_;  // (small next to the slots: plain storage)
  std::vector<uint64_t> in_ring_;
  std::vector<uint64_t> used_;
  uint32_t head_ = 0;
  uint32_t count_ = 0;  // entries in the ring
  uint32_t stale_ = 0;  // entries in the ring whose index is used
};

std::unique_ptr<Allocator> make_allocator(AllocatorKind kind, uint32_t size, core::Rng& rng);

}  // namespace dhcpsim::proto
