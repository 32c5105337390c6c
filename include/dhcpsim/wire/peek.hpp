#pragma once
// A cheap classifier for the simulator's hot path: which receivers can a frame affect?
// It reads fixed offsets only (every read bounds-checked), allocates nothing, verifies no
// checksum and parses no options. A segment uses it to hand a broadcast only to the
// receivers whose state it can change (ARCHITECTURE.md, "Broadcast without quadratic
// cost"); receivers then parse fully (frame.hpp) and may still drop the frame.
//
// For any frame that parse_frame accepts, every field reported here equals the parsed
// one, and each optional part is present exactly when parse_frame decoded that layer
// (bootp: when the UDP payload was handed to the DHCP parser). For garbage, the result
// is some value or nullopt, never a crash.

#include <cstdint>
#include <optional>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

struct ArpPeek {
  uint16_t oper = 0;
  MacAddress sha;
  Ipv4Address spa;
  MacAddress tha;
  Ipv4Address tpa;
  bool operator==(const ArpPeek&) const = default;
};

struct Ipv4Peek {
  uint8_t protocol = 0;
  Ipv4Address src;
  Ipv4Address dst;
  uint8_t ttl = 0;
  uint8_t header_length = 0;  // in bytes (IHL * 4)
  bool operator==(const Ipv4Peek&) const = default;
};

struct UdpPeek {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  bool operator==(const UdpPeek&) const = default;
};

/// The BOOTP fixed-header fields (RFC 2131 §2) a segment and a relay route on.
struct BootpPeek {
  uint8_t op = 0;
  uint8_t htype = 0;
  uint8_t hlen = 0;
  uint32_t xid = 0;
  uint16_t flags = 0;
  Ipv4Address giaddr;
  MacAddress chaddr;  // the first 6 bytes of chaddr, whatever htype/hlen say
  bool operator==(const BootpPeek&) const = default;
};

struct FramePeek {
  MacAddress dst;
  MacAddress src;
  uint16_t ethertype = 0;
  /// EtherType ARP with hlen 6 / plen 4 and all 28 bytes present.
  std::optional<ArpPeek> arp;
  /// EtherType IPv4, version 4, IHL >= 5, header and total_length within the frame.
  std::optional<Ipv4Peek> ipv4;
  /// Protocol 17, not a fragment, 8-byte header within the IPv4 payload.
  std::optional<UdpPeek> udp;
  /// Source or destination port 67 or 68 and at least the first 34 bytes of the BOOTP
  /// header (through chaddr[0..6)) within the UDP length.
  std::optional<BootpPeek> bootp;
  bool operator==(const FramePeek&) const = default;
};

/// nullopt only when the frame is shorter than an Ethernet header.
std::optional<FramePeek> peek_frame(ConstBytes frame) noexcept;

/// The IPv4 payload of a peeked frame (bounded by the IPv4 total length), or nullopt if the
/// frame is not IPv4 or its lengths do not fit. No checksum is verified.
std::optional<ConstBytes> ipv4_payload(ConstBytes frame, const FramePeek& peek) noexcept;
/// The UDP payload of a peeked frame (bounded by the UDP and IPv4 lengths), or nullopt.
std::optional<ConstBytes> udp_payload(ConstBytes frame, const FramePeek& peek) noexcept;
/// Byte offset of the UDP payload within the frame (for parse error offsets).
std::size_t udp_payload_offset(const FramePeek& peek) noexcept;

}  // namespace dhcpsim::wire
