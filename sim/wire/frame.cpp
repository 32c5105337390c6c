#include "dhcpsim/wire/frame.hpp"

#include <algorithm>
#include <cstring>

namespace dhcpsim::wire {

// ---- accessors ----

const ArpPacket* DecodedFrame::arp() const {
  return std::get_if<ArpPacket>(&payload);
}
const Ipv4Packet* DecodedFrame::ipv4() const {
  return std::get_if<Ipv4Packet>(&payload);
}
const UdpPacket* DecodedFrame::udp() const {
  const Ipv4Packet* ip = ipv4();
  return ip ? std::get_if<UdpPacket>(&ip->payload) : nullptr;
}
const IcmpMessage* DecodedFrame::icmp() const {
  const Ipv4Packet* ip = ipv4();
  return ip ? std::get_if<IcmpMessage>(&ip->payload) : nullptr;
}
const DhcpMessage* DecodedFrame::dhcp() const {
  const UdpPacket* u = udp();
  return u ? std::get_if<DhcpMessage>(&u->payload) : nullptr;
}
const DnsMessage* DecodedFrame::dns() const {
  const UdpPacket* u = udp();
  return u ? std::get_if<DnsMessage>(&u->payload) : nullptr;
}

// ---- parse ----

namespace {

bool is_bootp_port(uint16_t p) {
  return p == kPortBootpServer || p == kPortBootpClient;
}

Parsed<UdpPacket> parse_udp(ConstBytes datagram, const Ipv4Header& ip, std::size_t base,
                            const FrameParseOptions& options) {
  auto udp = UdpHeader::parse(datagram, ip.src, ip.dst, base, options.verify_checksums);
  if (!udp) return tl::unexpected(udp.error());
  // Bytes between the UDP length and the IPv4 end would be lost on re-encoding (and
  // belong to no layer); RFC 768 has the two agree.
  if (udp->length != datagram.size())
    return parse_error("UDP length " + std::to_string(udp->length) +
                           " does not match the IPv4 payload length " +
                           std::to_string(datagram.size()),
                       base + 4);
  UdpPacket packet{*udp, RawBytes{}};
  const ConstBytes data = datagram.subspan(kUdpHeaderSize);
  const std::size_t data_base = base + kUdpHeaderSize;
  if (is_bootp_port(udp->src_port) || is_bootp_port(udp->dst_port)) {
    auto dhcp = DhcpMessage::parse(data, data_base);
    if (!dhcp) return tl::unexpected(dhcp.error());
    packet.payload = std::move(*dhcp);
  } else if (udp->src_port == kPortDns || udp->dst_port == kPortDns) {
    auto dns = DnsMessage::parse(data, data_base);
    if (!dns) return tl::unexpected(dns.error());
    packet.payload = std::move(*dns);
  } else {
    packet.payload = to_vector(data);
  }
  return packet;
}

Parsed<Ipv4Packet> parse_ipv4(ConstBytes l3, std::size_t base, const FrameParseOptions& options,
                              RawBytes& trailer) {
  auto ip = Ipv4Header::parse(l3, base, options.verify_checksums);
  if (!ip) return tl::unexpected(ip.error());
  const std::size_t hl = ip->header_length();
  const ConstBytes data = l3.subspan(hl, ip->total_length - hl);
  const std::size_t data_base = base + hl;
  trailer = to_vector(l3.subspan(ip->total_length));
  Ipv4Packet packet{std::move(*ip), RawBytes{}};
  if (packet.ip.is_fragment()) {
    packet.payload = to_vector(data);
  } else if (packet.ip.protocol == kIpProtoUdp) {
    auto udp = parse_udp(data, packet.ip, data_base, options);
    if (!udp) return tl::unexpected(udp.error());
    packet.payload = std::move(*udp);
  } else if (packet.ip.protocol == kIpProtoIcmp) {
    auto icmp = IcmpMessage::parse(data, data_base, options.verify_checksums);
    if (!icmp) return tl::unexpected(icmp.error());
    packet.payload = std::move(*icmp);
  } else {
    packet.payload = to_vector(data);
  }
  return packet;
}

}  // namespace

Parsed<DecodedFrame> parse_frame(ConstBytes frame, const FrameParseOptions& options) {
  auto eth = EthernetHeader::parse(frame, 0);
  if (!eth) return tl::unexpected(eth.error());
  DecodedFrame out;
  out.eth = *eth;
  const ConstBytes l3 = frame.subspan(kEthernetHeaderSize);
  switch (out.eth.ethertype) {
    case kEtherTypeArp: {
      auto arp = ArpPacket::parse(l3, kEthernetHeaderSize);
      if (!arp) return tl::unexpected(arp.error());
      out.payload = *arp;
      out.trailer = to_vector(l3.subspan(kArpPacketSize));
      break;
    }
    case kEtherTypeIpv4: {
      auto ip = parse_ipv4(l3, kEthernetHeaderSize, options, out.trailer);
      if (!ip) return tl::unexpected(ip.error());
      out.payload = std::move(*ip);
      break;
    }
    default:
      out.payload = to_vector(l3);
      break;
  }
  return out;
}

// ---- encode ----

namespace {

std::size_t udp_payload_size(const UdpPacket& u) {
  return std::visit(
      [](const auto& p) -> std::size_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RawBytes>)
          return p.size();
        else
          return p.encoded_size();
      },
      u.payload);
}

