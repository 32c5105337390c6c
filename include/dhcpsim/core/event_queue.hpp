#pragma once
// The discrete-event kernel: a queue of callables ordered by (time, insertion sequence),
// so that events at the same instant run first-in first-out.
//
// Design (see ARCHITECTURE.md, "Event kernel"):
// - Keys are 16 bytes: the time and (sequence << 28 | slot). They live in a radix heap
//   (Ahuja, Mehlhorn, Orlin, Tarjan 1990): simulated time never goes back, so a key goes
//   into bucket msb(time XOR last popped time) + 1. Popping takes bucket 0 (the keys at
//   the current time) in order; when it is empty, the lowest non-empty bucket is split
//   into the lower ones. Every move is a sequential append, and a far-future timer
//   (a T1 30 minutes ahead) sits in a high bucket untouched until its time nears, where a
//   binary heap would sift every near event through a million far ones.
// - Ties: keys of equal time always share a bucket, so when bucket 0 is refilled it holds
//   every key of that time and is sorted by sequence once; later keys for the same time
//   are appended with larger sequences. Events at one instant therefore run FIFO.
// - The callable lives in a slot of a chunked slab (slots never move, so any callable
//   can be stored) in 48 bytes of inline storage; only larger callables go to the heap.
//   Freed slots are reused last-in first-out, so a steady state touches warm memory.
//   Past the first 2 MiB the slab lives in huge pages (core::huge_page_allocate).
// - `cancel` is lazy: it destroys the callable at once and leaves a tombstone key in the
//   heap. When tombstones outnumber live events the heap is compacted, so re-armed
//   timers (every DHCP renewal re-arms T1, T2 and expiry) never pile up.
// - Prefetching: an event may be a callable with a `touch() const` member that
//   prefetches what it will need first. While one event runs, the queue touches the event likely to run next (the
//   next key of bucket 0, or the keys of the lowest bucket when it holds two or fewer),
//   so the cache misses of consecutive events overlap instead of following one another.
//   A touch must only read and prefetch: it never changes what runs or in which order.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/core/time.hpp"

namespace dhcpsim::core {

/// Names one scheduled event. A default-constructed id names nothing. Ids of events that
/// have run or been cancelled stay harmless: cancelling them does nothing.
class EventId {
 public:
  constexpr EventId() = default;
  constexpr bool valid() const { return raw_ != 0; }
  constexpr explicit operator bool() const { return valid(); }
  constexpr bool operator==(const EventId&) const = default;
  constexpr uint64_t raw() const { return raw_; }

 private:
  friend class EventQueue;
  constexpr EventId(uint32_t slot, uint32_t generation)
      : raw_((uint64_t(generation) << 32) | slot) {}
  constexpr uint32_t slot() const { return static_cast<uint32_t>(raw_); }
  constexpr uint32_t generation() const { return static_cast<uint32_t>(raw_ >> 32); }
  uint64_t raw_ = 0;
};

class EventQueue {
 public:
  static constexpr std::size_t kInlineBytes = 48;

  EventQueue();
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  Time now() const { return now_; }
  /// Events that have run (cancelled ones are not counted).
  uint64_t events_executed() const { return executed_; }
  /// Events scheduled and neither run nor cancelled.
  std::size_t pending() const { return live_; }
  bool empty() const { return live_ == 0; }
  /// Keys held by the queue, tombstones included (for the memory-stays-flat tests).
  std::size_t heap_size() const { return keys_; }
  /// Slots allocated in the slab (high-water mark of pending events plus tombstones).
  std::size_t slot_capacity() const { return slot_count_; }

  template <class F>
  EventId schedule_at(Time t, F&& fn) {
    DHCPSIM_ASSERT(t >= now_, "an event may not be scheduled in the past");
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_r_v<void, Fn&>, "an event is a callable taking no arguments");
    uint32_t index = alloc_slot();
    Slot& s = slot(index);
    if constexpr (fits_inline<Fn>()) {
      ::new (static_cast<void*>(s.storage)) Fn(std::forward<F>(fn));
      s.ops = &kInlineOps<Fn>;
    } else {
      ::new (static_cast<void*>(s.storage)) Fn*(new Fn(std::forward<F>(fn)));
      s.ops = &kBoxedOps<Fn>;
    }
    push(t, index);
    return EventId(index, s.generation);
  }

  template <class F>
  EventId schedule_in(Duration d, F&& fn) {
    DHCPSIM_ASSERT(d >= Duration::zero(), "an event may not be scheduled in the past");
    return schedule_at(now_ + d, std::forward<F>(fn));
  }

  /// Cancels a pending event. Returns false if it already ran, is running, or was
  /// cancelled before.
  bool cancel(EventId id);
  bool is_pending(EventId id) const;

