#include "dhcpsim/wire/udp.hpp"

#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/ipv4.hpp"

namespace dhcpsim::wire {

uint16_t udp_checksum(ConstBytes datagram, Ipv4Address src, Ipv4Address dst) {
  // RFC 768: the pseudo-header carries the UDP length; the checksum field counts as zero.
  uint32_t sum = pseudo_header_sum(src, dst, kIpProtoUdp, uint16_t(datagram.size()));
  sum = checksum_add(sum, datagram.first(6));
  if (datagram.size() > kUdpHeaderSize) sum = checksum_add(sum, datagram.subspan(kUdpHeaderSize));
  const uint16_t c = checksum_fold(sum);
  // RFC 768: "If the computed checksum is zero, it is transmitted as all ones".
  return c == 0 ? 0xffff : c;
}

Parsed<UdpHeader> UdpHeader::parse(ConstBytes datagram, Ipv4Address src, Ipv4Address dst,
                                   std::size_t base_offset, bool verify_checksum) {
  ByteReader r(datagram, base_offset);
  if (auto ok = r.need(kUdpHeaderSize, "UDP header"); !ok) return tl::unexpected(ok.error());
  const std::byte* p = datagram.data();
  UdpHeader h;
  h.src_port = load_be16(p);
  h.dst_port = load_be16(p + 2);
  h.length = load_be16(p + 4);
  h.checksum = load_be16(p + 6);
  h.has_checksum = h.checksum != 0;
  if (h.length < kUdpHeaderSize)
    return parse_error("UDP length " + std::to_string(h.length) + " is less than the 8-byte header",
                       base_offset + 4);
  if (h.length > datagram.size())
    return parse_error("UDP length " + std::to_string(h.length) + " exceeds the " +
                           std::to_string(datagram.size()) + " bytes of the IPv4 payload",
                       base_offset + 4);
  if (verify_checksum && h.has_checksum) {
    // The sum over the pseudo-header is never zero (it includes protocol 17 and a length
    // of at least 8), so a correct checksum field equals this value exactly.
    const uint16_t computed = udp_checksum(datagram.first(h.length), src, dst);
    if (computed != h.checksum)
      return parse_error("UDP checksum " + detail::hex16(h.checksum) + " does not match computed " +
                             detail::hex16(computed),
                         base_offset + 6);
  }
  return h;
}

std::size_t UdpHeader::encode(MutBytes datagram, Ipv4Address src, Ipv4Address dst) const {
  if (length < kUdpHeaderSize || length > datagram.size())
    detail::encode_bug("UDP length field does not fit the datagram buffer");
  std::byte* p = datagram.data();
  store_be16(p, src_port);
  store_be16(p + 2, dst_port);
  store_be16(p + 4, length);
  store_be16(p + 6, 0);
  if (has_checksum) store_be16(p + 6, udp_checksum(datagram.first(length), src, dst));
  return kUdpHeaderSize;
}

}  // namespace dhcpsim::wire
