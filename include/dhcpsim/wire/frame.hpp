#pragma once
// Whole Ethernet frames: the full-stack decoder/encoder (`dhcpsim decode`, tests) and the
// allocation-free builders the simulator's hot path sends with.
//
// Decoding: Ethernet II -> ARP | IPv4 -> UDP | ICMP; UDP with source or destination port
// 67/68 -> DhcpMessage, else port 53 -> DnsMessage, else raw bytes. Other EtherTypes and
// IP protocols, and every IPv4 fragment (first ones too: the UDP checksum covers the whole
// datagram, which one fragment does not have), are kept as raw bytes. Errors from nested
// layers carry absolute offsets within the frame.
//
// Encoding derives the IPv4 total length, the UDP length and all checksums from the
// content (a UDP header with has_checksum == false gets a zero checksum). For a parsed
// frame these equal the stored values, so encode_frame(parse_frame(b)) == b byte for byte
// for every frame parse_frame accepts with checksum verification on.

#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/arp.hpp"
#include "dhcpsim/wire/bytes.hpp"
#include "dhcpsim/wire/dhcp.hpp"
#include "dhcpsim/wire/dns.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/icmp.hpp"
#include "dhcpsim/wire/ipv4.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::wire {

using RawBytes = std::vector<std::byte>;

struct UdpPacket {
  UdpHeader udp;
  std::variant<RawBytes, DhcpMessage, DnsMessage> payload;
  bool operator==(const UdpPacket&) const = default;
};

struct Ipv4Packet {
  Ipv4Header ip;
  std::variant<RawBytes, UdpPacket, IcmpMessage> payload;
  bool operator==(const Ipv4Packet&) const = default;
};

struct DecodedFrame {
  EthernetHeader eth;
  std::variant<RawBytes, ArpPacket, Ipv4Packet> payload;
  /// Bytes after the L3 packet (after ARP's 28 bytes or IPv4's total_length): Ethernet
  /// padding to the 60-byte minimum, or whatever a sender put there. Empty for raw.
  RawBytes trailer;

  // Shortcuts into the nested variants; nullptr when the frame is something else.
  const ArpPacket* arp() const;
  const Ipv4Packet* ipv4() const;
  const UdpPacket* udp() const;
  const IcmpMessage* icmp() const;
  const DhcpMessage* dhcp() const;
  const DnsMessage* dns() const;

  bool operator==(const DecodedFrame&) const = default;
};

struct FrameParseOptions {
  /// Off: IPv4, UDP and ICMP checksums are not checked (the fields still hold the wire
  /// values, so such a frame may not re-encode to the same bytes). For fuzzing and for
  /// looking at captures with checksum-offload artefacts.
  bool verify_checksums = true;
};

Parsed<DecodedFrame> parse_frame(ConstBytes frame, const FrameParseOptions& options = {});

std::size_t encoded_frame_size(const DecodedFrame& frame);
/// Writes the frame into out[0, encoded_frame_size(frame)) and returns that size; aborts
/// if `out` is smaller or a layer cannot be encoded (e.g. a payload over 65535 bytes).
std::size_t encode_frame(const DecodedFrame& frame, MutBytes out);
std::vector<std::byte> encode_frame(const DecodedFrame& frame);

// ---- hot-path builders: write into a caller buffer, no allocation ----

/// A UDP datagram in IPv4 in Ethernet II. The IPv4 header has no options; the UDP
/// checksum is always computed.
struct UdpFrameSpec {
  MacAddress src_mac, dst_mac;
  Ipv4Address src_ip, dst_ip;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t ip_id = 0;
  bool dont_fragment = false;
  /// Pad with zeros to the 60-byte Ethernet minimum, as a real NIC does.
  bool pad_to_min = true;
};

/// Frame size for a UDP payload of `payload_size` bytes.
std::size_t udp_frame_size(std::size_t payload_size, bool pad_to_min = true);
/// Returns the frame size; aborts if `out` is too small or the payload does not fit in
/// one IPv4 datagram (65507 bytes).
std::size_t encode_udp_frame(const UdpFrameSpec& spec, ConstBytes payload, MutBytes out);

struct ArpFrameSpec {
  MacAddress src_mac, dst_mac;  // Ethernet addresses (usually src_mac == arp.sha)
  ArpPacket arp;
  bool pad_to_min = true;
};
inline constexpr std::size_t kArpFrameSize = kEthernetHeaderSize + kArpPacketSize;  // 42
std::size_t arp_frame_size(bool pad_to_min = true);
std::size_t encode_arp_frame(const ArpFrameSpec& spec, MutBytes out);

/// An ICMP Echo (reply == false) or Echo Reply in IPv4 in Ethernet II.
struct IcmpEchoFrameSpec {
  MacAddress src_mac, dst_mac;
  Ipv4Address src_ip, dst_ip;
  bool reply = false;
  uint16_t identifier = 0;
  uint16_t sequence = 0;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t ip_id = 0;
  bool dont_fragment = false;
  bool pad_to_min = true;
};
std::size_t icmp_echo_frame_size(std::size_t data_size, bool pad_to_min = true);
std::size_t encode_icmp_echo_frame(const IcmpEchoFrameSpec& spec, ConstBytes data, MutBytes out);

}  // namespace dhcpsim::wire
