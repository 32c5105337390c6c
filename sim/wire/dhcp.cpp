#include "dhcpsim/wire/dhcp.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dhcpsim::wire {

namespace {

std::string dotted(uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xff) + "." +
         std::to_string((v >> 8) & 0xff) + "." + std::to_string(v & 0xff);
}

}  // namespace

MacAddress DhcpMessage::client_mac() const {
  return MacAddress({chaddr[0], chaddr[1], chaddr[2], chaddr[3], chaddr[4], chaddr[5]});
}

void DhcpMessage::set_client_mac(MacAddress mac) {
  chaddr.fill(0);
  std::memcpy(chaddr.data(), mac.bytes().data(), 6);
  htype = 1;  // RFC 1700 hardware type 1, Ethernet
  hlen = 6;
}

void DhcpMessage::pad_to_bootp_minimum() {
  options.ensure_end();
  const std::size_t size = encoded_size();
  if (size >= kBootpMinimumSize) return;
  // Zeros after End (RFC 2132 §3.2: nothing after End is read), like most real clients.
  options.trailer_.resize(options.trailer_.size() + (kBootpMinimumSize - size), std::byte{0});
}

tl::expected<void, ParseError> DhcpMessage::parse_into(DhcpMessage& m, ConstBytes b,
                                                       std::size_t base) {
  // RFC 2131 §2: 236 bytes of fixed BOOTP header, then the options field, whose first four
  // octets are the magic cookie (RFC 2131 §3). All header reads below are at fixed offsets
  // inside the 240 bytes checked here.
  if (b.size() < kHeaderSize)
    return parse_error("BOOTP header truncated: need " + std::to_string(kHeaderSize) + " bytes, " +
                           std::to_string(b.size()) + " left",
                       base);
  if (b.size() < kOptionsOffset)
    return parse_error("DHCP magic cookie truncated: need 4 bytes, " +
                           std::to_string(b.size() - kCookieOffset) + " left",
                       base + kCookieOffset);
  const std::byte* p = b.data();
  const uint32_t cookie = load_be32(p + kCookieOffset);
  if (cookie != kMagicCookie)
    return parse_error("not DHCP: magic cookie is " + dotted(cookie) + ", expected 99.130.83.99",
                       base + kCookieOffset);
  m.op = uint8_t(p[0]);
  m.htype = uint8_t(p[1]);
  m.hlen = uint8_t(p[2]);
  if (m.hlen > 16)
    return parse_error(
        "BOOTP hlen " + std::to_string(m.hlen) + " is larger than the 16-byte chaddr field",
        base + 2);
  m.hops = uint8_t(p[3]);
  m.xid = load_be32(p + 4);
  m.secs = load_be16(p + 8);
  m.flags = load_be16(p + 10);
  m.ciaddr = Ipv4Address(load_be32(p + 12));
  m.yiaddr = Ipv4Address(load_be32(p + 16));
  m.siaddr = Ipv4Address(load_be32(p + 20));
  m.giaddr = Ipv4Address(load_be32(p + 24));
  std::memcpy(m.chaddr.data(), p + 28, 16);
  if (auto r = m.options.parse_message_options(b, base); !r) return r;
  // An overloaded field's bytes live in `options`; keep the plain field zeroed.
  const uint8_t fields = m.options.overloaded_fields();
  if (fields & 2)
    m.sname.fill(0);
  else
    std::memcpy(m.sname.data(), p + kSnameOffset, 64);
  if (fields & 1)
    m.file.fill(0);
  else
    std::memcpy(m.file.data(), p + kFileOffset, 128);
  return {};
}

Parsed<DhcpMessage> DhcpMessage::parse(ConstBytes udp_payload, std::size_t base_offset) {
  Parsed<DhcpMessage> result(tl::in_place);
  if (auto r = parse_into(*result, udp_payload, base_offset); !r)
    result = tl::unexpected(r.error());
  return result;
}

std::size_t DhcpMessage::encode(MutBytes out) const {
  const std::size_t n = encoded_size();
  if (out.size() < n) {
    std::fprintf(stderr,
                 "dhcpsim: internal invariant broken: DHCP encode buffer too small (%zu < %zu)\n",
                 out.size(), n);
    std::abort();
  }
  std::byte* p = out.data();
  p[0] = std::byte{op};
  p[1] = std::byte{htype};
  p[2] = std::byte{hlen};
  p[3] = std::byte{hops};
  store_be32(p + 4, xid);
  store_be16(p + 8, secs);
  store_be16(p + 10, flags);
  store_be32(p + 12, ciaddr.value());
  store_be32(p + 16, yiaddr.value());
  store_be32(p + 20, siaddr.value());
  store_be32(p + 24, giaddr.value());
  std::memcpy(p + 28, chaddr.data(), 16);
  // Overloaded fields are written by the options encoder.
  const uint8_t fields = options.overloaded_fields();
  if (!(fields & 2)) std::memcpy(p + kSnameOffset, sname.data(), 64);
  if (!(fields & 1)) std::memcpy(p + kFileOffset, file.data(), 128);
  store_be32(p + kCookieOffset, kMagicCookie);
  options.encode_message_options(out.first(n));
  return n;
}

std::vector<std::byte> DhcpMessage::encode_to_vector() const {
  std::vector<std::byte> v(encoded_size());
  encode(v);
  return v;
}

bool DhcpMessage::operator==(const DhcpMessage& o) const {
  const uint8_t fields = options.overloaded_fields();
  return op == o.op && htype == o.htype && hlen == o.hlen && hops == o.hops && xid == o.xid &&
         secs == o.secs && flags == o.flags && ciaddr == o.ciaddr && yiaddr == o.yiaddr &&
         siaddr == o.siaddr && giaddr == o.giaddr && chaddr == o.chaddr &&
         ((fields & 2) || sname == o.sname) && ((fields & 1) || file == o.file) &&
         options == o.options;
}

}  // namespace dhcpsim::wire
