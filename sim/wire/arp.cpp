#include "dhcpsim/wire/arp.hpp"

#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/ipv4.hpp"

namespace dhcpsim::wire {

Parsed<ArpPacket> ArpPacket::parse(ConstBytes data, std::size_t base_offset) {
  ByteReader r(data, base_offset);
  // The fixed part first, so a wrong hlen/plen is reported as such rather than as a
  // truncation of a packet whose size we cannot know.
  if (auto ok = r.need(8, "ARP header"); !ok) return tl::unexpected(ok.error());
  const std::byte* p = data.data();
  ArpPacket a;
  a.htype = load_be16(p);
  a.ptype = load_be16(p + 2);
  a.hlen = uint8_t(p[4]);
  a.plen = uint8_t(p[5]);
  a.oper = load_be16(p + 6);
  if (a.hlen != 6)
    return parse_error("ARP hardware address length " + std::to_string(a.hlen) +
                           " is not 6 (only Ethernet addresses are supported)",
                       base_offset + 4);
  if (a.plen != 4)
    return parse_error("ARP protocol address length " + std::to_string(a.plen) +
                           " is not 4 (only IPv4 addresses are supported)",
                       base_offset + 5);
  if (auto ok = r.need(kArpPacketSize, "ARP packet"); !ok) return tl::unexpected(ok.error());
  a.sha = load_mac(p + 8);
  a.spa = load_ipv4(p + 14);
  a.tha = load_mac(p + 18);
  a.tpa = load_ipv4(p + 24);
  return a;
}

std::size_t ArpPacket::encode(MutBytes out) const {
  if (out.size() < kArpPacketSize) detail::encode_bug("ARP packet buffer too small");
  std::byte* p = out.data();
  store_be16(p, htype);
  store_be16(p + 2, ptype);
  p[4] = std::byte(hlen);
  p[5] = std::byte(plen);
  store_be16(p + 6, oper);
  store_mac(p + 8, sha);
  store_ipv4(p + 14, spa);
  store_mac(p + 18, tha);
  store_ipv4(p + 24, tpa);
  return kArpPacketSize;
}

}  // namespace dhcpsim::wire
