#include "dhcpsim/wire/ipv4.hpp"

#include <array>

#include "dhcpsim/wire/ethernet.hpp"

namespace dhcpsim::wire {

Parsed<Ipv4Header> Ipv4Header::parse(ConstBytes packet, std::size_t base_offset,
                                     bool verify_checksum) {
  ByteReader r(packet, base_offset);
  if (auto ok = r.need(kIpv4MinHeaderSize, "IPv4 header"); !ok) return tl::unexpected(ok.error());
  const std::byte* p = packet.data();
  const unsigned version = unsigned(p[0]) >> 4;
  const std::size_t ihl = unsigned(p[0]) & 0x0f;
  if (version != 4)
    return parse_error("IPv4 header has version " + std::to_string(version) + ", expected 4",
                       base_offset);
  if (ihl < 5)
    return parse_error(
        "IPv4 header length (IHL) " + std::to_string(ihl) + " is less than the minimum 5",
        base_offset);
  const std::size_t header_len = ihl * 4;
  if (auto ok = r.need(header_len, "IPv4 header with options"); !ok)
    return tl::unexpected(ok.error());

  Ipv4Header h;
  h.dscp_ecn = uint8_t(p[1]);
  h.total_length = load_be16(p + 2);
  h.identification = load_be16(p + 4);
  h.flags_fragment = load_be16(p + 6);
  h.ttl = uint8_t(p[8]);
  h.protocol = uint8_t(p[9]);
  h.checksum = load_be16(p + 10);
  h.src = load_ipv4(p + 12);
  h.dst = load_ipv4(p + 16);
  h.options.assign(p + kIpv4MinHeaderSize, p + header_len);

  if (verify_checksum) {
    // RFC 791 §3.1: the checksum is the 16-bit one's complement of the one's complement
    // sum of the header's 16-bit words, computed with the checksum field as zero.
    uint32_t sum = checksum_add(0, packet.first(10));
    sum = checksum_add(sum, packet.subspan(12, header_len - 12));
    const uint16_t computed = checksum_fold(sum);
    if (computed != h.checksum)
      return parse_error("IPv4 header checksum " + detail::hex16(h.checksum) +
                             " does not match computed " + detail::hex16(computed),
                         base_offset + 10);
  }
  if (h.total_length < header_len)
    return parse_error("IPv4 total length " + std::to_string(h.total_length) +
                           " is less than the header length " + std::to_string(header_len),
                       base_offset + 2);
  if (h.total_length > packet.size())
    return parse_error("IPv4 total length " + std::to_string(h.total_length) + " exceeds the " +
                           std::to_string(packet.size()) + " bytes available",
                       base_offset + 2);
  return h;
}

namespace {
// Writes the header with a zero checksum field; returns the header length.
std::size_t write_fields(const Ipv4Header& h, MutBytes out) {
  if (h.options.size() % 4 != 0 || h.options.size() > kIpv4MaxHeaderSize - kIpv4MinHeaderSize)
    detail::encode_bug("IPv4 options must be a multiple of 4 bytes and at most 40");
  const std::size_t len = h.header_length();
  if (out.size() < len) detail::encode_bug("IPv4 header buffer too small");
  ByteWriter w(out);
  w.u8(uint8_t(0x40 | h.ihl()));
  w.u8(h.dscp_ecn);
  w.be16(h.total_length);
  w.be16(h.identification);
  w.be16(h.flags_fragment);
  w.u8(h.ttl);
  w.u8(h.protocol);
  w.be16(0);
  w.be32(h.src.value());
  w.be32(h.dst.value());
  w.bytes(h.options);
  return len;
}
}  // namespace

std::size_t Ipv4Header::encode(MutBytes out) const {
  const std::size_t len = write_fields(*this, out);
  store_be16(out.data() + 10, checksum_fold(checksum_add(0, out.first(len))));
  return len;
}

uint16_t Ipv4Header::compute_checksum() const {
  std::array<std::byte, kIpv4MaxHeaderSize> buf{};
  const std::size_t len = write_fields(*this, buf);
  return checksum_fold(checksum_add(0, ConstBytes(buf).first(len)));
}

}  // namespace dhcpsim::wire
