#include "dhcpsim/proto/allocator.hpp"

#include <algorithm>
#include <bit>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::proto {

const char* to_string(AllocatorKind kind) {
  switch (kind) {
    case AllocatorKind::Iterative:
      return "iterative";
    case AllocatorKind::Random:
      return "random";
    case AllocatorKind::FreeList:
      return "free-list";
  }
  return "?";
}

std::optional<AllocatorKind> allocator_kind_from_string(std::string_view name) {
  if (name == "iterative") return AllocatorKind::Iterative;
  if (name == "random") return AllocatorKind::Random;
  if (name == "free-list") return AllocatorKind::FreeList;
  return std::nullopt;
}

// --- iterative ---------------------------------------------------------------------------

uint32_t IterativeAllocator::propose(core::Rng&) {
  if (size_ == 0) return kNone;
  const uint32_t i = cursor_;
  cursor_ = cursor_ + 1 == size_ ? 0 : cursor_ + 1;
  return i;
}

void IterativeAllocator::reset(core::Rng&) {
  cursor_ = 0;
}

// --- random ------------------------------------------------------------------------------

RandomAllocator::RandomAllocator(uint32_t size, core::Rng& rng) : Allocator(size) {
  // The permutation works on the smallest power of two >= size and is cycle-walked into
  // [0, size): at most 2x the space, so fewer than 2 steps per proposal on average.
  bits_ = size <= 2 ? 1 : uint32_t(std::bit_width(size - 1));
  mask_ = bits_ >= 32 ? UINT32_MAX : (1u << bits_) - 1;
  shift_ = (bits_ + 1) / 2;
  rekey(rng);
}

void RandomAllocator::rekey(core::Rng& rng) {
  for (int r = 0; r < 3; ++r) {
    const uint64_t bits = rng.next_u64();
    mul_[r] = uint32_t(bits) | 1u;  // odd: multiplication mod 2^k is then a bijection
    add_[r] = uint32_t(bits >> 32);
  }
  counter_ = 0;
}

void RandomAllocator::reset(core::Rng& rng) {
  rekey(rng);
}

uint32_t RandomAllocator::step(uint32_t x) const {
  // Each stage is a bijection of [0, 2^bits): x*odd + c (mod 2^bits), and x ^ (x >> s)
  // (which mixes the high bits into the low ones the multiplications never reach).
  for (int r = 0; r < 3; ++r) {
    x = (x * mul_[r] + add_[r]) & mask_;
    x ^= x >> shift_;
  }
  return x;
}

uint32_t RandomAllocator::permute(uint32_t i) const {
  // Cycle walking: applying a bijection of the larger space until the value lands in
  // [0, size) gives a bijection of [0, size) (the walk stays on i's cycle, which holds i).
  uint32_t x = step(i);
  while (x >= size_) x = step(x);
  return x;
}

uint32_t RandomAllocator::propose(core::Rng& rng) {
  if (size_ == 0) return kNone;
  if (counter_ == size_) rekey(rng);  // every index proposed once: a fresh permutation
  return permute(counter_++);
}

// --- free list ---------------------------------------------------------------------------

FreeListAllocator::FreeListAllocator(uint32_t size) : Allocator(size) {
  ring_.resize(size);
  in_ring_.resize((std::size_t(size) + 63) / 64);
  used_.resize(in_ring_.size());
  core::Rng unused(0);
  reset(unused);
}

void FreeListAllocator::reset(core::Rng&) {
  // All free, in index order (so the first allocations look like the iterative ones).
  for (uint32_t i = 0; i < size_; ++i) ring_[i] = i;
  std::fill(used_.begin(), used_.end(), 0);
  std::fill(in_ring_.begin(), in_ring_.end(), ~uint64_t(0));
  head_ = 0;
  count_ = size_;
  stale_ = 0;
}

void FreeListAllocator::pop_head() {
  assign(in_ring_, ring_[head_], false);
  head_ = head_ + 1 == size_ ? 0 : head_ + 1;
  --count_;
}

uint32_t FreeListAllocator::propose(core::Rng&) {
  while (count_ > 0 && test(used_, ring_[head_])) {
    pop_head();
    --stale_;
  }
  return count_ > 0 ? ring_[head_] : kNone;
}

void FreeListAllocator::on_used(uint32_t i) {
  DHCPSIM_ASSERT(i < size_, "free-list index out of range");
  if (test(used_, i)) return;
  assign(used_, i, true);
  if (!test(in_ring_, i)) return;
  if (ring_[head_] == i)
    pop_head();  // the usual case: the proposed head was taken
  else
    ++stale_;  // skipped when it reaches the head
}

void FreeListAllocator::on_freed(uint32_t i) {
  DHCPSIM_ASSERT(i < size_, "free-list index out of range");
  if (!test(used_, i)) return;
  assign(used_, i, false);
  if (test(in_ring_, i)) {
    --stale_;  // still queued from an earlier time it was free: valid again
    return;
  }
  uint32_t tail = head_ + count_;
  if (tail >= size_) tail -= size_;
  ring_[tail] = i;
  assign(in_ring_, i, true);
  ++count_;
}

std::size_t FreeListAllocator::memory_bytes() const {
  return ring_.capacity() * sizeof(uint32_t) +
         (in_ring_.capacity() + used_.capacity()) * sizeof(uint64_t);
}

std::unique_ptr<Allocator> make_allocator(AllocatorKind kind, uint32_t size, core::Rng& rng) {
  switch (kind) {
    case AllocatorKind::Iterative:
      return std::make_unique<IterativeAllocator>(size);
    case AllocatorKind::Random:
      return std::make_unique<RandomAllocator>(size, rng);
    case AllocatorKind::FreeList:
      return std::make_unique<FreeListAllocator>(size);
  }
  DHCPSIM_ASSERT(false, "unknown allocator kind");
  return nullptr;
}

}  // namespace dhcpsim::proto
