#include "dhcpsim/wire/peek.hpp"

#include "dhcpsim/wire/arp.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/ipv4.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::wire {

std::optional<FramePeek> peek_frame(ConstBytes frame) noexcept {
  // Built in place in the returned optional (every return names `result`, so NRVO
  // applies and nothing is copied on return).
  std::optional<FramePeek> result;
  const std::size_t n = frame.size();
  if (n < kEthernetHeaderSize) return result;
  const std::byte* f = frame.data();
  FramePeek& pk = result.emplace();
  pk.dst = load_mac(f);
  pk.src = load_mac(f + 6);
  pk.ethertype = load_be16(f + 12);
  constexpr std::size_t l3 = kEthernetHeaderSize;

  if (pk.ethertype == kEtherTypeArp) {
    // RFC 826 layout for hlen 6 / plen 4 (offsets within the ARP packet).
    if (n >= l3 + kArpPacketSize && uint8_t(f[l3 + 4]) == 6 && uint8_t(f[l3 + 5]) == 4) {
      pk.arp = ArpPeek{load_be16(f + l3 + 6), load_mac(f + l3 + 8), load_ipv4(f + l3 + 14),
                       load_mac(f + l3 + 18), load_ipv4(f + l3 + 24)};
    }
    return result;
  }
  if (pk.ethertype != kEtherTypeIpv4 || n < l3 + kIpv4MinHeaderSize) return result;

  // RFC 791 §3.1 fixed header.
  const std::byte* ip = f + l3;
  const unsigned vihl = unsigned(ip[0]);
  const std::size_t hl = (vihl & 0x0f) * 4;
  const std::size_t total_length = load_be16(ip + 2);
  if ((vihl >> 4) != 4 || hl < kIpv4MinHeaderSize || total_length < hl || total_length > n - l3)
    return result;
  pk.ipv4 =
      Ipv4Peek{uint8_t(ip[9]), load_ipv4(ip + 12), load_ipv4(ip + 16), uint8_t(ip[8]), uint8_t(hl)};

  const uint16_t flags_fragment = load_be16(ip + 6);
  const bool fragment = (flags_fragment & (kIpv4FlagMoreFragments | kIpv4FragmentOffsetMask)) != 0;
  if (pk.ipv4->protocol != kIpProtoUdp || fragment || total_length - hl < kUdpHeaderSize)
    return result;
  const std::byte* udp = ip + hl;
  pk.udp = UdpPeek{load_be16(udp), load_be16(udp + 2)};

  const auto is_bootp_port = [](uint16_t p) {
    return p == kPortBootpServer || p == kPortBootpClient;
  };
  if (!is_bootp_port(pk.udp->src_port) && !is_bootp_port(pk.udp->dst_port)) return result;
  // The UDP payload ends at the UDP length when that is sane, else at the IPv4 end.
  std::size_t udp_len = load_be16(udp + 4);
  if (udp_len < kUdpHeaderSize || udp_len > total_length - hl) udp_len = total_length - hl;
  // RFC 2131 §2: op 0, htype 1, hlen 2, xid 4, flags 10, giaddr 24, chaddr 28.
  constexpr std::size_t kBootpPeekSize = 34;
  if (udp_len - kUdpHeaderSize < kBootpPeekSize) return result;
  const std::byte* b = udp + kUdpHeaderSize;
  pk.bootp = BootpPeek{uint8_t(b[0]),     uint8_t(b[1]),     uint8_t(b[2]),   load_be32(b + 4),
                       load_be16(b + 10), load_ipv4(b + 24), load_mac(b + 28)};
  return result;
}

std::optional<ConstBytes> ipv4_payload(ConstBytes frame, const FramePeek& peek) noexcept {
  if (!peek.ipv4) return std::nullopt;
  const std::size_t ip = kEthernetHeaderSize;
  if (frame.size() < ip + 4) return std::nullopt;
  const std::size_t total = load_be16(&frame[ip + 2]);
  const std::size_t hl = peek.ipv4->header_length;
  if (total < hl || ip + total > frame.size()) return std::nullopt;
  return frame.subspan(ip + hl, total - hl);
}

std::size_t udp_payload_offset(const FramePeek& peek) noexcept {
  return kEthernetHeaderSize + (peek.ipv4 ? peek.ipv4->header_length : 0) + kUdpHeaderSize;
}

std::optional<ConstBytes> udp_payload(ConstBytes frame, const FramePeek& peek) noexcept {
  if (!peek.udp) return std::nullopt;
  auto ip = ipv4_payload(frame, peek);
  if (!ip || ip->size() < kUdpHeaderSize) return std::nullopt;
  const std::size_t len = load_be16(&(*ip)[4]);
  if (len < kUdpHeaderSize || len > ip->size()) return std::nullopt;
  return ip->subspan(kUdpHeaderSize, len - kUdpHeaderSize);
}

}  // namespace dhcpsim::wire
