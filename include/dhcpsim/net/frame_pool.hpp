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
  std::byte data[kCapacity];
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
  std::span<const std::byte> bytes() const { return {b_->data, b_->len}; }
  /// Writable bytes: only for the frame's builder, before it is shared.
  std::span<std::byte> mutable_bytes() {
    DHCPSIM_ASSERT(b_->refs == 1, "a shared frame may not be modified");
    return {b_->data, b_->len};
  }
  void set_size(std::size_t n) {
    DHCPSIM_ASSERT(n <= FrameBuf::kCapacity, "frame larger than the buffer");
    b_->len = static_cast<uint32_t>(n);
  }
  std::span<std::byte> capacity_bytes() { return {b_->data, FrameBuf::kCapacity}; }

 private:
  FrameBuf* b_ = nullptr;
};

class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  /// A fresh buffer of capacity kCapacity and size 0, with a new frame id.
  FrameRef allocate();
  void release(FrameBuf* b) {
    b->next_free = free_;
    free_ = b;
    --in_use_;
  }
  std::size_t in_use() const { return in_use_; }
  std::size_t allocated() const { return chunks_.size() * kChunk; }
  uint64_t frames_made() const { return next_id_; }

 private:
  static constexpr std::size_t kChunk = 64;
  std::vector<std::unique_ptr<FrameBuf[]>> chunks_;
  FrameBuf* free_ = nullptr;
  std::size_t in_use_ = 0;
  uint64_t next_id_ = 0;
};

inline void FrameRef::reset() {
  if (b_ && --b_->refs == 0) b_->pool->release(b_);
  b_ = nullptr;
}

}  // namespace dhcpsim::net
