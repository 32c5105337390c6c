// Property tests (rapidcheck) of the frame stack: parse(encode(x)) == x for generated ARP,
// IPv4+UDP, ICMP, DNS and whole frames (DHCP payloads drawn from the capture corpus with
// mutated fixed fields); parse_frame/peek_frame survive arbitrary bytes and mutations of
// valid frames; any bytes parse_frame accepts re-encode exactly; peek_frame agrees with
// parse_frame on every field it reports.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>

#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/pcap.hpp"
#include "dhcpsim/wire/peek.hpp"

using namespace dhcpsim::wire;

namespace {

// ---- generators (called inside a property) ----

std::vector<std::byte> gen_bytes(int max_size) {
  const int n = *rc::gen::inRange(0, max_size + 1);
  const auto v =
      *rc::gen::container<std::vector<uint8_t>>(std::size_t(n), rc::gen::arbitrary<uint8_t>());
  std::vector<std::byte> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = std::byte(v[i]);
  return out;
}

MacAddress gen_mac() {
  return MacAddress::from_u64(*rc::gen::arbitrary<uint64_t>());
}
Ipv4Address gen_ip() {
  return Ipv4Address(*rc::gen::arbitrary<uint32_t>());
}

// A port that is neither DNS nor BOOTP.
uint16_t gen_plain_port() {
  return *rc::gen::suchThat(rc::gen::arbitrary<uint16_t>(), [](uint16_t p) {
    return p != kPortDns && p != kPortBootpServer && p != kPortBootpClient;
  });
}

ArpPacket gen_arp() {
  ArpPacket a;
  a.htype = *rc::gen::arbitrary<uint16_t>();
  a.ptype = *rc::gen::arbitrary<uint16_t>();
  a.oper = *rc::gen::arbitrary<uint16_t>();
  a.sha = gen_mac();
  a.spa = gen_ip();
  a.tha = gen_mac();
  a.tpa = gen_ip();
  return a;
}

// total_length and checksum are left for the caller (they depend on the payload).
Ipv4Header gen_ipv4_header(bool allow_fragment) {
  Ipv4Header h;
  h.dscp_ecn = *rc::gen::arbitrary<uint8_t>();
  h.identification = *rc::gen::arbitrary<uint16_t>();
  h.flags_fragment = *rc::gen::arbitrary<uint16_t>();
  if (!allow_fragment)
    h.flags_fragment &= uint16_t(~(kIpv4FlagMoreFragments | kIpv4FragmentOffsetMask));
  h.ttl = *rc::gen::arbitrary<uint8_t>();
  h.src = gen_ip();
  h.dst = gen_ip();
  h.options.resize(4 * std::size_t(*rc::gen::inRange(0, 11)));
  for (auto& b : h.options) b = std::byte(*rc::gen::arbitrary<uint8_t>());
  return h;
}

IcmpMessage gen_icmp() {
  IcmpMessage m;
  m.type = *rc::gen::arbitrary<uint8_t>();
  m.code = *rc::gen::arbitrary<uint8_t>();
  m.rest = *rc::gen::arbitrary<uint32_t>();
  m.payload = gen_bytes(64);
  m.checksum = m.compute_checksum();
  return m;
}

DnsName gen_name() {
  DnsName n;
  const int labels = *rc::gen::inRange(0, 5);
  for (int i = 0; i < labels; ++i) {
    const int len = *rc::gen::inRange(1, 64);
    const auto chars =
        *rc::gen::container<std::string>(std::size_t(len), rc::gen::arbitrary<char>());
    n.labels.push_back(chars);
  }
  return n;
}

DnsResourceRecord gen_rr() {
  DnsResourceRecord rr;
  rr.name = gen_name();
  rr.type = *rc::gen::arbitrary<uint16_t>();
  rr.rclass = *rc::gen::arbitrary<uint16_t>();
  rr.ttl = *rc::gen::arbitrary<uint32_t>();
  rr.rdata = gen_bytes(40);
  return rr;
}

DnsMessage gen_dns() {
  DnsMessage m;
  m.id = *rc::gen::arbitrary<uint16_t>();
  m.flags = *rc::gen::arbitrary<uint16_t>();
  for (int i = *rc::gen::inRange(0, 4); i > 0; --i)
    m.questions.push_back(
        DnsQuestion{gen_name(), *rc::gen::arbitrary<uint16_t>(), *rc::gen::arbitrary<uint16_t>()});
  for (auto* section : {&m.answers, &m.authorities, &m.additionals})
    for (int i = *rc::gen::inRange(0, 3); i > 0; --i) section->push_back(gen_rr());
  return m;
}

// DHCP messages of the capture corpus, the raw material for DHCP payloads.
const std::vector<DhcpMessage>& corpus_dhcp() {
  static const std::vector<DhcpMessage> pool = [] {
    std::vector<DhcpMessage> out;
    const auto dir = std::filesystem::path(DHCPSIM_FIXTURES_DIR) / "captures";
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() != ".pcap") continue;
      auto r = PcapReader::open(e.path().string());
      if (!r) continue;
      while (auto rec = r->next())
        if (auto f = parse_frame(rec->data); f && f->dhcp()) out.push_back(*f->dhcp());
    }
    return out;
  }();
  return pool;
}

