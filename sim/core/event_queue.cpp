#include "dhcpsim/core/event_queue.hpp"

#include <algorithm>
#include <new>

#include "dhcpsim/core/memory.hpp"

namespace dhcpsim::core {

EventQueue::EventQueue() = default;

template <class F>
void EventQueue::for_each_key(F&& f) {
  for (std::size_t i = head0_; i < buckets_[0].size(); ++i) f(buckets_[0][i]);
  for (int b = 1; b < kBuckets; ++b)
    for (const Key& k : buckets_[b]) f(k);
}

EventQueue::~EventQueue() {
  // Destroy the callables of events that never ran (they may own resources).
  for_each_key([this](const Key& k) {
    Slot& s = slot(static_cast<uint32_t>(k.seq_slot & kSlotMask));
    if (s.ops != nullptr) {
      s.ops->destroy(s.storage);
      s.ops = nullptr;
    }
  });
  for (std::size_t c = 0; c < chunks_.size() && c < kChunksPerBlock; ++c)
    ::operator delete(chunks_[c], std::align_val_t(alignof(Slot)));
  for (void* b : blocks_) huge_page_free(b, kBlockBytes);
}

EventQueue::Slot* EventQueue::new_chunk() {
  const std::size_t n = chunks_.size();
  Slot* c;
  if (n < kChunksPerBlock) {
    c = static_cast<Slot*>(::operator new(kChunkBytes, std::align_val_t(alignof(Slot))));
  } else {
    const std::size_t k = (n - kChunksPerBlock) % kChunksPerBlock;
    if (k == 0) blocks_.push_back(huge_page_allocate(kBlockBytes));
    c = static_cast<Slot*>(blocks_.back()) + k * kChunkSize;
  }
  // generation 0 is never handed out, so EventId{} (raw 0) names no event
  for (uint32_t k = 0; k < kChunkSize; ++k) ::new (static_cast<void*>(c + k)) Slot{{}, nullptr, 1, 0};
  return c;
}

void EventQueue::clear() {
  for_each_key([this](const Key& k) {
    uint32_t index = static_cast<uint32_t>(k.seq_slot & kSlotMask);
    Slot& s = slot(index);
    if (s.ops != nullptr) s.ops->destroy(s.storage);
    free_slot(index);
  });
  for (auto& b : buckets_) b.clear();
  head0_ = 0;
  nonempty_ = 0;
  keys_ = 0;
  live_ = 0;
  tombstones_ = 0;
}

uint32_t EventQueue::alloc_slot() {
  if (free_head_ != kNoSlot) {
    uint32_t i = free_head_;
    free_head_ = slot(i).next_free;
    return i;
  }
  DHCPSIM_ASSERT(slot_count_ < kSlotMask, "too many events pending at once (2^28)");
  if ((slot_count_ & (kChunkSize - 1)) == 0) {
    chunks_.push_back(new_chunk());
  }
  return slot_count_++;
}

void EventQueue::free_slot(uint32_t index) {
  Slot& s = slot(index);
  s.ops = nullptr;
  if (++s.generation == 0) s.generation = 1;
  s.next_free = free_head_;
  free_head_ = index;
}

void EventQueue::push(Time t, uint32_t index) {
  DHCPSIM_ASSERT(next_seq_ < (uint64_t(1) << (64 - kSlotBits)), "event sequence space exhausted");
  int b = bucket_of(t.ns());
  buckets_[b].push_back(Key{t.ns(), (next_seq_++ << kSlotBits) | index});
  if (b != 0) nonempty_ |= uint64_t(1) << (b - 1);
  ++keys_;
  ++live_;
}

bool EventQueue::refill(int64_t limit) {
  if (nonempty_ == 0) return false;
  const int b = __builtin_ctzll(nonempty_) + 1;
  std::vector<Key>& from = buckets_[b];
  int64_t m = from.front().time;
  for (const Key& k : from) m = std::min(m, k.time);
  if (m > limit) return false;
  last_ = m;
  std::vector<Key>& zero = buckets_[0];
  zero.clear();
  head0_ = 0;
  const bool near = from.size() <= 8;  // a few keys: these run within the next events
  for (const Key& k : from) {
    int nb = bucket_of(k.time);  // < b, by the radix heap invariant
    buckets_[nb].push_back(k);
    if (nb != 0) {
      nonempty_ |= uint64_t(1) << (nb - 1);
    }
    if (nb <= 2 || near) {
      // Due soon: start loading the callable's slot (and so its hints) now.
      __builtin_prefetch(&slot(static_cast<uint32_t>(k.seq_slot & kSlotMask)));
    }
  }
  from.clear();
  nonempty_ &= ~(uint64_t(1) << (b - 1));
  if (zero.size() > 1)
    std::sort(zero.begin(), zero.end(),
              [](const Key& x, const Key& y) { return x.seq_slot < y.seq_slot; });
  return true;
}

bool EventQueue::pop_key(int64_t limit, Key& out) {
  for (;;) {
    std::vector<Key>& zero = buckets_[0];
    if (head0_ < zero.size()) {
      if (last_ > limit) return false;
      out = zero[head0_++];
      if (head0_ == zero.size()) {
        zero.clear();
        head0_ = 0;
      }
      --keys_;
      return true;
    }
    if (!refill(limit)) return false;
  }
}

bool EventQueue::cancel(EventId id) {
  if (!id.valid() || id.slot() >= slot_count_) return false;
  Slot& s = slot(id.slot());
  if (s.generation != id.generation() || s.ops == nullptr) return false;
  s.ops->destroy(s.storage);
  s.ops = nullptr;  // tombstone: the key stays queued until popped or compacted
  --live_;
  ++tombstones_;
  if (tombstones_ > 1024 && tombstones_ > live_) compact();
  return true;
}

bool EventQueue::is_pending(EventId id) const {
  if (!id.valid() || id.slot() >= slot_count_) return false;
  const Slot& s = slot(id.slot());
  return s.generation == id.generation() && s.ops != nullptr;
}

void EventQueue::compact() {
  // Keys keep their buckets (the bucket depends only on the time), and filtering keeps
  // the relative order, so bucket 0 stays sorted.
  {
    std::vector<Key>& zero = buckets_[0];
    std::size_t out = 0;
    for (std::size_t i = head0_; i < zero.size(); ++i) {
      uint32_t index = static_cast<uint32_t>(zero[i].seq_slot & kSlotMask);
      if (slot(index).ops == nullptr) free_slot(index);
      else zero[out++] = zero[i];
    }
    zero.resize(out);
    head0_ = 0;
  }
  for (int b = 1; b < kBuckets; ++b) {
    std::vector<Key>& v = buckets_[b];
    std::size_t out = 0;
    for (const Key& k : v) {
      uint32_t index = static_cast<uint32_t>(k.seq_slot & kSlotMask);
      if (slot(index).ops == nullptr) free_slot(index);
      else v[out++] = k;
    }
    v.resize(out);
    if (out == 0) nonempty_ &= ~(uint64_t(1) << (b - 1));
  }
  keys_ = live_;
  tombstones_ = 0;
}

Time EventQueue::next_time() {
  // Drops tombstones at the front; does not move last_ past a live event.
  for (;;) {
    std::vector<Key>& zero = buckets_[0];
    while (head0_ < zero.size()) {
      uint32_t index = static_cast<uint32_t>(zero[head0_].seq_slot & kSlotMask);
      if (slot(index).ops != nullptr) return Time::from_ns(last_);
      ++head0_;
      --keys_;
      --tombstones_;
      free_slot(index);
    }
    zero.clear();
    head0_ = 0;
    if (nonempty_ == 0) return Time::max();
    // The minimum of the lowest bucket is the next time (live or not); refilling up to
    // now_ is always safe, beyond it would let last_ run ahead of the clock.
    const int b = __builtin_ctzll(nonempty_) + 1;
    int64_t m = buckets_[b].front().time;
    for (const Key& k : buckets_[b]) m = std::min(m, k.time);
    if (m > now_.ns()) {
      // Cannot refill without advancing last_; report the bucket's minimum. It may be a
      // tombstone's time, which only makes callers look slightly early: step() skips it.
      return Time::from_ns(m);
    }
    refill(m);
  }
}

void EventQueue::touch_next() const {
  auto touch = [this](const Key& k) {
    const Slot& s = slot(static_cast<uint32_t>(k.seq_slot & kSlotMask));
    const Ops* o = s.ops;
    if (o != nullptr && o->touch != nullptr) o->touch(s.storage);
  };
  const std::vector<Key>& zero = buckets_[0];
  if (head0_ < zero.size()) {
    touch(zero[head0_]);
    return;
  }
  if (nonempty_ == 0) return;
  const std::vector<Key>& low = buckets_[__builtin_ctzll(nonempty_) + 1];
  if (low.size() <= 2)
    for (const Key& k : low) touch(k);
}

bool EventQueue::step() { return step_until(Time::max()); }

bool EventQueue::step_until(Time limit) {
  Key k;
  while (pop_key(limit.ns(), k)) {
    uint32_t index = static_cast<uint32_t>(k.seq_slot & kSlotMask);
    Slot& s = slot(index);
    const Ops* ops = s.ops;
    if (ops == nullptr) {  // tombstone of a cancelled event
      free_slot(index);
      --tombstones_;
      continue;
    }
    s.ops = nullptr;  // running: cancel() of this event is now a no-op
    --live_;
    now_ = Time::from_ns(k.time);
    ++executed_;
    touch_next();
    ops->invoke(s.storage);
    // The callable may have scheduled events, which can add chunks but never moves a
    // slot, so `s` is still valid here.
    ops->destroy(s.storage);
    free_slot(index);
    return true;
  }
  return false;
}

bool EventQueue::run_until(Time until) {
  DHCPSIM_ASSERT(until >= now_, "run_until may not go back in time");
  stop_requested_ = false;
  while (!stop_requested_ && step_until(until)) {
  }
  if (stop_requested_) return false;
  now_ = until;
  return true;
}

void EventQueue::run() {
  stop_requested_ = false;
  while (!stop_requested_ && step()) {
  }
}

}  // namespace dhcpsim::core