  /// Time of the next live event, or Time::max() when there is none.
  Time next_time();
  /// Runs the next live event. Returns false if there was none.
  bool step();
  /// Runs the next live event if its time is <= limit.
  bool step_until(Time limit);
  /// Runs every event with time <= `until`, then sets the clock to `until` (unless
  /// `stop()` was called from an event). Returns false if stopped early.
  bool run_until(Time until);
  /// Runs until no event is left or `stop()` is called.
  void run();
  /// Drops every pending event (destroying its callable) without running it. The clock
  /// and the counters stay. For owners of scheduled callables that are going away.
  void clear();
  /// Asks the running `run`/`run_until` to return after the current event.
  void stop() { stop_requested_ = true; }
  bool stop_requested() const { return stop_requested_; }

 private:
  struct Ops {
    void (*invoke)(void* storage);
    void (*destroy)(void* storage);
    void (*touch)(const void* storage);  // null: no prefetch hints
  };
  template <class Fn>
  static constexpr bool kTouching = requires(const Fn& f) { f.touch(); };
  struct Slot {
    alignas(16) std::byte storage[kInlineBytes];
    const Ops* ops;  // null: free, cancelled, or running
    uint32_t generation;
    uint32_t next_free;
  };
  static_assert(sizeof(Slot) == 64);
  struct Key {
    int64_t time;
    uint64_t seq_slot;  // sequence << kSlotBits | slot index
  };
  static constexpr unsigned kSlotBits = 28;
  static constexpr uint64_t kSlotMask = (uint64_t(1) << kSlotBits) - 1;
  static constexpr unsigned kChunkBits = 12;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kNoSlot = 0xffffffffu;

  template <class Fn>
  static constexpr bool fits_inline() {
    return sizeof(Fn) <= kInlineBytes && alignof(Fn) <= 16;
  }
  template <class Fn>
  static constexpr Ops kInlineOps = {
      [](void* p) { (*std::launder(static_cast<Fn*>(p)))(); },
      [](void* p) { std::launder(static_cast<Fn*>(p))->~Fn(); },
      kTouching<Fn> ? +[](const void* p) {
        if constexpr (kTouching<Fn>) std::launder(static_cast<const Fn*>(p))->touch();
      } : nullptr};
  template <class Fn>
  static constexpr Ops kBoxedOps = {[](void* p) { (**static_cast<Fn**>(p))(); },
                                    [](void* p) { delete *static_cast<Fn**>(p); }, nullptr};
  /// Prefetches what the event(s) likely to run next will touch.
  void touch_next() const;

  static bool before(const Key& a, const Key& b) {
    return a.time < b.time || (a.time == b.time && a.seq_slot < b.seq_slot);
  }
  Slot& slot(uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  const Slot& slot(uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }

  uint32_t alloc_slot();
  void free_slot(uint32_t index);
  static constexpr int kBuckets = 65;
  int bucket_of(int64_t t) const {
    uint64_t x = static_cast<uint64_t>(t) ^ static_cast<uint64_t>(last_);
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
  }
  void push(Time t, uint32_t index);
  /// Pops the next key (tombstones included) if its time is <= limit.
  bool pop_key(int64_t limit, Key& out);
  /// Refills bucket 0 from the lowest non-empty bucket if its minimum is <= limit.
  bool refill(int64_t limit);
  void compact();
  template <class F>
  void for_each_key(F&& f);

  std::vector<Key> buckets_[kBuckets];
  std::size_t head0_ = 0;      // bucket 0 is consumed from here
  uint64_t nonempty_ = 0;      // bit i: bucket i (i >= 1) is non-empty
  int64_t last_ = 0;           // time of the keys in bucket 0; last_ <= now_
  std::size_t keys_ = 0;
  // Slots: the first chunks from operator new, the rest carved from 2 MiB huge-page
  // blocks (a million pending timers are 64 MB of slots touched at random).
  static constexpr std::size_t kChunkBytes = sizeof(Slot) * kChunkSize;
  static constexpr std::size_t kBlockBytes = std::size_t(2) << 20;  // one huge page
  static constexpr std::size_t kChunksPerBlock = kBlockBytes / kChunkBytes;
  static_assert(kChunksPerBlock >= 1 && kBlockBytes % kChunkBytes == 0);
  Slot* new_chunk();
  std::vector<Slot*> chunks_;
  std::vector<void*> blocks_;
  uint32_t slot_count_ = 0;
  uint32_t free_head_ = kNoSlot;
  uint64_t next_seq_ = 0;
  std::size_t live_ = 0;
  std::size_t tombstones_ = 0;
  uint64_t executed_ = 0;
  Time now_ = Time::zero();
  bool stop_requested_ = false;
};

}  // namespace dhcpsim::core