DhcpMessage gen_dhcp() {
  const auto& pool = corpus_dhcp();
  RC_PRE(!pool.empty());
  DhcpMessage m = pool[std::size_t(*rc::gen::inRange<std::size_t>(0, pool.size()))];
  m.op = *rc::gen::arbitrary<uint8_t>();
  m.hops = *rc::gen::arbitrary<uint8_t>();
  m.xid = *rc::gen::arbitrary<uint32_t>();
  m.secs = *rc::gen::arbitrary<uint16_t>();
  m.flags = *rc::gen::arbitrary<uint16_t>();
  m.ciaddr = gen_ip();
  m.yiaddr = gen_ip();
  m.giaddr = gen_ip();
  m.set_client_mac(gen_mac());
  return m;
}

DecodedFrame gen_frame() {
  DecodedFrame f;
  f.eth.dst = gen_mac();
  f.eth.src = gen_mac();
  // rc::gen::inRange favours small values at small sizes; element() is uniform. Kind 6
  // (DHCP or DNS over UDP) gets more weight, being the richest.
  const int kind = *rc::gen::element(0, 1, 2, 3, 4, 5, 6, 6, 6);
  if (kind == 0) {
    f.eth.ethertype = *rc::gen::suchThat(rc::gen::arbitrary<uint16_t>(), [](uint16_t t) {
      return t != kEtherTypeArp && t != kEtherTypeIpv4;
    });
    f.payload = gen_bytes(80);
    return f;  // raw frames have no trailer: everything is payload
  }
  if (kind == 1) {
    f.eth.ethertype = kEtherTypeArp;
    f.payload = gen_arp();
  } else {
    f.eth.ethertype = kEtherTypeIpv4;
    Ipv4Packet p;
    const bool fragment = kind == 2;
    p.ip = gen_ipv4_header(fragment);
    if (kind == 2 || kind == 3) {
      // Fragment or unknown protocol: raw.
      p.ip.protocol = *rc::gen::arbitrary<uint8_t>();
      if (!fragment) {
        p.ip.protocol = *rc::gen::suchThat(rc::gen::arbitrary<uint8_t>(), [](uint8_t x) {
          return x != kIpProtoIcmp && x != kIpProtoUdp;
        });
      } else if (!p.ip.is_fragment()) {
        p.ip.flags_fragment |= kIpv4FlagMoreFragments;
      }
      p.payload = gen_bytes(80);
    } else if (kind == 4) {
      p.ip.protocol = kIpProtoIcmp;
      p.payload = gen_icmp();
    } else {
      p.ip.protocol = kIpProtoUdp;
      UdpPacket u;
      u.udp.has_checksum = *rc::gen::arbitrary<bool>();
      if (kind == 5) {
        u.udp.src_port = gen_plain_port();
        u.udp.dst_port = gen_plain_port();
        u.payload = gen_bytes(80);
      } else if (*rc::gen::arbitrary<bool>()) {
        u.udp.src_port = *rc::gen::element<uint16_t>(67, 68, 1000);
        u.udp.dst_port = u.udp.src_port == 1000 ? 67 : *rc::gen::element<uint16_t>(67, 68);
        u.payload = gen_dhcp();
      } else {
        u.udp.src_port = gen_plain_port();
        u.udp.dst_port = kPortDns;
        if (*rc::gen::arbitrary<bool>()) std::swap(u.udp.src_port, u.udp.dst_port);
        u.payload = gen_dns();
      }
      p.payload = std::move(u);
    }
    f.payload = std::move(p);
  }
  f.trailer = gen_bytes(24);
  return f;
}

