#pragma once
// Ethernet II framing (IEEE 802.3 clause 3.2.6 "Type" interpretation, as used by RFC 894
// for IPv4): destination, source, EtherType. The frame check sequence is not part of the
// frames the simulator handles (captures taken on a host never contain it).

#include <cstddef>
#include <cstdint>
#include <string>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;

/// Size of the Ethernet II header.
inline constexpr std::size_t kEthernetHeaderSize = 14;
/// Smallest frame a NIC puts on the wire, without the 4-byte FCS (64 - 4): shorter
/// frames are padded with zeros by the sender.
inline constexpr std::size_t kEthernetMinFrameSize = 60;

inline MacAddress load_mac(const std::byte* p) {
  return MacAddress(
      {uint8_t(p[0]), uint8_t(p[1]), uint8_t(p[2]), uint8_t(p[3]), uint8_t(p[4]), uint8_t(p[5])});
}
inline void store_mac(std::byte* p, const MacAddress& m) {
  for (std::size_t i = 0; i < 6; ++i) p[i] = std::byte(m.bytes()[i]);
}

struct EthernetHeader {
  MacAddress dst;
  MacAddress src;
  uint16_t ethertype = 0;

  /// Reads the 14-byte header at the start of `frame`; the rest is the caller's.
  static Parsed<EthernetHeader> parse(ConstBytes frame, std::size_t base_offset = 0);
  static constexpr std::size_t encoded_size() { return kEthernetHeaderSize; }
  /// Writes the header into out[0, 14); returns 14.
  std::size_t encode(MutBytes out) const;

  bool operator==(const EthernetHeader&) const = default;
};

namespace detail {
/// An encode call was given a value it cannot represent or too small a buffer: a bug in
/// the caller (the wire layer does not depend on core; this mirrors DHCPSIM_ASSERT).
[[noreturn]] void encode_bug(const char* what);
/// "0x1a2b", for error messages about checksums and fields.
std::string hex16(uint16_t v);
}  // namespace detail

}  // namespace dhcpsim::wire
