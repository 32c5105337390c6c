#include "dhcpsim/core/event_queue.hpp"

namespace dhcpsim::core {

EventQueue::EventQueue() { heap_.reserve(1024); }

EventQueue::~EventQueue() {
  // Destroy the callables of events that never ran (they may own resources).
  for (const Key& k : heap_) {
    Slot& s = slot(static_cast<uint32_t>(k.seq_slot & kSlotMask));
    if (s.ops != nullptr) {
      s.ops->destroy(s.storage);
      s.ops = nullptr;
    }
  }
}

uint32_t EventQueue::alloc_slot() {
  if (free_head_ != kNoSlot) {
    uint32_t i = free_head_;
    free_head_ = slot(i).next_free;
    return i;
  }
  DHCPSIM_ASSERT(slot_count_ < kSlotMask, "too many events pending at once (2^28)");
  if ((slot_count_ & (kChunkSize - 1)) == 0) {
    chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
    // generation 0 is never handed out, so EventId{} (raw 0) names no event
    for (uint32_t k = 0; k < kChunkSize; ++k) chunks_.back()[k].generation = 1;
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
  Key key{t.ns(), (next_seq_++ << kSlotBits) | index};
  // sift up (hole method)
  std::size_t i = heap_.size();
  heap_.push_back(key);
  while (i > 0) {
    std::size_t parent = (i - 1) / 4;
    if (!before(key, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = key;
  ++live_;
}

void EventQueue::sift_down(std::size_t i) {
  const std::size_t n = heap_.size();
  Key key = heap_[i];
  for (;;) {
    std::size_t first = 4 * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    std::size_t last = first + 4 < n ? first + 4 : n;
    for (std::size_t c = first + 1; c < last; ++c)
      if (before(heap_[c], heap_[best])) best = c;
    if (!before(heap_[best], key)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = key;
}

EventQueue::Key EventQueue::pop_top() {
  Key top = heap_.front();
  Key last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) {
    heap_.front() = last;
    sift_down(0);
  }
  return top;
}

bool EventQueue::cancel(EventId id) {
  if (!id.valid() || id.slot() >= slot_count_) return false;
  Slot& s = slot(id.slot());
  if (s.generation != id.generation() || s.ops == nullptr) return false;
  s.ops->destroy(s.storage);
  s.ops = nullptr;  // tombstone: the key stays in the heap until popped or compacted
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
  std::size_t out = 0;
  for (std::size_t i = 0; i < heap_.size(); ++i) {
    uint32_t index = static_cast<uint32_t>(heap_[i].seq_slot & kSlotMask);
    if (slot(index).ops == nullptr) {
      free_slot(index);
    } else {
      heap_[out++] = heap_[i];
    }
  }
  heap_.resize(out);
  tombstones_ = 0;
  // Keys are unique, so the pop order does not depend on the heap's layout.
  if (heap_.size() > 1)
    for (std::size_t i = (heap_.size() - 2) / 4 + 1; i-- > 0;) sift_down(i);
}

void EventQueue::drop_cancelled_top() {
  while (!heap_.empty()) {
    uint32_t index = static_cast<uint32_t>(heap_.front().seq_slot & kSlotMask);
    if (slot(index).ops != nullptr) return;
    pop_top();
    free_slot(index);
    --tombstones_;
  }
}

Time EventQueue::next_time() {
  drop_cancelled_top();
  return heap_.empty() ? Time::max() : Time::from_ns(heap_.front().time);
}

bool EventQueue::step() {
  for (;;) {
    if (heap_.empty()) return false;
    Key k = pop_top();
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
    ops->invoke(s.storage);
    // The callable may have scheduled events, which can add chunks but never moves a
    // slot, so `s` is still valid here.
    ops->destroy(s.storage);
    free_slot(index);
    return true;
  }
}

bool EventQueue::run_until(Time until) {
  DHCPSIM_ASSERT(until >= now_, "run_until may not go back in time");
  stop_requested_ = false;
  while (!stop_requested_) {
    if (next_time() > until) break;
    step();
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