// Copies the fields encode_frame derives (lengths, checksums) from `from` into `to`.
void copy_derived_fields(const DecodedFrame& from, DecodedFrame& to) {
  const Ipv4Packet* fp = from.ipv4();
  auto* tp = std::get_if<Ipv4Packet>(&to.payload);
  if (!fp || !tp) return;
  tp->ip.total_length = fp->ip.total_length;
  tp->ip.checksum = fp->ip.checksum;
  if (auto* tu = std::get_if<UdpPacket>(&tp->payload); tu && from.udp()) {
    tu->udp.length = from.udp()->udp.length;
    tu->udp.checksum = from.udp()->udp.checksum;
  }
  if (auto* ti = std::get_if<IcmpMessage>(&tp->payload); ti && from.icmp())
    ti->checksum = from.icmp()->checksum;
}

// peek_frame reports exactly what parse_frame found, for a frame parse_frame accepted.
void check_peek_agrees(ConstBytes bytes, const DecodedFrame& f) {
  const auto pk = peek_frame(bytes);
  RC_ASSERT(pk.has_value());
  RC_ASSERT(pk->dst == f.eth.dst);
  RC_ASSERT(pk->src == f.eth.src);
  RC_ASSERT(pk->ethertype == f.eth.ethertype);
  RC_ASSERT(pk->arp.has_value() == (f.arp() != nullptr));
  if (const ArpPacket* a = f.arp()) {
    RC_ASSERT(pk->arp->oper == a->oper);
    RC_ASSERT(pk->arp->sha == a->sha);
    RC_ASSERT(pk->arp->spa == a->spa);
    RC_ASSERT(pk->arp->tha == a->tha);
    RC_ASSERT(pk->arp->tpa == a->tpa);
  }
  RC_ASSERT(pk->ipv4.has_value() == (f.ipv4() != nullptr));
  if (const Ipv4Packet* p = f.ipv4()) {
    RC_ASSERT(pk->ipv4->protocol == p->ip.protocol);
    RC_ASSERT(pk->ipv4->src == p->ip.src);
    RC_ASSERT(pk->ipv4->dst == p->ip.dst);
    RC_ASSERT(pk->ipv4->ttl == p->ip.ttl);
    RC_ASSERT(pk->ipv4->header_length == p->ip.header_length());
  }
  RC_ASSERT(pk->udp.has_value() == (f.udp() != nullptr));
  if (const UdpPacket* u = f.udp()) {
    RC_ASSERT(pk->udp->src_port == u->udp.src_port);
    RC_ASSERT(pk->udp->dst_port == u->udp.dst_port);
  }
  RC_ASSERT(pk->bootp.has_value() == (f.dhcp() != nullptr));
  if (const DhcpMessage* d = f.dhcp()) {
    RC_ASSERT(pk->bootp->op == d->op);
    RC_ASSERT(pk->bootp->htype == d->htype);
    RC_ASSERT(pk->bootp->hlen == d->hlen);
    RC_ASSERT(pk->bootp->xid == d->xid);
    RC_ASSERT(pk->bootp->flags == d->flags);
    RC_ASSERT(pk->bootp->giaddr == d->giaddr);
    RC_ASSERT(pk->bootp->chaddr == d->client_mac());
  }
}

// Applies 1..4 random edits: overwrite, flip, truncate, insert, delete.
std::vector<std::byte> mutate(std::vector<std::byte> b) {
  for (int k = *rc::gen::inRange(1, 5); k > 0; --k) {
    const int op = *rc::gen::inRange(0, 5);
    const std::size_t at = b.empty() ? 0 : *rc::gen::inRange<std::size_t>(0, b.size());
    const std::byte v{*rc::gen::arbitrary<uint8_t>()};
    if (op == 0 && !b.empty()) b[at] = v;
    if (op == 1 && !b.empty()) b[at] ^= std::byte(1u << *rc::gen::inRange(0, 8));
    if (op == 2) b.resize(at);
    if (op == 3) b.insert(b.begin() + std::ptrdiff_t(at), v);
    if (op == 4 && !b.empty()) b.erase(b.begin() + std::ptrdiff_t(at));
  }
  return b;
}

