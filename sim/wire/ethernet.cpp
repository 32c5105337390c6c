#include "dhcpsim/wire/ethernet.hpp"

#include <cstdio>
#include <cstdlib>

namespace dhcpsim::wire {

Parsed<EthernetHeader> EthernetHeader::parse(ConstBytes frame, std::size_t base_offset) {
  ByteReader r(frame, base_offset);
  if (auto ok = r.need(kEthernetHeaderSize, "Ethernet header"); !ok)
    return tl::unexpected(ok.error());
  EthernetHeader h;
  h.dst = load_mac(frame.data());
  h.src = load_mac(frame.data() + 6);
  h.ethertype = load_be16(frame.data() + 12);
  return h;
}

std::size_t EthernetHeader::encode(MutBytes out) const {
  if (out.size() < kEthernetHeaderSize) detail::encode_bug("Ethernet header buffer too small");
  store_mac(out.data(), dst);
  store_mac(out.data() + 6, src);
  store_be16(out.data() + 12, ethertype);
  return kEthernetHeaderSize;
}

namespace detail {
void encode_bug(const char* what) {
  std::fprintf(stderr, "dhcpsim: internal invariant broken: %s\n", what);
  std::abort();
}

std::string hex16(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", unsigned(v));
  return buf;
}
}  // namespace detail

}  // namespace dhcpsim::wire
