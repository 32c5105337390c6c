#include "dhcpsim/wire/icmp.hpp"

#include "dhcpsim/wire/ethernet.hpp"

namespace dhcpsim::wire {

uint16_t icmp_checksum(ConstBytes message) {
  uint32_t sum = checksum_add(0, message.first(2));
  if (message.size() > 4) sum = checksum_add(sum, message.subspan(4));
  return checksum_fold(sum);
}

Parsed<IcmpMessage> IcmpMessage::parse(ConstBytes message, std::size_t base_offset,
                                       bool verify_checksum) {
  ByteReader r(message, base_offset);
  if (auto ok = r.need(kIcmpHeaderSize, "ICMP header"); !ok) return tl::unexpected(ok.error());
  IcmpMessage m;
  m.type = r.u8();
  m.code = r.u8();
  m.checksum = r.be16();
  m.rest = r.be32();
  const ConstBytes data = r.rest();
  m.payload.assign(data.begin(), data.end());
  if (verify_checksum) {
    const uint16_t computed = icmp_checksum(message);
    if (computed != m.checksum)
      return parse_error("ICMP checksum " + detail::hex16(m.checksum) +
                             " does not match computed " + detail::hex16(computed),
                         base_offset + 2);
  }
  return m;
}

std::size_t IcmpMessage::encode(MutBytes out) const {
  const std::size_t n = encoded_size();
  if (out.size() < n) detail::encode_bug("ICMP message buffer too small");
  ByteWriter w(out);
  w.u8(type);
  w.u8(code);
  w.be16(0);
  w.be32(rest);
  w.bytes(payload);
  store_be16(out.data() + 2, icmp_checksum(out.first(n)));
  return n;
}

uint16_t IcmpMessage::compute_checksum() const {
  // Same sum as icmp_checksum without materialising the message.
  uint32_t sum = (uint32_t(type) << 8) | code;
  sum += rest >> 16;
  sum += rest & 0xffff;
  sum = checksum_add(sum, payload);
  return checksum_fold(sum);
}

}  // namespace dhcpsim::wire
