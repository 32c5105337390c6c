#pragma once
// ARP (RFC 826) for Ethernet hardware addresses and IPv4 protocol addresses, plus the
// RFC 5227 probe / announcement classification used by address conflict detection.

#include <cstddef>
#include <cstdint>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

// RFC 826 "ar$op" values.
inline constexpr uint16_t kArpRequest = 1;
inline constexpr uint16_t kArpReply = 2;
// RFC 826 "ar$hrd" for Ethernet (the IANA ARP hardware type 1).
inline constexpr uint16_t kArpHtypeEthernet = 1;

inline constexpr std::size_t kArpPacketSize = 28;

/// An ARP packet with 6-byte hardware and 4-byte protocol addresses. The layout of the
/// address fields depends only on hlen/plen, so those are checked (anything but 6/4 is
/// a parse error) while htype/ptype are kept as found: a decoder must round-trip e.g.
/// htype 6 (IEEE 802) frames, and callers that care compare them with the constants.
struct ArpPacket {
  uint16_t htype = kArpHtypeEthernet;
  uint16_t ptype = 0x0800;  // EtherType of IPv4
  uint8_t hlen = 6;
  uint8_t plen = 4;
  uint16_t oper = kArpRequest;
  MacAddress sha;   // sender hardware address
  Ipv4Address spa;  // sender protocol address
  MacAddress tha;   // target hardware address
  Ipv4Address tpa;  // target protocol address

  /// Parses the 28-byte packet at the start of `data` (bytes after it are the caller's:
  /// Ethernet padding).
  static Parsed<ArpPacket> parse(ConstBytes data, std::size_t base_offset = 0);
  static constexpr std::size_t encoded_size() { return kArpPacketSize; }
  /// Writes the packet into out[0, 28) as stored (hlen/plen included); returns 28.
  std::size_t encode(MutBytes out) const;

  /// RFC 5227 §2.1.1: an ARP Request whose sender protocol address is all zeros (so it
  /// does not pollute other hosts' caches) asking for `tpa`.
  bool is_probe() const { return oper == kArpRequest && spa.is_zero() && !tpa.is_zero(); }
  /// RFC 5227 §2.3 announcement / "gratuitous ARP" (RFC 5944 §4.6): sender and target
  /// protocol address are both the announced address. Either a request (the RFC 5227
  /// form) or a reply (arping -A).
  bool is_announcement() const { return spa == tpa && !spa.is_zero(); }
  bool is_gratuitous() const { return is_announcement(); }

  static ArpPacket request(MacAddress sha, Ipv4Address spa, Ipv4Address tpa) {
    ArpPacket a;
    a.oper = kArpRequest;
    a.sha = sha;
    a.spa = spa;
    a.tpa = tpa;
    return a;
  }
  static ArpPacket reply(MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa) {
    ArpPacket a;
    a.oper = kArpReply;
    a.sha = sha;
    a.spa = spa;
    a.tha = tha;
    a.tpa = tpa;
    return a;
  }
  /// RFC 5227 §2.1.1: target hardware address zero.
  static ArpPacket probe(MacAddress sha, Ipv4Address tpa) {
    return request(sha, Ipv4Address(), tpa);
  }
  /// RFC 5227 §2.3: an ARP Request with spa == tpa == the claimed address, tha zero.
  static ArpPacket announcement(MacAddress sha, Ipv4Address addr) {
    return request(sha, addr, addr);
  }

  bool operator==(const ArpPacket&) const = default;
};

}  // namespace dhcpsim::wire
