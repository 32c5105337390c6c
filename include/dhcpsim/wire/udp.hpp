#pragma once
// The UDP header (RFC 768) and its checksum over the IPv4 pseudo-header.

#include <cstddef>
#include <cstdint>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

inline constexpr std::size_t kUdpHeaderSize = 8;

// Well-known ports the simulator speaks (RFC 2131 §4.1, RFC 1035 §4.2.1).
inline constexpr uint16_t kPortBootpServer = 67;
inline constexpr uint16_t kPortBootpClient = 68;
inline constexpr uint16_t kPortDns = 53;

struct UdpHeader {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  /// Header + data, in octets.
  uint16_t length = kUdpHeaderSize;
  /// As found on the wire by parse; encode ignores it and writes the computed value
  /// (or zero without has_checksum).
  uint16_t checksum = 0;
  /// RFC 768: "An all zero transmitted checksum value means that the transmitter
  /// generated no checksum". Parse sets this false for a zero field (and checks
  /// nothing); encode then writes zero, so such datagrams round-trip.
  bool has_checksum = true;

  /// Parses the header at the start of `datagram` (the IPv4 payload). `src`/`dst` are
  /// the IPv4 addresses for the pseudo-header. Fails if fewer than 8 bytes, if `length`
  /// is below 8 or beyond `datagram`, or (with verify_checksum) if a non-zero checksum
  /// differs from the one computed over datagram[0, length) (reported at the checksum
  /// field). Bytes of `datagram` beyond `length` are not looked at.
  static Parsed<UdpHeader> parse(ConstBytes datagram, Ipv4Address src, Ipv4Address dst,
                                 std::size_t base_offset = 0, bool verify_checksum = true);
  static constexpr std::size_t encoded_size() { return kUdpHeaderSize; }
  /// Writes the header into datagram[0, 8) and, with has_checksum, the checksum over
  /// datagram[0, length) (the data must already be in place after the header). Aborts if
  /// `length` is below 8 or beyond `datagram`. Returns 8.
  std::size_t encode(MutBytes datagram, Ipv4Address src, Ipv4Address dst) const;

  bool operator==(const UdpHeader&) const = default;
};

/// The RFC 768 checksum of `datagram` (header + data, with whatever is in the checksum
/// field treated as zero) as it is transmitted: a computed zero is sent as 0xffff.
uint16_t udp_checksum(ConstBytes datagram, Ipv4Address src, Ipv4Address dst);

}  // namespace dhcpsim::wire