std::size_t ip_payload_size(const Ipv4Packet& ip) {
  return std::visit(
      [](const auto& p) -> std::size_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RawBytes>)
          return p.size();
        else if constexpr (std::is_same_v<T, UdpPacket>)
          return kUdpHeaderSize + udp_payload_size(p);
        else
          return p.encoded_size();
      },
      ip.payload);
}

std::size_t l3_size(const DecodedFrame& f) {
  return std::visit(
      [](const auto& p) -> std::size_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RawBytes>)
          return p.size();
        else if constexpr (std::is_same_v<T, ArpPacket>)
          return kArpPacketSize;
        else
          return p.ip.header_length() + ip_payload_size(p);
      },
      f.payload);
}

void write_raw(const RawBytes& b, MutBytes out) {
  if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
}

void encode_udp(const UdpPacket& u, const Ipv4Header& ip, MutBytes datagram) {
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RawBytes>)
          write_raw(p, datagram.subspan(kUdpHeaderSize));
        else
          p.encode(datagram.subspan(kUdpHeaderSize));
      },
      u.payload);
  UdpHeader h = u.udp;
  h.length = uint16_t(datagram.size());
  h.encode(datagram, ip.src, ip.dst);
}

void encode_ipv4(const Ipv4Packet& p, MutBytes packet) {
  const std::size_t hl = p.ip.header_length();
  if (packet.size() > 0xffff) detail::encode_bug("IPv4 datagram longer than 65535 bytes");
  const MutBytes data = packet.subspan(hl);
  std::visit(
      [&](const auto& payload) {
        using T = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<T, RawBytes>)
          write_raw(payload, data);
        else if constexpr (std::is_same_v<T, UdpPacket>)
          encode_udp(payload, p.ip, data);
        else
          payload.encode(data);
      },
      p.payload);
  p.ip.encode(packet);
  // total_length comes from the content: patch it and redo the checksum.
  store_be16(packet.data() + 2, uint16_t(packet.size()));
  store_be16(packet.data() + 10, 0);
  store_be16(packet.data() + 10, checksum_fold(checksum_add(0, packet.first(hl))));
}

}  // namespace

std::size_t encoded_frame_size(const DecodedFrame& frame) {
  return kEthernetHeaderSize + l3_size(frame) + frame.trailer.size();
}

std::size_t encode_frame(const DecodedFrame& frame, MutBytes out) {
  const std::size_t l3 = l3_size(frame);
  const std::size_t n = kEthernetHeaderSize + l3 + frame.trailer.size();
  if (out.size() < n) detail::encode_bug("frame buffer too small");
  frame.eth.encode(out);
  const MutBytes l3_out = out.subspan(kEthernetHeaderSize, l3);
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RawBytes>)
          write_raw(p, l3_out);
        else if constexpr (std::is_same_v<T, ArpPacket>)
          p.encode(l3_out);
        else
          encode_ipv4(p, l3_out);
      },
      frame.payload);
  write_raw(frame.trailer, out.subspan(kEthernetHeaderSize + l3));
  return n;
}

std::vector<std::byte> encode_frame(const DecodedFrame& frame) {
  std::vector<std::byte> out(encoded_frame_size(frame));
  encode_frame(frame, out);
  return out;
}

// ---- hot-path builders ----

namespace {

std::size_t padded(std::size_t n, bool pad_to_min) {
  return pad_to_min ? std::max(n, kEthernetMinFrameSize) : n;
}

void write_eth(std::byte* p, MacAddress dst, MacAddress src, uint16_t ethertype) {
  store_mac(p, dst);
  store_mac(p + 6, src);
  store_be16(p + 12, ethertype);
}

// A 20-byte IPv4 header without options, checksum included.
void write_ipv4_header(std::byte* p, uint8_t tos, std::size_t total_length, uint16_t id,
                       bool dont_fragment, uint8_t ttl, uint8_t protocol, Ipv4Address src,
                       Ipv4Address dst) {
  p[0] = std::byte(0x45);
  p[1] = std::byte(tos);
  store_be16(p + 2, uint16_t(total_length));
  store_be16(p + 4, id);
  store_be16(p + 6, dont_fragment ? kIpv4FlagDontFragment : 0);
  p[8] = std::byte(ttl);
  p[9] = std::byte(protocol);
  store_be16(p + 10, 0);
  store_ipv4(p + 12, src);
  store_ipv4(p + 16, dst);
  store_be16(p + 10, checksum_fold(checksum_add(0, ConstBytes(p, kIpv4MinHeaderSize))));
}

// Zero-fills out[n, padded) and returns the padded size.
std::size_t finish(MutBytes out, std::size_t n, bool pad_to_min) {
  const std::size_t total = padded(n, pad_to_min);
  if (total > n) std::memset(out.data() + n, 0, total - n);
  return total;
}

constexpr std::size_t kIpv4UdpOverhead = kIpv4MinHeaderSize + kUdpHeaderSize;

}  // namespace