// For any bytes: neither function crashes; whatever parse_frame accepts re-encodes exactly
// and agrees with peek_frame; an unverified parse re-encodes to a frame that verifies.
void check_any_bytes(const std::vector<std::byte>& b) {
  const auto pk = peek_frame(b);
  RC_ASSERT(pk.has_value() == (b.size() >= kEthernetHeaderSize));
  if (auto r = parse_frame(b)) {
    RC_ASSERT(encode_frame(*r) == b);
    check_peek_agrees(b, *r);
  }
  if (auto loose = parse_frame(b, FrameParseOptions{.verify_checksums = false})) {
    auto strict = parse_frame(encode_frame(*loose));
    RC_ASSERT(strict.has_value());
    copy_derived_fields(*strict, *loose);
    RC_ASSERT(*strict == *loose);
  }
}

}  // namespace

// ARP: encode then parse gives the packet back, alone and in a frame.
RC_GTEST_PROP(WireProperties, ArpRoundTrip, ()) {
  const ArpPacket a = gen_arp();
  std::vector<std::byte> buf(a.encoded_size());
  RC_ASSERT(a.encode(buf) == kArpPacketSize);
  const auto back = ArpPacket::parse(buf);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == a);
  RC_ASSERT(back->is_probe() == (a.oper == kArpRequest && a.spa.is_zero() && !a.tpa.is_zero()));
}

// IPv4 + UDP: header and datagram round trip, checksums verify, zero checksum stays zero.
RC_GTEST_PROP(WireProperties, Ipv4UdpRoundTrip, ()) {
  Ipv4Header ip = gen_ipv4_header(true);
  ip.protocol = kIpProtoUdp;
  const auto data = gen_bytes(100);
  UdpHeader udp{*rc::gen::arbitrary<uint16_t>(), *rc::gen::arbitrary<uint16_t>(),
                uint16_t(kUdpHeaderSize + data.size()), 0, *rc::gen::arbitrary<bool>()};
  ip.total_length = uint16_t(ip.header_length() + udp.length);
  std::vector<std::byte> packet(ip.total_length);
  std::copy(data.begin(), data.end(), packet.begin() + std::ptrdiff_t(ip.header_length() + 8));
  udp.encode(MutBytes(packet).subspan(ip.header_length()), ip.src, ip.dst);
  RC_ASSERT(ip.encode(packet) == ip.header_length());

  const auto ip_back = Ipv4Header::parse(packet, 14);
  RC_ASSERT(ip_back.has_value());
  ip.checksum = ip.compute_checksum();
  RC_ASSERT(*ip_back == ip);
  const auto udp_back = UdpHeader::parse(ConstBytes(packet).subspan(ip.header_length()), ip.src,
                                         ip.dst, 14 + ip.header_length());
  RC_ASSERT(udp_back.has_value());
  RC_ASSERT(udp_back->has_checksum == udp.has_checksum);
  RC_ASSERT(udp_back->has_checksum == (udp_back->checksum != 0));
  udp.checksum = udp_back->checksum;
  RC_ASSERT(*udp_back == udp);
}

// ICMP: encode then parse gives the message back, checksum verified.
RC_GTEST_PROP(WireProperties, IcmpRoundTrip, ()) {
  const IcmpMessage m = gen_icmp();
  std::vector<std::byte> buf(m.encoded_size());
  RC_ASSERT(m.encode(buf) == buf.size());
  const auto back = IcmpMessage::parse(buf);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == m);
}

// DNS: encode then parse gives the message back (names uncompressed, any label bytes).
RC_GTEST_PROP(WireProperties, DnsRoundTrip, ()) {
  const DnsMessage m = gen_dns();
  std::vector<std::byte> buf(m.encoded_size());
  RC_ASSERT(m.encode(buf) == buf.size());
  const auto back = DnsMessage::parse(buf, 42);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == m);
}

// Whole frames: parse(encode(f)) == f up to the derived lengths/checksums, which are
// correct; the bytes re-encode exactly; peek agrees; the builders match encode_frame.
RC_GTEST_PROP(WireProperties, FrameRoundTrip, ()) {
  DecodedFrame f = gen_frame();
  const auto bytes = encode_frame(f);
  RC_ASSERT(bytes.size() == encoded_frame_size(f));
  const auto back = parse_frame(bytes);
  if (!back) RC_FAIL(back.error().to_string());
  RC_TAG(back->arp()    ? "arp"
         : back->dhcp() ? "dhcp"
         : back->dns()  ? "dns"
         : back->udp()  ? "udp"
         : back->icmp() ? "icmp"
         : back->ipv4() ? "ipv4 raw"
                        : "raw");
  copy_derived_fields(*back, f);
  RC_ASSERT(*back == f);
  RC_ASSERT(encode_frame(*back) == bytes);
  check_peek_agrees(bytes, *back);
}

