// Routers: one interface per segment, ARP for their own addresses, ICMP echo replies, and
// IPv4 forwarding between connected subnets and to a default route (TTL decremented,
// header checksum recomputed, an ICMP time exceeded sent back when TTL runs out).

#include <algorithm>

#include "dhcpsim/net/network.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/icmp.hpp"
#include "dhcpsim/wire/ipv4.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::net {

namespace {
constexpr uint8_t kRouterTtl = 64;
}

bool Network::router_wants(const Router& r, const Interface& i, const wire::FramePeek& p) const {
  (void)r;
  if (p.arp) return arp_would_change(i, *p.arp, p.dst == i.mac);
  if (p.dst == i.mac) return true;
  if (p.udp && p.udp->dst_port == wire::kPortBootpServer) return i.bootp_server;
  return false;
}

const Route* Network::router_lookup(const Router& r, Ipv4Address dst) const {
  for (const Route& route : r.routes)
    if (route.prefix.contains(dst)) return &route;
  return nullptr;
}

void Network::router_send(Router& r, IfaceId out, Ipv4Address next_hop, FrameRef frame) {
  (void)r;
  Interface& i = ifaces_[out.value];
  wire::store_mac(frame.mutable_bytes().data() + 6, i.mac);
  send_via_arp(out, next_hop, std::move(frame));
}

void Network::router_receive(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p) {
  if (p.arp) {
    handle_arp(in, frame, p);
    return;
  }
  if (!p.ipv4) return;
  const Ipv4Address dst = p.ipv4->dst;
  // Linux drops "martian" sources at input (ip_route_input_slow): the limited broadcast,
  // multicast, and the directed broadcast of a connected subnet. A zero source is only
  // legitimate for a client's DHCP broadcast, which the relay path takes.
  const Ipv4Address src = p.ipv4->src;
  bool martian = src.is_broadcast() || src.is_multicast() || (src.is_zero() && !dst.is_broadcast());
  // A source that is one of our subnets' directed broadcasts (our own addresses are in
  // the same set, but a packet from one of them is ours looped back: not martian here).
  if (!martian && r.local_addresses.contains(src.value())) {
    for (IfaceId k : r.ifaces) {
      const Interface& ki = ifaces_[k.value];
      if (!ki.address.is_zero() && ki.prefix_len < 31 && wire::Ipv4Prefix(ki.address, ki.prefix_len).broadcast() == src)
        martian = true;
    }
  }
  if (martian) {
    ++r.stats.martian_sources;
    return;
  }
  // Addressed to the router itself (any of its interfaces), or a broadcast it listens to?
  if (dst.is_broadcast() || r.local_addresses.contains(dst.value())) {
    router_local(r, in, frame, p);
    return;
  }
  router_forward(r, in, frame, p);
}

void Network::router_local(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p) {
  if (p.udp) {
    router_udp(r, in, frame, p);
    return;
  }
  if (p.ipv4->protocol != wire::kIpProtoIcmp) return;
  auto payload = wire::ipv4_payload(frame.bytes(), p);
  if (!payload) return;
  auto icmp = wire::IcmpMessage::parse(*payload, wire::kEthernetHeaderSize + p.ipv4->header_length, false);
  if (!icmp) return;
  const Ipv4Address src = p.ipv4->src;
  const Ipv4Address dst = p.ipv4->dst;
  if (icmp->is_echo_reply() && icmp->identifier() == 0x5043 && r.service != Host::kNoService) {
    service_ping_answered(r.service, icmp->payload);
    return;
  }
  if (!icmp->is_echo_request() || dst.is_broadcast()) return;
  ++r.stats.echo_replies;
  const Route* back = router_lookup(r, src);
  if (back == nullptr) {
    ++r.stats.no_route;
    return;
  }
  const Interface& out = ifaces_[back->iface.value];
  FrameRef reply = build_echo(out, dst, src, true, icmp->identifier(), icmp->sequence(), icmp->payload, kRouterTtl);
  router_send(r, back->iface, back->next_hop.is_zero() ? src : back->next_hop, std::move(reply));
}

void Network::router_forward(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p) {
  const Ipv4Address dst = p.ipv4->dst;
  if (p.ipv4->ttl <= 1) {
    // RFC 1812 §5.3.1: a packet whose TTL would reach 0 is dropped, and an ICMP time
    // exceeded goes back to the source (with the offending header and 8 bytes of data).
    ++r.stats.ttl_expired;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), ifaces_[in.value].segment, in, frame.id(), DropReason::kTtlExpired});
    const Route* back = router_lookup(r, p.ipv4->src);
    if (back == nullptr) return;
    wire::IcmpMessage te;
    te.type = wire::kIcmpTimeExceeded;
    te.code = 0;
    auto original = frame.bytes().subspan(wire::kEthernetHeaderSize);
    std::size_t quote = std::min<std::size_t>(original.size(), p.ipv4->header_length + 8u);
    te.payload.assign(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(quote));
    const Interface& out = ifaces_[back->iface.value];
    wire::DecodedFrame f;
    f.eth = wire::EthernetHeader{MacAddress(), out.mac, wire::kEtherTypeIpv4};
    wire::Ipv4Packet ipp;
    ipp.ip.ttl = kRouterTtl;
    ipp.ip.protocol = wire::kIpProtoIcmp;
    ipp.ip.src = out.address;
    ipp.ip.dst = p.ipv4->src;
    ipp.ip.total_length = static_cast<uint16_t>(wire::kIpv4MinHeaderSize + te.encoded_size());
    ipp.payload = std::move(te);
    f.payload = std::move(ipp);
    FrameRef fr = new_frame(wire::encoded_frame_size(f));
    fr.set_size(wire::encode_frame(f, fr.capacity_bytes()));
    router_send(r, back->iface, back->next_hop.is_zero() ? p.ipv4->src : back->next_hop, std::move(fr));
    return;
  }
  const Route* route = router_lookup(r, dst);
  if (route == nullptr) {
    ++r.stats.no_route;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), ifaces_[in.value].segment, in, frame.id(), DropReason::kNoRoute});
    return;
  }
  // Copy the frame (the original is shared with other receivers), decrement TTL and patch
  // the header checksum (RFC 1624 incremental update: TTL is the high byte of a word).
  FrameRef out = new_frame(frame.size());
  auto src = frame.bytes();
  auto dstb = out.capacity_bytes();
  std::copy(src.begin(), src.end(), dstb.begin());
  out.set_size(src.size());
  std::byte* iph = out.mutable_bytes().data() + wire::kEthernetHeaderSize;
  iph[8] = std::byte(uint8_t(iph[8]) - 1);
  uint32_t sum = uint32_t(~wire::load_be16(iph + 10) & 0xffff) + 0xfeffu;  // ~HC + ~m + m' (m' = m - 0x0100)
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  wire::store_be16(iph + 10, static_cast<uint16_t>(~sum & 0xffff));
  ++r.stats.forwarded;
  router_send(r, route->iface, route->next_hop.is_zero() ? dst : route->next_hop, std::move(out));
}

}  // namespace dhcpsim::net
