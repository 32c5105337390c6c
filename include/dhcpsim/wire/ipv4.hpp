#pragma once
// The IPv4 header (RFC 791 §3.1). Options are kept as raw bytes: the simulator never
// interprets them, but a decoder must reproduce them byte for byte.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

// Assigned Internet Protocol numbers (RFC 790, now the IANA registry).
inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoUdp = 17;

inline constexpr std::size_t kIpv4MinHeaderSize = 20;
inline constexpr std::size_t kIpv4MaxHeaderSize = 60;  // IHL is 4 bits of 32-bit words

// RFC 791 §3.1 "Flags": bit 0 reserved, bit 1 DF, bit 2 MF; 13 bits of fragment offset
// in units of 8 octets.
inline constexpr uint16_t kIpv4FlagDontFragment = 0x4000;
inline constexpr uint16_t kIpv4FlagMoreFragments = 0x2000;
inline constexpr uint16_t kIpv4FragmentOffsetMask = 0x1fff;

inline Ipv4Address load_ipv4(const std::byte* p) {
  return Ipv4Address(load_be32(p));
}
inline void store_ipv4(std::byte* p, Ipv4Address a) {
  store_be32(p, a.value());
}

/// An IPv4 header. `version` is always 4 (parse refuses anything else) and IHL is not
/// stored: it is derived from `options` (ihl() == 5 + options.size() / 4), so the two
/// can never disagree.
struct Ipv4Header {
  uint8_t dscp_ecn = 0;       // the former "type of service" octet
  uint16_t total_length = 0;  // header + payload, in octets
  uint16_t identification = 0;
  uint16_t flags_fragment = 0;  // flags (3 bits) and fragment offset (13 bits)
  uint8_t ttl = 64;
  uint8_t protocol = 0;
  /// As found on the wire by parse (always equal to the computed value, see parse).
  /// encode ignores it and writes the computed checksum.
  uint16_t checksum = 0;
  Ipv4Address src;
  Ipv4Address dst;
  /// Options and their padding, a multiple of 4 bytes, at most 40.
  std::vector<std::byte> options;

  static constexpr uint8_t version = 4;

  /// Parses the header at the start of `packet` (the bytes from the IP header to the
  /// end of the frame; anything beyond total_length is the caller's trailer). Fails on
  /// a version other than 4, IHL < 5, truncation, a header checksum that differs from
  /// the computed one (reported at the checksum field), or a total_length smaller than
  /// the header or larger than `packet`.
  ///
  /// The comparison is with the computed value, not the RFC 1071 "sum is all ones"
  /// test: the two differ only for a stored 0xffff where 0x0000 is computed, which
  /// encode could not reproduce.
  static Parsed<Ipv4Header> parse(ConstBytes packet, std::size_t base_offset = 0,
                                  bool verify_checksum = true);

  uint8_t ihl() const { return uint8_t(5 + options.size() / 4); }
  std::size_t header_length() const { return kIpv4MinHeaderSize + options.size(); }
  std::size_t encoded_size() const { return header_length(); }
  /// Writes the header (with the computed checksum and the stored total_length) into
  /// out[0, header_length()); returns header_length(). Aborts if options are not a
  /// multiple of 4 bytes or longer than 40 (a caller bug).
  std::size_t encode(MutBytes out) const;
  /// The RFC 791 header checksum of this header as encode would write it.
  uint16_t compute_checksum() const;

  bool dont_fragment() const { return (flags_fragment & kIpv4FlagDontFragment) != 0; }
  bool more_fragments() const { return (flags_fragment & kIpv4FlagMoreFragments) != 0; }
  /// In 8-octet units.
  uint16_t fragment_offset() const { return flags_fragment & kIpv4FragmentOffsetMask; }
  /// Part of a fragmented datagram (first, middle or last piece)?
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  /// Payload length according to total_length (0 if total_length is too small).
  std::size_t payload_length() const {
    return total_length > header_length() ? total_length - header_length() : 0;
  }

  bool operator==(const Ipv4Header&) const = default;
};

/// The one's-complement sum of the UDP/TCP pseudo-header (RFC 768 "Fields"), to be
/// continued with checksum_add over the transport header and data.
inline uint32_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                                  uint16_t length) {
  uint32_t s = 0;
  s += src.value() >> 16;
  s += src.value() & 0xffff;
  s += dst.value() >> 16;
  s += dst.value() & 0xffff;
  s += protocol;
  s += length;
  return s;
}

}  // namespace dhcpsim::wire