std::size_t udp_frame_size(std::size_t payload_size, bool pad_to_min) {
  return padded(kEthernetHeaderSize + kIpv4UdpOverhead + payload_size, pad_to_min);
}

std::size_t encode_udp_frame(const UdpFrameSpec& spec, ConstBytes payload, MutBytes out) {
  if (payload.size() > 0xffff - kIpv4UdpOverhead)
    detail::encode_bug("UDP payload does not fit in one IPv4 datagram");
  const std::size_t n = kEthernetHeaderSize + kIpv4UdpOverhead + payload.size();
  if (out.size() < padded(n, spec.pad_to_min)) detail::encode_bug("UDP frame buffer too small");
  std::byte* p = out.data();
  write_eth(p, spec.dst_mac, spec.src_mac, kEtherTypeIpv4);
  write_ipv4_header(p + kEthernetHeaderSize, spec.tos, kIpv4UdpOverhead + payload.size(),
                    spec.ip_id, spec.dont_fragment, spec.ttl, kIpProtoUdp, spec.src_ip,
                    spec.dst_ip);
  std::byte* udp = p + kEthernetHeaderSize + kIpv4MinHeaderSize;
  const std::size_t udp_len = kUdpHeaderSize + payload.size();
  if (!payload.empty()) std::memcpy(udp + kUdpHeaderSize, payload.data(), payload.size());
  UdpHeader h{spec.src_port, spec.dst_port, uint16_t(udp_len), 0, true};
  h.encode(MutBytes(udp, udp_len), spec.src_ip, spec.dst_ip);
  return finish(out, n, spec.pad_to_min);
}

std::size_t arp_frame_size(bool pad_to_min) {
  return padded(kArpFrameSize, pad_to_min);
}

std::size_t encode_arp_frame(const ArpFrameSpec& spec, MutBytes out) {
  if (out.size() < arp_frame_size(spec.pad_to_min))
    detail::encode_bug("ARP frame buffer too small");
  write_eth(out.data(), spec.dst_mac, spec.src_mac, kEtherTypeArp);
  spec.arp.encode(out.subspan(kEthernetHeaderSize));
  return finish(out, kArpFrameSize, spec.pad_to_min);
}

std::size_t icmp_echo_frame_size(std::size_t data_size, bool pad_to_min) {
  return padded(kEthernetHeaderSize + kIpv4MinHeaderSize + kIcmpHeaderSize + data_size, pad_to_min);
}

std::size_t encode_icmp_echo_frame(const IcmpEchoFrameSpec& spec, ConstBytes data, MutBytes out) {
  if (data.size() > 0xffff - kIpv4MinHeaderSize - kIcmpHeaderSize)
    detail::encode_bug("ICMP echo data does not fit in one IPv4 datagram");
  const std::size_t icmp_len = kIcmpHeaderSize + data.size();
  const std::size_t n = kEthernetHeaderSize + kIpv4MinHeaderSize + icmp_len;
  if (out.size() < padded(n, spec.pad_to_min)) detail::encode_bug("ICMP frame buffer too small");
  std::byte* p = out.data();
  write_eth(p, spec.dst_mac, spec.src_mac, kEtherTypeIpv4);
  write_ipv4_header(p + kEthernetHeaderSize, spec.tos, kIpv4MinHeaderSize + icmp_len, spec.ip_id,
                    spec.dont_fragment, spec.ttl, kIpProtoIcmp, spec.src_ip, spec.dst_ip);
  std::byte* icmp = p + kEthernetHeaderSize + kIpv4MinHeaderSize;
  icmp[0] = std::byte(spec.reply ? kIcmpEchoReply : kIcmpEchoRequest);
  icmp[1] = std::byte(0);
  store_be16(icmp + 2, 0);
  store_be16(icmp + 4, spec.identifier);
  store_be16(icmp + 6, spec.sequence);
  if (!data.empty()) std::memcpy(icmp + kIcmpHeaderSize, data.data(), data.size());
  store_be16(icmp + 2, icmp_checksum(ConstBytes(icmp, icmp_len)));
  return finish(out, n, spec.pad_to_min);
}

}  // namespace dhcpsim::wire
