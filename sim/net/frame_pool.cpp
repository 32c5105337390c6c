#include "dhcpsim/net/frame_pool.hpp"

namespace dhcpsim::net {

FrameRef FramePool::allocate() {
  if (free_ == nullptr) {
    chunks_.push_back(std::make_unique<FrameBuf[]>(kChunk));
    FrameBuf* c = chunks_.back().get();
    for (std::size_t i = 0; i < kChunk; ++i) {
      c[i].pool = this;
      c[i].next_free = free_;
      free_ = &c[i];
    }
  }
  FrameBuf* b = free_;
  free_ = b->next_free;
  b->refs = 0;
  b->len = 0;
  b->id = next_id_++;
  ++in_use_;
  return FrameRef(b);
}

}  // namespace dhcpsim::net
