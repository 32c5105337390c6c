#include "dhcpsim/wire/address.hpp"

#include <charconv>
#include <cstdio>
#include <ostream>

namespace dhcpsim::wire {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

tl::expected<MacAddress, std::string> MacAddress::parse(std::string_view text) {
  auto fail = [&] {
    return tl::unexpected("'" + std::string(text) +
                          "' is not a MAC address (expected six hex pairs like 02:00:5e:10:00:01)");
  };
  if (text.size() != 17) return fail();
  std::array<uint8_t, 6> b{};
  for (int i = 0; i < 6; ++i) {
    int hi = hex_digit(text[i * 3]);
    int lo = hex_digit(text[i * 3 + 1]);
    if (hi < 0 || lo < 0) return fail();
    if (i < 5) {
      char sep = text[i * 3 + 2];
      if (sep != ':' && sep != '-') return fail();
      if (sep != text[2]) return fail();
    }
    b[i] = uint8_t(hi * 16 + lo);
  }
  return MacAddress(b);
}

std::string MacAddress::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b_[0], b_[1], b_[2], b_[3],
                b_[4], b_[5]);
  return buf;
}

tl::expected<Ipv4Address, std::string> Ipv4Address::parse(std::string_view text) {
  auto fail = [&] {
    return tl::unexpected("'" + std::string(text) +
                          "' is not an IPv4 address (expected a dotted quad like 192.168.1.10)");
  };
  uint32_t v = 0;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    std::size_t end = pos;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    std::size_t len = end - pos;
    if (len == 0 || len > 3 || (len > 1 && text[pos] == '0')) return fail();
    unsigned octet = 0;
    std::from_chars(text.data() + pos, text.data() + end, octet);
    if (octet > 255) return fail();
    v = (v << 8) | octet;
    pos = end;
    if (i < 3) {
      if (pos >= text.size() || text[pos] != '.') return fail();
      ++pos;
    }
  }
  if (pos != text.size()) return fail();
  return Ipv4Address(v);
}

std::string Ipv4Address::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", octet(0), octet(1), octet(2), octet(3));
  return buf;
}

tl::expected<Ipv4Prefix, std::string> Ipv4Prefix::parse(std::string_view text, bool strict) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return tl::unexpected("'" + std::string(text) +
                          "' is not an IPv4 prefix (expected address/length like 10.1.0.0/16)");
  auto addr = Ipv4Address::parse(text.substr(0, slash));
  if (!addr) return tl::unexpected(addr.error());
  std::string_view len_text = text.substr(slash + 1);
  int len = -1;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc{} || p != len_text.data() + len_text.size() || len < 0 || len > 32 ||
      len_text.empty() || (len_text.size() > 1 && len_text[0] == '0'))
    return tl::unexpected("'" + std::string(text) + "': prefix length must be 0 to 32");
  Ipv4Prefix prefix(*addr, len);
  if (strict && prefix.network() != *addr)
    return tl::unexpected("'" + std::string(text) + "' has host bits set (the network is " +
                          prefix.to_string() + ")");
  return prefix;
}

tl::expected<int, std::string> Ipv4Prefix::length_of_mask(Ipv4Address mask) {
  if (!mask.is_contiguous_mask())
    return tl::unexpected("'" + mask.to_string() + "' is not a contiguous netmask");
  int n = 0;
  for (uint32_t v = mask.value(); v & 0x80000000u; v <<= 1) ++n;
  return n;
}

std::string Ipv4Prefix::to_string() const { return network_.to_string() + "/" + std::to_string(length_); }

std::ostream& operator<<(std::ostream& os, const MacAddress& m) { return os << m.to_string(); }
std::ostream& operator<<(std::ostream& os, const Ipv4Address& a) { return os << a.to_string(); }
std::ostream& operator<<(std::ostream& os, const Ipv4Prefix& p) { return os << p.to_string(); }

}  // namespace dhcpsim::wire