// encode_udp_frame / encode_arp_frame build the same bytes as encode_frame, padded or not.
RC_GTEST_PROP(WireProperties, BuildersMatchEncodeFrame, ()) {
  const bool pad = *rc::gen::arbitrary<bool>();
  UdpFrameSpec spec{gen_mac(), gen_mac(), gen_ip(), gen_ip(), gen_plain_port(), gen_plain_port()};
  spec.ttl = *rc::gen::arbitrary<uint8_t>();
  spec.tos = *rc::gen::arbitrary<uint8_t>();
  spec.ip_id = *rc::gen::arbitrary<uint16_t>();
  spec.dont_fragment = *rc::gen::arbitrary<bool>();
  spec.pad_to_min = pad;
  const auto payload = gen_bytes(60);
  std::vector<std::byte> built(udp_frame_size(payload.size(), pad));
  RC_ASSERT(encode_udp_frame(spec, payload, built) == built.size());
  RC_ASSERT(built.size() >= (pad ? 60u : 42u));
  const auto parsed = parse_frame(built);
  RC_ASSERT(parsed.has_value());
  const UdpPacket* u = parsed->udp();
  RC_ASSERT(u != nullptr);
  RC_ASSERT(std::get<RawBytes>(u->payload) == payload);
  RC_ASSERT(u->udp.src_port == spec.src_port && u->udp.dst_port == spec.dst_port);
  RC_ASSERT(parsed->ipv4()->ip.ttl == spec.ttl && parsed->ipv4()->ip.dscp_ecn == spec.tos);
  RC_ASSERT(parsed->ipv4()->ip.identification == spec.ip_id);
  RC_ASSERT(parsed->ipv4()->ip.dont_fragment() == spec.dont_fragment);
  RC_ASSERT(parsed->eth.src == spec.src_mac && parsed->eth.dst == spec.dst_mac);
  RC_ASSERT(encode_frame(*parsed) == built);

  const ArpFrameSpec arp{gen_mac(), gen_mac(), gen_arp(), pad};
  std::vector<std::byte> arp_built(arp_frame_size(pad));
  RC_ASSERT(encode_arp_frame(arp, arp_built) == arp_built.size());
  const auto arp_parsed = parse_frame(arp_built);
  RC_ASSERT(arp_parsed.has_value());
  RC_ASSERT(*arp_parsed->arp() == arp.arp);
  RC_ASSERT(arp_parsed->trailer == std::vector<std::byte>(pad ? 18 : 0));
}

// Arbitrary bytes, and bytes behind a plausible Ethernet/IPv4 header, never crash.
RC_GTEST_PROP(WireProperties, ArbitraryBytesNeverCrash, ()) {
  check_any_bytes(gen_bytes(120));
  auto b = gen_bytes(120);
  std::vector<std::byte> f(14);
  store_be16(&f[12], *rc::gen::element(uint16_t{kEtherTypeArp}, uint16_t{kEtherTypeIpv4}));
  if (!b.empty() && *rc::gen::arbitrary<bool>()) b[0] = std::byte{0x45};
  f.insert(f.end(), b.begin(), b.end());
  check_any_bytes(f);
}

// Random mutations of valid frames never crash, and whatever still parses round-trips.
RC_GTEST_PROP(WireProperties, MutatedFramesNeverCrash, ()) {
  const auto bytes = encode_frame(gen_frame());
  check_any_bytes(mutate(bytes));
}

// Mutations of real capture frames (DHCP and ARP) likewise.
RC_GTEST_PROP(WireProperties, MutatedCaptureFramesNeverCrash, ()) {
  static const std::vector<std::vector<std::byte>> frames = [] {
    std::vector<std::vector<std::byte>> out;
    const auto dir = std::filesystem::path(DHCPSIM_FIXTURES_DIR) / "captures";
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() != ".pcap") continue;
      auto r = PcapReader::open(e.path().string());
      while (r && true) {
        auto rec = r->next();
        if (!rec) break;
        out.push_back(rec->data);
      }
    }
    return out;
  }();
  RC_PRE(!frames.empty());
  check_any_bytes(mutate(frames[*rc::gen::inRange<std::size_t>(0, frames.size())]));
}
