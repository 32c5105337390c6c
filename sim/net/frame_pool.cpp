#include "dhcpsim/net/frame_pool.hpp"

#include <new>

namespace dhcpsim::net {

FramePool::~FramePool() {
  for (std::byte* c : chunks_) ::operator delete(c, std::align_val_t{alignof(FrameBuf)});
}

FrameRef FramePool::allocate(std::size_t capacity) {
  DHCPSIM_ASSERT(capacity <= FrameBuf::kCapacity, "a frame larger than Ethernet allows");
  uint8_t cls = 0;
  while (kClassCapacity[cls] < capacity) ++cls;
  if (free_[cls] == nullptr) {
    // Raw memory carved into buffers of this class; nothing is zeroed (every frame is
    // written before it is read).
    const std::size_t stride = (sizeof(FrameBuf) + kClassCapacity[cls] + alignof(FrameBuf) - 1) & ~(alignof(FrameBuf) - 1);
    std::byte* chunk = static_cast<std::byte*>(::operator new(kChunkBytes, std::align_val_t{alignof(FrameBuf)}));
    chunks_.push_back(chunk);
    allocated_bytes_ += kChunkBytes;
    for (std::size_t off = 0; off + stride <= kChunkBytes; off += stride) {
      auto* b = new (chunk + off) FrameBuf;
      b->pool = this;
      b->capacity = static_cast<uint16_t>(kClassCapacity[cls]);
      b->size_class = cls;
      b->next_free = free_[cls];
      free_[cls] = b;
    }
  }
  FrameBuf* b = free_[cls];
  free_[cls] = b->next_free;
  b->refs = 0;
  b->len = 0;
  b->id = next_id_++;
  ++in_use_;
  return FrameRef(b);
}

}  // namespace dhcpsim::net
