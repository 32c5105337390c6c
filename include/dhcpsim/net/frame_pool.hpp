#pragma once
// Ethernet frames in flight: fixed-size reference-counted buffers from a pool, so that
// sending a frame allocates nothing in steady state and a broadcast's one delivery event
// shares the bytes with every receiver.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::net {

class FramePool;

struct FrameBuf {
  static constexpr std::size_t kCapacity = 1518;  // Ethernet II with a VLAN tag, no FCS
  FramePool* pool;
  FrameBuf* next_free;
  uint64_t id;        // network-wide frame number, the key of per-receiver loss draws
  uint32_t refs;
  uint32_t len;
  uint16_t capacity;  // bytes of `data` (the buffer's size class)
  uint8_t size_class;
  std::byte data[];   // `capacity` bytes follow
};

/// A counted reference to a frame buffer (8 bytes, so events that carry one stay inline).
class FrameRef {
 public:
  FrameRef() = default;
  explicit FrameRef(FrameBuf* b) : b_(b) { if (b_) ++b_->refs; }
  FrameRef(const FrameRef& o) : b_(o.b_) { if (b_) ++b_->refs; }
  FrameRef(FrameRef&& o) noexcept : b_(std::exchange(o.b_, nullptr)) {}
  FrameRef& operator=(FrameRef o) noexcept { std::swap(b_, o.b_); return *this; }
  ~FrameRef() { reset(); }
  void reset();

  explicit operator bool() const { return b_ != nullptr; }
  uint64_t id() const { return b_->id; }
  std::size_t size() const { return b_->len; }
  std::size_t capacity() const { return b_->capacity; }
  std::span<const std::byte> bytes() const { return {b_->data, b_->len}; }
  /// The buffer's first byte (a prefetch hint).
  const std::byte* address() const { return reinterpret_cast<const std::byte*>(b_); }
  /// Writable bytes: only for the frame's builder, before it is shared.
  std::span<std::byte> mutable_bytes() {
    DHCPSIM_ASSERT(b_->refs == 1, "a shared frame may not be modified");
    return {b_->data, b_->len};
  }
  void set_size(std::size_t n) {
    DHCPSIM_ASSERT(n <= b_->capacity, "frame larger than the buffer");
    b_->len = static_cast<uint32_t>(n);
  }
  std::span<std::byte> capacity_bytes() { return {b_->data, b_->capacity}; }

 private:
  FrameBuf* b_ = nullptr;
};

/// Frame buffers in size classes (ARP in 64 bytes, small ICMP and DNS in 128 or 256, a
/// DHCP message with its usual options in 384, larger ones in 512), so that a backlog of
/// frames queued behind a busy NIC (100,000 OFFERs behind a server's 100 Mbps link) costs
/// what the frames weigh, not a full-size buffer each.
class FramePool {
 public:
  static constexpr std::size_t kClasses = 6;
  static constexpr std::size_t kClassCapacity[kClasses] = {64, 128, 256, 384, 512, FrameBuf::kCapacity};

  FramePool() = default;
  ~FramePool();
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  /// A fresh buffer that holds at least `capacity` bytes, size 0, with a new frame id.
  FrameRef allocate(std::size_t capacity = FrameBuf::kCapacity);
  void release(FrameBuf* b) {
    b->next_free = free_[b->size_class];
    free_[b->size_class] = b;
    --in_use_;
  }
  std::size_t in_use() const { return in_use_; }
  std::size_t allocated_bytes() const { return allocated_bytes_; }
  uint64_t frames_made() const { return next_id_; }

 private:
  static constexpr std::size_t kChunkBytes = 64 * 1024;
  std::vector<std::byte*> chunks_;
  FrameBuf* free_[kClasses] = {};
  std::size_t in_use_ = 0;
  std::size_t allocated_bytes_ = 0;
  uint64_t next_id_ = 0;
};

inline void FrameRef::reset() {
  if (b_ && --b_->refs == 0) b_->pool->release(b_);
  b_ = nullptr;
}

}  // namespace dhcpsim::net
