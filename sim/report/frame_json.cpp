#include "dhcpsim/report/frame_json.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace dhcpsim::report {

using nlohmann::json;
using nlohmann::ordered_json;
namespace opt = wire::dhcp_option;

std::string to_hex(wire::ConstBytes bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    s.push_back(kDigits[uint8_t(b) >> 4]);
    s.push_back(kDigits[uint8_t(b) & 0xf]);
  }
  return s;
}

std::string to_colon_hex(wire::ConstBytes bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 3);
  for (std::byte b : bytes) {
    if (!s.empty()) s.push_back(':');
    s.push_back(kDigits[uint8_t(b) >> 4]);
    s.push_back(kDigits[uint8_t(b) & 0xf]);
  }
  return s;
}

namespace {

std::string hex16(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", unsigned(v));
  return buf;
}

std::string hex32(uint32_t v) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "0x%08x", unsigned(v));
  return buf;
}

// Text fields become JSON strings only when every byte is ASCII: the JSON dump escapes
// control characters (\u0000), so the string still holds exactly the bytes. Anything else
// is shown as hex rather than guessed at as Latin-1 or UTF-8.
bool is_ascii(wire::ConstBytes bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return uint8_t(b) < 0x80; });
}

std::string as_string(wire::ConstBytes bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

wire::Ipv4Address ip_at(wire::ConstBytes b, std::size_t pos) {
  return wire::load_ipv4(b.data() + pos);
}

template <class J>
std::optional<J> ip_list(wire::ConstBytes v) {
  if (v.empty() || v.size() % 4 != 0) return std::nullopt;
  J a = J::array();
  for (std::size_t i = 0; i < v.size(); i += 4) a.push_back(ip_at(v, i).to_string());
  return a;
}

// RFC 3442 §3: width octet, the significant octets of the destination, the router.
template <class J>
std::optional<J> classless_routes(wire::ConstBytes v) {
  J routes = J::array();
  std::size_t pos = 0;
  while (pos < v.size()) {
    const unsigned width = uint8_t(v[pos++]);
    if (width > 32) return std::nullopt;
    const std::size_t significant = (width + 7) / 8;
    if (v.size() - pos < significant + 4) return std::nullopt;
    uint32_t dest = 0;
    for (std::size_t i = 0; i < significant; ++i)
      dest |= uint32_t(uint8_t(v[pos + i])) << (24 - 8 * i);
    pos += significant;
    routes.push_back(
        {{"destination", wire::Ipv4Address(dest).to_string() + "/" + std::to_string(width)},
         {"router", ip_at(v, pos).to_string()}});
    pos += 4;
  }
  return routes;
}

// A domain name in DNS wire format at `pos` (RFC 1035 §3.1). With `compression`,
// pointers (RFC 1035 §4.1.4, as RFC 3397 §2 uses them inside option 119) may refer to
// earlier bytes of `v`; each must point before the label that holds it, which also rules
// out loops. Without a terminating root label the name ends at the end of `v` (an RFC 4702
// §2.1 partial name) only when `allow_partial`. Advances `pos` past the name's own bytes.
std::optional<std::string> wire_name(wire::ConstBytes v, std::size_t& pos, bool compression,
                                     bool allow_partial) {
  wire::DnsName name;
  std::size_t p = pos;
  bool jumped = false;
  std::size_t octets = 1;
  for (int hops = 0;;) {
    if (p >= v.size()) {
      if (!allow_partial || jumped) return std::nullopt;
      pos = p;
      break;
    }
    const uint8_t len = uint8_t(v[p]);
    if (len == 0) {
      if (!jumped) pos = p + 1;
      break;
    }
    if ((len & 0xc0) == 0xc0) {
      if (!compression || p + 1 >= v.size() || ++hops > 64) return std::nullopt;
      const std::size_t target = (std::size_t(len & 0x3f) << 8) | uint8_t(v[p + 1]);
      if (target >= p) return std::nullopt;
      if (!jumped) pos = p + 2;
      jumped = true;
      p = target;
      continue;
    }
    if (len > wire::kDnsMaxLabelLength || v.size() - p - 1 < len) return std::nullopt;
    octets += 1 + len;
    if (octets > wire::kDnsMaxNameLength) return std::nullopt;
    name.labels.push_back(as_string(v.subspan(p + 1, len)));
    p += 1 + len;
  }
  return name.to_string();
}

template <class J>
std::optional<J> domain_search(wire::ConstBytes v) {
  J names = J::array();
  std::size_t pos = 0;
  while (pos < v.size()) {
    auto n = wire_name(v, pos, /*compression=*/true, /*allow_partial=*/false);
    if (!n) return std::nullopt;
    names.push_back(*n);
  }
  return names;
}

// RFC 4702 §2: flags, RCODE1, RCODE2, then the name: canonical wire format when the E
// flag (0x04) is set, ASCII otherwise.
template <class J>
std::optional<J> client_fqdn(wire::ConstBytes v) {
  if (v.size() < 3) return std::nullopt;
  const uint8_t flags = uint8_t(v[0]);
  J j = {{"flags", flags}, {"rcode1", uint8_t(v[1])}, {"rcode2", uint8_t(v[2])}};
  const auto rest = v.subspan(3);
  if (flags & 0x04) {
    std::size_t pos = 0;
    auto n = wire_name(rest, pos, /*compression=*/false, /*allow_partial=*/true);
    if (!n || pos != rest.size()) return std::nullopt;
    j["name"] = *n;
  } else {
    if (!is_ascii(rest)) return std::nullopt;
    j["name"] = as_string(rest);
  }
  return j;
}

// RFC 3046 §2.0: sub-options; nullopt (and `error` set) when they do not parse.
template <class J>
std::optional<J> relay_agent_info(wire::ConstBytes v, std::string& error) {
  auto info = wire::RelayAgentInfo::parse(v);
  if (!info) {
    error = info.error().to_string();
    return std::nullopt;
  }
  J j = J::object();
  if (auto c = info->circuit_id()) j["circuit_id"] = to_colon_hex(*c);
  if (auto r = info->remote_id()) j["remote_id"] = to_colon_hex(*r);
  J subs = J::array();
  for (const auto& [code, data] : info->suboptions)
    subs.push_back({{"code", code}, {"value", to_colon_hex(data)}});
  j["suboptions"] = std::move(subs);
  return j;
}

// The typed value of a named option, or nullopt when the option has no type here or its
// bytes do not decode as that type.
template <class J>
std::optional<J> typed_value(uint8_t code, wire::ConstBytes v) {
  switch (code) {
    // RFC 2132 §3.3, §3.15 (28), §9.1, §9.7: one address.
    case opt::kSubnetMask:
    case opt::kBroadcastAddress:
    case opt::kRequestedIp:
    case opt::kServerId:
      if (v.size() != 4) return std::nullopt;
      return J(ip_at(v, 0).to_string());
    // RFC 2132 §3.5, §3.8, §8.3: address lists.
    case opt::kRouter:
    case opt::kDnsServers:
    case 42:  // ntp_servers
      return ip_list<J>(v);
    // RFC 2132 §3.4: time offset, signed seconds.
    case 2:
      if (v.size() != 4) return std::nullopt;
      return J(int32_t(wire::load_be32(v.data())));
    // RFC 2132 §9.2, §9.11, §9.12: unsigned seconds.
    case opt::kLeaseTime:
    case opt::kRenewalTime:
    case opt::kRebindingTime:
      if (v.size() != 4) return std::nullopt;
      return J(wire::load_be32(v.data()));
    // RFC 2132 §5.1 (26, MTU), §9.10: 16-bit sizes.
    case 26:
    case opt::kMaxMessageSize:
      if (v.size() != 2) return std::nullopt;
      return J(wire::load_be16(v.data()));
    case opt::kOverload:
      if (v.size() != 1) return std::nullopt;
      return J(uint8_t(v[0]));
    case opt::kMessageType:
      if (v.size() != 1) return std::nullopt;
      return J(wire::dhcp_message_type_name(uint8_t(v[0])));
    case opt::kParameterRequestList: {
      J a = J::array();
      for (std::byte b : v) a.push_back(uint8_t(b));
      return a;
    }
    // RFC 2132 §3.14, §3.17, §9.9, §9.13: text.
    case opt::kHostName:
    case opt::kDomainName:
    case opt::kMessage:
    case opt::kVendorClassId:
      if (!is_ascii(v)) return std::nullopt;
      return J(as_string(v));
    // RFC 2132 §9.14: type octet + identifier, shown as one colon-separated string.
    case opt::kClientId:
      return J(to_colon_hex(v));
    case 81:
      return client_fqdn<J>(v);
    case 119:
      return domain_search<J>(v);
    case 121:
      return classless_routes<J>(v);
    default:
      return std::nullopt;
  }
}

// Text up to the first NUL, when the rest of the field is zeros and the text is ASCII.
template <class J>
void put_c_string(J& j, const char* key, wire::ConstBytes field) {
  const auto nul = std::find(field.begin(), field.end(), std::byte{0});
  const auto text = field.first(std::size_t(nul - field.begin()));
  const bool rest_zero =
      std::all_of(nul, field.end(), [](std::byte b) { return b == std::byte{0}; });
  if (rest_zero && is_ascii(text)) {
    j[key] = as_string(text);
    return;
  }
  std::size_t used = field.size();
  while (used > 0 && field[used - 1] == std::byte{0}) --used;
  j[std::string(key) + "_hex"] = to_hex(field.first(used));
}

wire::ConstBytes bytes_of(const std::vector<std::byte>& v) {
  return {v.data(), v.size()};
}

template <class J>
J payload_json(const wire::RawBytes& bytes) {
  return {{"length", bytes.size()}, {"hex", to_hex(bytes_of(bytes))}};
}

template <class J>
J dns_name(const wire::DnsName& n) {
  return n.to_string();
}

template <class J>
J dns_records(const std::vector<wire::DnsResourceRecord>& rrs) {
  J a = J::array();
  for (const auto& rr : rrs) {
    J r = {
        {"name", dns_name<J>(rr.name)}, {"type", rr.type}, {"class", rr.rclass}, {"ttl", rr.ttl}};
    if (auto addr = rr.a_address())
      r["address"] = addr->to_string();
    else
      r["rdata"] = to_hex(bytes_of(rr.rdata));
    a.push_back(std::move(r));
  }
  return a;
}

template <class J>
J dns_to_json(const wire::DnsMessage& m) {
  J j = {{"id", m.id},
         {"flags", hex16(m.flags)},
         {"qr", m.is_response()},
         {"opcode", m.opcode()},
         {"rcode", m.rcode()}};
  J qs = J::array();
  for (const auto& q : m.questions)
    qs.push_back({{"name", dns_name<J>(q.name)}, {"type", q.qtype}, {"class", q.qclass}});
  j["questions"] = std::move(qs);
  j["answers"] = dns_records<J>(m.answers);
  j["authorities"] = dns_records<J>(m.authorities);
  j["additionals"] = dns_records<J>(m.additionals);
  return j;
}

template <class J>
J icmp_to_json(const wire::IcmpMessage& m) {
  J j = {{"type", m.type}, {"code", m.code}, {"checksum", hex16(m.checksum)}};
  if (m.type == wire::kIcmpEchoRequest || m.type == wire::kIcmpEchoReply) {
    j["identifier"] = m.identifier();
    j["sequence"] = m.sequence();
  } else {
    j["rest"] = hex32(m.rest);
  }
  j["data"] = to_hex(bytes_of(m.payload));
  return j;
}

template <class J>
J ipv4_to_json(const wire::Ipv4Header& ip) {
  J j = {{"src", ip.src.to_string()},
         {"dst", ip.dst.to_string()},
         {"ttl", ip.ttl},
         {"protocol", ip.protocol},
         {"id", ip.identification},
         {"tos", ip.dscp_ecn},
         {"checksum", hex16(ip.checksum)},
         {"total_length", ip.total_length},
         {"header_length", ip.header_length()},
         {"dont_fragment", ip.dont_fragment()},
         {"more_fragments", ip.more_fragments()},
         {"fragment_offset", ip.fragment_offset()}};
  if (!ip.options.empty()) j["options"] = to_hex(bytes_of(ip.options));
  return j;
}

template <class J>
J arp_to_json(const wire::ArpPacket& a) {
  return {{"op", a.oper},
          {"htype", a.htype},
          {"ptype", hex16(a.ptype)},
          {"hlen", a.hlen},
          {"plen", a.plen},
          {"sha", a.sha.to_string()},
          {"spa", a.spa.to_string()},
          {"tha", a.tha.to_string()},
          {"tpa", a.tpa.to_string()}};
}

const char* area_name(wire::DhcpOptionArea area) {
  switch (area) {
    case wire::DhcpOptionArea::File:
      return "file";
    case wire::DhcpOptionArea::Sname:
      return "sname";
    case wire::DhcpOptionArea::Options:
      break;
  }
  return "options";
}

template <class J>
J option_json(uint8_t code, wire::ConstBytes value) {
  J o = {{"code", code}};
  if (const char* name = wire::dhcp_option_name(code)) o["name"] = name;
  o["length"] = value.size();
  std::string error;
  std::optional<J> v = code == opt::kRelayAgentInfo ? relay_agent_info<J>(value, error)
                                                    : typed_value<J>(code, value);
  if (v) {
    o["value"] = std::move(*v);
  } else {
    o["value"] = to_hex(value);
    o["encoding"] = "hex";
    if (!error.empty()) o["error"] = error;
  }
  return o;
}

template <class J>
J dhcp_json(const wire::DhcpMessage& m) {
  J j = {{"op", m.op},
         {"htype", m.htype},
         {"hlen", m.hlen},
         {"hops", m.hops},
         {"xid", hex32(m.xid)},
         {"secs", m.secs},
         {"flags", m.flags},
         {"broadcast", m.broadcast_flag()},
         {"ciaddr", m.ciaddr.to_string()},
         {"yiaddr", m.yiaddr.to_string()},
         {"siaddr", m.siaddr.to_string()},
         {"giaddr", m.giaddr.to_string()}};
  const std::size_t hlen = std::min<std::size_t>(m.hlen, m.chaddr.size());
  j["chaddr"] = to_colon_hex(wire::as_bytes(m.chaddr.data(), hlen));
  // An overloaded field holds options (shown in "options" with their area); parse leaves
  // the field itself zeroed.
  put_c_string<J>(j, "sname", wire::as_bytes(m.sname.data(), m.sname.size()));
  put_c_string<J>(j, "file", wire::as_bytes(m.file.data(), m.file.size()));
  if (auto t = m.message_type()) j["message_type"] = wire::dhcp_message_type_name(uint8_t(*t));

  // Instances per code and where each code first appears (RFC 3396 splits, RFC 2132 §9.3
  // overload), and the Pad bytes between options.
  std::array<uint16_t, 256> instances{};
  std::array<wire::DhcpOptionArea, 256> first_area{};
  std::size_t pad_bytes = 0;
  for (const auto& inst : m.options.layout()) {
    if (inst.code == opt::kPad) {
      pad_bytes += inst.length;
      continue;
    }
    if (inst.code == opt::kEnd) continue;
    if (instances[inst.code]++ == 0) first_area[inst.code] = inst.area;
  }

  J options = J::array();
  for (const wire::DhcpOption o : m.options) {
    J oj = option_json<J>(o.code, o.data);
    if (instances[o.code] > 1) oj["instances"] = instances[o.code];
    if (first_area[o.code] != wire::DhcpOptionArea::Options)
      oj["area"] = area_name(first_area[o.code]);
    options.push_back(std::move(oj));
  }
  j["options"] = std::move(options);

  const auto trailer = m.options.trailing_bytes();
  j["padding"] = trailer.size();
  if (std::any_of(trailer.begin(), trailer.end(), [](std::byte b) { return b != std::byte{0}; }))
    j["padding_hex"] = to_hex(trailer);
  if (pad_bytes > 0) j["pad_options"] = pad_bytes;
  if (!m.options.has_end()) j["end"] = false;
  return j;
}

template <class J>
J frame_json(const wire::DecodedFrame& f) {
  J j;
  j["eth"] = {{"src", f.eth.src.to_string()},
              {"dst", f.eth.dst.to_string()},
              {"type", hex16(f.eth.ethertype)}};
  std::visit(
      [&](const auto& l3) {
        using L3 = std::decay_t<decltype(l3)>;
        if constexpr (std::is_same_v<L3, wire::RawBytes>) {
          j["payload"] = payload_json<J>(l3);
        } else if constexpr (std::is_same_v<L3, wire::ArpPacket>) {
          j["arp"] = arp_to_json<J>(l3);
        } else {
          j["ipv4"] = ipv4_to_json<J>(l3.ip);
          std::visit(
              [&](const auto& l4) {
                using L4 = std::decay_t<decltype(l4)>;
                if constexpr (std::is_same_v<L4, wire::RawBytes>) {
                  j["payload"] = payload_json<J>(l4);
                } else if constexpr (std::is_same_v<L4, wire::IcmpMessage>) {
                  j["icmp"] = icmp_to_json<J>(l4);
                } else {
                  const wire::UdpHeader& u = l4.udp;
                  j["udp"] = {{"src_port", u.src_port},
                              {"dst_port", u.dst_port},
                              {"length", u.length},
                              {"checksum", u.has_checksum ? J(hex16(u.checksum)) : J(nullptr)}};
                  std::visit(
                      [&](const auto& app) {
                        using App = std::decay_t<decltype(app)>;
                        if constexpr (std::is_same_v<App, wire::RawBytes>)
                          j["payload"] = payload_json<J>(app);
                        else if constexpr (std::is_same_v<App, wire::DhcpMessage>)
                          j["dhcp"] = dhcp_json<J>(app);
                        else
                          j["dns"] = dns_to_json<J>(app);
                      },
                      l4.payload);
                }
              },
              l3.payload);
        }
      },
      f.payload);
  if (!f.trailer.empty()) j["trailer"] = to_hex(bytes_of(f.trailer));
  return j;
}

}  // namespace

json dhcp_option_to_json(uint8_t code, wire::ConstBytes value) {
  return option_json<json>(code, value);
}

json dhcp_to_json(const wire::DhcpMessage& message) {
  return dhcp_json<json>(message);
}

json frame_to_json(const wire::DecodedFrame& frame) {
  return frame_json<json>(frame);
}

ordered_json frame_to_ordered_json(const wire::DecodedFrame& frame) {
  return frame_json<ordered_json>(frame);
}

}  // namespace dhcpsim::report
