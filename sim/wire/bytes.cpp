#include "dhcpsim/wire/bytes.hpp"

#include <cstdio>
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
  std::size_t i = 0;
  const std::size_t n = data.size();
  uint64_t acc = sum;
  for (; i + 1 < n; i += 2) acc += load_be16(&data[i]);
  if (i < n) acc += uint32_t(data[i]) << 8;
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  return static_cast<uint32_t>(acc);
}

uint16_t checksum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffffu);
}

}  // namespace dhcpsim::wire
