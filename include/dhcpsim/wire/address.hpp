#pragma once
// Address value types: MAC, IPv4 address, IPv4 prefix. Parse from and print to their
// usual text forms; parse errors say what is wrong.

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace dhcpsim::wire {

class MacAddress {
 public:
  constexpr MacAddress() = default;
  constexpr explicit MacAddress(std::array<uint8_t, 6> b) : b_(b) {}
  /// From the low 48 bits of `v` (most significant byte first on the wire).
  static constexpr MacAddress from_u64(uint64_t v) {
    return MacAddress({uint8_t(v >> 40), uint8_t(v >> 32), uint8_t(v >> 24), uint8_t(v >> 16),
                       uint8_t(v >> 8), uint8_t(v)});
  }
  static constexpr MacAddress broadcast() { return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); }
  /// "02:66:01:00:00:02" (also accepts '-' as separator, any case).
  static tl::expected<MacAddress, std::string> parse(std::string_view text);

  constexpr const std::array<uint8_t, 6>& bytes() const { return b_; }
  constexpr uint64_t to_u64() const {
    return (uint64_t(b_[0]) << 40) | (uint64_t(b_[1]) << 32) | (uint64_t(b_[2]) << 24) |
           (uint64_t(b_[3]) << 16) | (uint64_t(b_[4]) << 8) | uint64_t(b_[5]);
  }
  constexpr bool is_broadcast() const { return to_u64() == 0xffffffffffffULL; }
  constexpr bool is_multicast() const { return (b_[0] & 1) != 0; }
  constexpr bool is_zero() const { return to_u64() == 0; }
  std::string to_string() const;

  constexpr auto operator<=>(const MacAddress&) const = default;

 private:
  std::array<uint8_t, 6> b_{};
};

class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  /// From the address as a host-order integer (10.0.0.1 == 0x0a000001).
  constexpr explicit Ipv4Address(uint32_t v) : v_(v) {}
  static constexpr Ipv4Address from_octets(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return Ipv4Address((uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | d);
  }
  static constexpr Ipv4Address any() { return Ipv4Address(0); }
  static constexpr Ipv4Address broadcast() { return Ipv4Address(0xffffffffu); }
  /// Dotted quad, exactly four decimal octets 0-255 ("10.0.0.1"); no leading zeros
  /// beyond a single "0" (so "010.0.0.1" is refused rather than read as octal).
  static tl::expected<Ipv4Address, std::string> parse(std::string_view text);

  constexpr uint32_t value() const { return v_; }
  constexpr uint8_t octet(int i) const { return uint8_t(v_ >> (24 - 8 * i)); }
  constexpr bool is_zero() const { return v_ == 0; }
  constexpr bool is_broadcast() const { return v_ == 0xffffffffu; }
  constexpr bool is_link_local() const { return (v_ >> 16) == 0xa9fe; }  // 169.254/16
  constexpr bool is_loopback() const { return (v_ >> 24) == 127; }
  constexpr bool is_multicast() const { return (v_ >> 28) == 0xe; }
  /// A contiguous netmask (255.255.255.0, 0.0.0.0, 255.255.255.255)?
  constexpr bool is_contiguous_mask() const { return (~v_ & (~v_ + 1)) == 0; }
  std::string to_string() const;

  constexpr Ipv4Address operator+(int64_t k) const { return Ipv4Address(uint32_t(int64_t(v_) + k)); }
  constexpr auto operator<=>(const Ipv4Address&) const = default;

 private:
  uint32_t v_ = 0;
};

/// A network prefix "10.1.0.0/16". The stored address is the network address.
class Ipv4Prefix {
 public:
  constexpr Ipv4Prefix() = default;
  /// Host bits of `addr` are cleared.
  constexpr Ipv4Prefix(Ipv4Address addr, int length)
      : network_(Ipv4Address(addr.value() & mask_for(length))), length_(uint8_t(length)) {}
  /// "10.1.0.0/16". With `strict`, host bits must be zero ("10.1.0.5/16" is refused).
  static tl::expected<Ipv4Prefix, std::string> parse(std::string_view text, bool strict = true);
  /// The prefix length of a contiguous netmask, or an error for "255.0.255.0".
  static tl::expected<int, std::string> length_of_mask(Ipv4Address mask);

  static constexpr uint32_t mask_for(int length) {
    return length <= 0 ? 0u : length >= 32 ? 0xffffffffu : ~((1u << (32 - length)) - 1);
  }
  constexpr Ipv4Address network() const { return network_; }
  constexpr int length() const { return length_; }
  constexpr Ipv4Address mask() const { return Ipv4Address(mask_for(length_)); }
  /// The directed broadcast address (all host bits set).
  constexpr Ipv4Address broadcast() const { return Ipv4Address(network_.value() | ~mask_for(length_)); }
  /// Number of addresses (2^(32-length)), as 64-bit so /0 fits.
  constexpr uint64_t size() const { return uint64_t(1) << (32 - length_); }
  constexpr bool contains(Ipv4Address a) const {
    return (a.value() & mask_for(length_)) == network_.value();
  }
  constexpr bool contains(const Ipv4Prefix& p) const { return p.length_ >= length_ && contains(p.network_); }
  constexpr bool overlaps(const Ipv4Prefix& p) const { return contains(p.network_) || p.contains(network_); }
  std::string to_string() const;

  constexpr auto operator<=>(const Ipv4Prefix&) const = default;

 private:
  Ipv4Address network_{};
  uint8_t length_ = 0;
};

std::ostream& operator<<(std::ostream& os, const MacAddress& m);
std::ostream& operator<<(std::ostream& os, const Ipv4Address& a);
std::ostream& operator<<(std::ostream& os, const Ipv4Prefix& p);

}  // namespace dhcpsim::wire

template <>
struct std::hash<dhcpsim::wire::MacAddress> {
  std::size_t operator()(const dhcpsim::wire::MacAddress& m) const noexcept {
    return std::hash<uint64_t>{}(m.to_u64());
  }
};
template <>
struct std::hash<dhcpsim::wire::Ipv4Address> {
  std::size_t operator()(const dhcpsim::wire::Ipv4Address& a) const noexcept {
    return std::hash<uint32_t>{}(a.value());
  }
};
