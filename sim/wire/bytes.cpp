#include "dhcpsim/wire/bytes.hpp"

#include <cstdio>
#include <cstring>
#include <cstdlib>

namespace dhcpsim::wire {

void ByteWriter::check(std::size_t n) const {
  if (pos_ + n > out_.size()) {
    // The wire layer does not depend on core; this mirrors DHCPSIM_ASSERT.
    std::fprintf(stderr,
                 "dhcpsim: internal invariant broken: encode buffer too small (%zu + %zu > %zu)\n",
                 pos_, n, out_.size());
    std::abort();
  }
}

uint32_t checksum_add(uint32_t sum, ConstBytes data) {
  // RFC 1071 §2(B): the one's complement sum does not depend on byte order, so add the
  // data as native 32-bit halves of 64-bit loads (a 64-bit accumulator cannot overflow
  // for any frame), fold to 16 bits, and swap to network order once at the end.
  const std::byte* p = data.data();
  std::size_t n = data.size();
  uint64_t acc = 0;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc += (w & 0xffffffffu) + (w >> 32);
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    acc += w;
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    // A last odd byte is the high byte of a zero-padded 16-bit word (network order).
    uint16_t w = 0;
    std::memcpy(&w, p, 1);
    acc += w;
  }
  while (acc >> 16) acc = (acc & 0xffffu) + (acc >> 16);
  uint16_t native = static_cast<uint16_t>(acc);
  uint16_t be;
  {
    const uint16_t probe = 1;
    uint8_t first;
    std::memcpy(&first, &probe, 1);
    be = first == 1 ? static_cast<uint16_t>((native >> 8) | (native << 8)) : native;  // little-endian host: swap
  }
  uint64_t total = uint64_t(sum) + be;
  while (total >> 32) total = (total & 0xffffffffu) + (total >> 32);
  return static_cast<uint32_t>(total);
}

uint16_t checksum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffffu);
}

}  // namespace dhcpsim::wire
