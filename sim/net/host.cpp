// Hosts: the IP stack of one interface (on-link vs gateway, ARP, ICMP echo, UDP), static
// configuration as typed by a person (and what Linux or Windows make of it), RFC 5227
// conflict detection, reachability probes and a minimal DNS responder.

#include <algorithm>
#include <cstring>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/wire/dns.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/icmp.hpp"
#include "dhcpsim/wire/ipv4.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::net {

namespace {
constexpr uint16_t kProbeIdent = 0x4450;        // ICMP identifier of probe pings ("DP")
constexpr uint16_t kProbeDnsPort = 33533;       // source port of DNS probes
constexpr std::size_t kProbePayload = 32;       // like a small ping
constexpr uint32_t kProbeMagic = 0x64737072;    // "dspr": marks a probe payload

// Probe payload: magic, origin node, intended target node, kind, seq, send time. Echo
// replies copy it, so a reply identifies whose probe it answers wherever it lands.
void write_tag(std::byte* out, const ProbeTag& t) {
  std::memset(out, 0, kProbePayload);
  wire::store_be32(out, kProbeMagic);
  wire::store_be32(out + 4, t.origin);
  wire::store_be32(out + 8, t.target);
  out[12] = std::byte(t.kind);
  wire::store_be32(out + 13, t.seq);
  wire::store_be32(out + 17, uint32_t(uint64_t(t.sent_ns) >> 32));
  wire::store_be32(out + 21, uint32_t(uint64_t(t.sent_ns)));
}

std::optional<ProbeTag> read_tag(wire::ConstBytes b) {
  if (b.size() < 25 || wire::load_be32(b.data()) != kProbeMagic) return std::nullopt;
  ProbeTag t;
  t.origin = wire::load_be32(b.data() + 4);
  t.target = wire::load_be32(b.data() + 8);
  t.kind = uint8_t(b[12]);
  t.seq = wire::load_be32(b.data() + 13);
  t.sent_ns = int64_t((uint64_t(wire::load_be32(b.data() + 17)) << 32) | wire::load_be32(b.data() + 21));
  if (t.kind > 3) return std::nullopt;
  return t;
}

// DNS probe names carry the origin: "p<origin>-<seq>.probe.dhcpsim".
std::string dns_probe_name(uint32_t origin, uint32_t seq) {
  return "p" + std::to_string(origin) + "-" + std::to_string(seq) + ".probe.dhcpsim";
}
bool parse_dns_probe_name(const std::string& name, uint32_t& origin, uint32_t& seq) {
  if (name.size() < 4 || name[0] != 'p') return false;
  auto dash = name.find('-');
  auto dot = name.find('.');
  if (dash == std::string::npos || dot == std::string::npos || dash > dot) return false;
  try {
    origin = static_cast<uint32_t>(std::stoul(name.substr(1, dash - 1)));
    seq = static_cast<uint32_t>(std::stoul(name.substr(dash + 1, dot - dash - 1)));
  } catch (...) {
    return false;
  }
  return true;
}

uint8_t default_ttl(OsProfile os) { return os == OsProfile::kWindows ? 128 : 64; }
}  // namespace

// ---- building frames ----------------------------------------------------------------------

FrameRef Network::build_udp(const Interface& i, Ipv4Address src, Ipv4Address dst, uint16_t sport,
                            uint16_t dport, wire::ConstBytes payload, uint8_t ttl) {
  FrameRef f = new_frame(wire::udp_frame_size(payload.size()));
  wire::UdpFrameSpec spec;
  spec.src_mac = i.mac;
  spec.dst_mac = MacAddress();  // filled in when the next hop resolves
  spec.src_ip = src;
  spec.dst_ip = dst;
  spec.src_port = sport;
  spec.dst_port = dport;
  spec.ttl = ttl;
  spec.ip_id = const_cast<Interface&>(i).next_ip_id++;
  f.set_size(wire::encode_udp_frame(spec, payload, f.capacity_bytes()));
  return f;
}

FrameRef Network::build_echo(const Interface& i, Ipv4Address src, Ipv4Address dst, bool reply,
                             uint16_t ident, uint16_t seq, wire::ConstBytes data, uint8_t ttl) {
  FrameRef f = new_frame(wire::icmp_echo_frame_size(data.size()));
  wire::IcmpEchoFrameSpec spec;
  spec.src_mac = i.mac;
  spec.src_ip = src;
  spec.dst_ip = dst;
  spec.reply = reply;
  spec.identifier = ident;
  spec.sequence = seq;
  spec.ttl = ttl;
  spec.ip_id = const_cast<Interface&>(i).next_ip_id++;
  f.set_size(wire::encode_icmp_echo_frame(spec, data, f.capacity_bytes()));
  return f;
}

// ---- configuration --------------------------------------------------------------------------

void Network::host_boot(uint32_t index) {
  Host& h = hosts_[index];
  h.booted = true;
  if (tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), h.id, NodeEventKind::kBoot});
  if (h.static_ip) host_apply_static(h);
  if (h.dhcp) {
    auto actions_loan = client_scratch_.take();
    auto& actions = *actions_loan;
    if (h.static_ip) {
      // A statically addressed host that only wants options (DHCPINFORM, RFC 2131 §3.4).
      if (h.profile->inform && !h.ip.address.is_zero()) h.dhcp->inform(now(), h.ip.address, h.rng, actions);
    } else if (h.dhcp->remembered_lease() != nullptr) {
      h.dhcp->reboot(now(), h.rng, actions);  // INIT-REBOOT with the remembered lease
    } else {
      h.dhcp->start(now(), h.rng, actions);
    }
    host_dhcp_actions(h, actions);
  }
  if (h.probes) h.probes->next_round = now() + h.profile->probes.first;
  host_rearm(h);
}

void Network::host_apply_static(Host& h) {
  const StaticIpConfig& c = *h.static_ip;
  if (c.address.is_zero()) return;
  // A non-contiguous mask cannot be configured: Linux takes only a prefix length, and
  // Windows refuses it ("invalid subnet mask"). The host ends up without an address.
  auto len = wire::Ipv4Prefix::length_of_mask(c.mask);
  if (!len || *len == 0) {
    h.static_refused = true;
    return;
  }
  const wire::Ipv4Prefix subnet(c.address, *len);
  // Windows refuses the network and the broadcast address of the subnet as a host
  // address; Linux accepts both (and then behaves oddly, which is the point of a study).
  if (h.profile->os == OsProfile::kWindows && *len < 31 &&
      (c.address == subnet.network() || c.address == subnet.broadcast())) {
    h.static_refused = true;
    return;
  }
  if (h.profile->acd) {
    // RFC 5227 §2.1: probe before using the address; configure only once claimed.
    auto actions_loan = acd_scratch_.take();
    auto& actions = *actions_loan;
    h.acd = std::make_unique<proto::AcdEngine>(h.profile->acd_params);
    h.acd->start(now(), c.address, ifaces_[h.iface.value].mac, h.rng, actions);
    set_acd_watch(h.iface, c.address, true);
    host_acd_actions(h, actions);
    return;
  }
  host_configure(h, c.address, static_cast<uint8_t>(*len), c.gateway, c.dns, AddressSource::kStatic);
}

void Network::host_configure(Host& h, Ipv4Address address, uint8_t prefix_len, Ipv4Address gateway,
                             Ipv4Address dns, AddressSource source) {
  h.ip.address = address;
  h.ip.prefix_len = prefix_len;
  h.ip.gateway = gateway;
  h.ip.dns = dns;
  h.ip.source = source;
  const wire::Ipv4Prefix subnet(address, prefix_len);
  // Linux refuses a default route whose gateway is not on a connected subnet ("Nexthop
  // has invalid gateway"); Windows accepts it and treats the gateway as on-link.
  h.ip.gateway_usable = !gateway.is_zero() && gateway != address &&
                        (subnet.contains(gateway) || h.profile->os == OsProfile::kWindows);
  set_iface_address(h.iface, address, prefix_len, source);
}

void Network::host_unconfigure(Host& h) {
  h.ip = HostIpConfig{};
  set_iface_address(h.iface, Ipv4Address(), 0, AddressSource::kStatic);
}

void Network::host_acd_actions(Host& h, std::vector<proto::AcdAction>& actions) {
  for (auto& action : actions) {
    if (auto* s = std::get_if<proto::AcdEngine::SendArp>(&action)) {
      send_arp(h.iface, s->packet, MacAddress::broadcast());
      if (tracer_.wants(RecordKind::kAcdEvent))
        tracer_.emit(AcdEvent{now(), h.id, h.acd ? h.acd->watched_address() : Ipv4Address(),
                              s->packet.spa.is_zero() ? AcdPhase::kProbeSent : AcdPhase::kAnnounced});
    } else if (auto* c = std::get_if<proto::AcdEngine::Claimed>(&action)) {
      if (tracer_.wants(RecordKind::kAcdEvent)) tracer_.emit(AcdEvent{now(), h.id, c->addr, AcdPhase::kClaimed});
      const StaticIpConfig& sc = *h.static_ip;
      auto len = wire::Ipv4Prefix::length_of_mask(sc.mask);
      host_configure(h, c->addr, static_cast<uint8_t>(len.value_or(32)), sc.gateway, sc.dns,
                     AddressSource::kStatic);
    } else if (auto* k = std::get_if<proto::AcdEngine::Conflict>(&action)) {
      ++h.stats.acd_conflicts;
      if (tracer_.wants(RecordKind::kConflictDetected))
        tracer_.emit(ConflictDetected{now(), h.id, k->addr, k->other_mac, Detector::kAcd});
      if (tracer_.wants(RecordKind::kAcdEvent)) tracer_.emit(AcdEvent{now(), h.id, k->addr, AcdPhase::kConflict});
      if (k->phase == proto::AcdPhase::Probing) {
        // RFC 5227 §2.1.1: a conflict while probing means the address must not be used.
        // A static host has no other address to try: it is left without one (reported).
        set_acd_watch(h.iface, k->addr, false);
        h.acd->stop();
        h.static_refused = true;
      }
    } else if (auto* l = std::get_if<proto::AcdEngine::AddressLost>(&action)) {
      // §2.4 (a)/(b): give the address up. A static host is left without one: the typed
      // address is in use by someone else (reported; the person has to pick another).
      if (tracer_.wants(RecordKind::kAcdEvent)) tracer_.emit(AcdEvent{now(), h.id, l->addr, AcdPhase::kGaveUp});
      set_acd_watch(h.iface, l->addr, false);
      if (h.ip.address == l->addr) host_unconfigure(h);
      h.static_refused = true;
    }
  }
}

// ---- timers -----------------------------------------------------------------------------------

// A host's timer. Touched just before it runs, it prefetches the host from its wake-up
// state on (its deadlines and its DHCP client, whose state and timers span the host's
// last lines) and its interface: a timer's first misses.
struct Network::HostWake {
  Network* net;
  uint32_t index;
  IfaceId iface;
  void operator()() const { net->host_timer(index); }
  void touch() const {
    const Host* h = &net->hosts_[index];
    const std::byte* end = reinterpret_cast<const std::byte*>(h + 1);
    for (const std::byte* p = reinterpret_cast<const std::byte*>(&h->wake); p < end; p += 64)
      __builtin_prefetch(p);
    __builtin_prefetch(&net->ifaces_[iface.value]);
  }
};

void Network::host_rearm(Host& h) {
  if (h.gone) return;
  core::Time t = h.arp_deadline;
  if (h.acd) t = std::min(t, h.acd->next_deadline());
  if (h.ll_acd) t = std::min(t, h.ll_acd->next_deadline());
  if (h.dhcp) t = std::min(t, h.dhcp->next_deadline());
  if (h.probes) {
    t = std::min(t, h.probes->next_round);
    for (const auto& p : h.probes->pending) t = std::min(t, p.deadline);
  }
  arm(h.wake, t, HostWake{this, static_cast<uint32_t>(&h - hosts_.data()), h.iface});
}

void Network::host_timer(uint32_t index) {
  Host& h = hosts_[index];
  h.wake = WakeTimer{};
  const core::Time t = now();
  if (h.arp_deadline <= t) {
    Interface& i = ifaces_[h.iface.value];
    auto actions_loan = neighbour_scratch_.take();
    auto& actions = *actions_loan;
    i.arp.on_timer(t, h.rng, actions);
    apply_neighbour_actions(h.iface, actions);
    h.arp_deadline = i.arp.next_deadline();
  }
  if (h.acd && h.acd->next_deadline() <= t) {
    auto actions_loan = acd_scratch_.take();
    auto& actions = *actions_loan;
    h.acd->on_timer(t, h.rng, actions);
    if (h.static_ip) host_acd_actions(h, actions);
    else host_acd_result(h, *h.acd, false, actions);
  }
  if (h.ll_acd && h.ll_acd->next_deadline() <= t) {
    auto actions_loan = acd_scratch_.take();
    auto& actions = *actions_loan;
    h.ll_acd->on_timer(t, h.rng, actions);
    host_acd_result(h, *h.ll_acd, true, actions);
  }
  if (h.dhcp && h.dhcp->next_deadline() <= t) {
    auto actions_loan = client_scratch_.take();
    auto& actions = *actions_loan;
    h.dhcp->on_timer(t, h.rng, actions);
    host_dhcp_actions(h, actions);
  }
  if (h.probes) {
    host_probe_timeouts(h);
    if (h.probes->next_round <= t) host_probe_round(h);
  }
  host_rearm(h);
}

// ---- receiving ----------------------------------------------------------------------------------

bool Network::host_wants(const Host& h, const Interface& i, const wire::FramePeek& p) const {
  if (!h.booted) return false;
  if (p.arp) {
    if (arp_would_change(i, *p.arp, p.dst == i.mac)) return true;
    for (const auto* acd : {h.acd.get(), h.ll_acd.get()}) {
      if (acd == nullptr) continue;
      Ipv4Address w = acd->watched_address();
      if (!w.is_zero() && (p.arp->spa == w || (p.arp->spa.is_zero() && p.arp->tpa == w))) return true;
    }
    return false;
  }
  if (p.dst == i.mac) return true;  // every unicast frame for our MAC goes up the stack
  // Broadcasts: only those some service of ours listens for.
  if (p.udp && p.udp->dst_port == wire::kPortBootpServer) return i.bootp_server;
  if (p.udp && p.udp->dst_port == wire::kPortBootpClient && p.bootp && h.dhcp) {
    // A broadcast DHCP reply: only the client whose xid and chaddr it carries can use it.
    std::array<uint8_t, 16> chaddr{};
    for (int k = 0; k < 6; ++k) chaddr[k] = p.bootp->chaddr.bytes()[k];
    return p.bootp->chaddr == i.mac && h.dhcp->wants(p.bootp->xid, chaddr);
  }
  return false;
}

void Network::host_receive(Host& h, const FrameRef& frame, const wire::FramePeek& p) {
  Interface& i = ifaces_[h.iface.value];
  if (p.arp) {
    handle_arp(h.iface, frame, p);
    if (h.acd || h.ll_acd) {
      auto arp = wire::ArpPacket::parse(frame.bytes().subspan(wire::kEthernetHeaderSize), 0);
      if (arp && h.acd) {
        auto actions_loan = acd_scratch_.take();
        auto& actions = *actions_loan;
        h.acd->on_arp(now(), *arp, actions);
        if (h.static_ip) host_acd_actions(h, actions);
        else host_acd_result(h, *h.acd, false, actions);
      }
      if (arp && h.ll_acd) {
        auto actions_loan = acd_scratch_.take();
        auto& actions = *actions_loan;
        h.ll_acd->on_arp(now(), *arp, actions);
        host_acd_result(h, *h.ll_acd, true, actions);
      }
    }
    host_rearm(h);
    return;
  }
  if (!p.ipv4) return;
  // Only the protocol the frame carries is parsed, from the peeked headers (a real stack
  // leaves checksums to the NIC; the model never corrupts a frame).
  const Ipv4Address src = p.ipv4->src;
  const Ipv4Address dst = p.ipv4->dst;
  if (p.udp && p.udp->dst_port == wire::kPortBootpClient && h.dhcp) {
    // The DHCP client reads through a raw socket: an OFFER/ACK unicast to an address it
    // does not have yet (yiaddr) still reaches it (RFC 2131 §4.1).
    auto payload = wire::udp_payload(frame.bytes(), p);
    if (!payload) return;
    wire::DhcpMessage m;
    if (!wire::DhcpMessage::parse_into(m, *payload, wire::udp_payload_offset(p))) return;
    host_dhcp_receive(h, m, src, dst);
    host_rearm(h);
    return;
  }
  const bool to_me = !h.ip.address.is_zero() && dst == h.ip.address;
  const bool bcast = dst.is_broadcast() ||
                     (!h.ip.address.is_zero() && dst == wire::Ipv4Prefix(h.ip.address, h.ip.prefix_len).broadcast());
  if (!to_me && !bcast) {
    // An IP packet for an address this host does not hold (a stale or flipped ARP entry
    // elsewhere sent it here). Linux, not forwarding, drops it.
    ++h.stats.not_for_us;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), i.segment, h.iface, frame.id(), DropReason::kNotForUs});
    return;
  }
  if (p.ipv4->protocol == wire::kIpProtoIcmp) {
    auto payload = wire::ipv4_payload(frame.bytes(), p);
    if (!payload) return;
    auto icmp = wire::IcmpMessage::parse(*payload, wire::kEthernetHeaderSize + p.ipv4->header_length, false);
    if (!icmp) return;
    if (icmp->is_echo_request() && to_me && h.profile->answers_ping) {
      // Linux ignores echo requests sent to a broadcast address (icmp_echo_ignore_broadcasts).
      if (auto tag = read_tag(icmp->payload); tag && tag->target != NodeId().value && tag->target != h.id.value &&
                                              tag->origin < hosts_.size() + routers_.size()) {
        // The request was meant for another node: a duplicate address answers for it.
        if (node_kinds_[tag->origin] == NodeKind::kHost) {
          Host& origin = hosts_[node_index_[tag->origin]];
          if (origin.probes) origin.probes->counters[tag->kind].wrong_responder++;
        }
      }
      FrameRef reply = build_echo(i, h.ip.address, src, true, icmp->identifier(), icmp->sequence(),
                                  icmp->payload, default_ttl(h.profile->os));
      host_send_ip(h, src, std::move(reply));
    } else if (icmp->is_echo_reply() && icmp->identifier() == 0x5043 && h.service != Host::kNoService) {
      service_ping_answered(h.service, icmp->payload);
    } else if (icmp->is_echo_reply() && icmp->identifier() == kProbeIdent) {
      if (auto tag = read_tag(icmp->payload)) {
        host_probe_answer(h, *tag);
      }
    }
    host_rearm(h);
    return;
  }
  if (!p.udp) return;
  const uint16_t sport = p.udp->src_port;
  const uint16_t dport = p.udp->dst_port;
  if (dport == wire::kPortBootpServer && h.service != Host::kNoService) {
    service_enqueue(h.service, frame, h.iface);
    return;
  }
  const bool dns_query = dport == wire::kPortDns && h.profile->dns_responder && to_me;
  const bool dns_reply = sport == wire::kPortDns && dport == kProbeDnsPort;
  if (!dns_query && !dns_reply) return;
  auto payload = wire::udp_payload(frame.bytes(), p);
  if (!payload) return;
  auto dns = wire::DnsMessage::parse(*payload, wire::udp_payload_offset(p));
  if (!dns || dns->questions.size() != 1) return;
  if (dns_query && !dns->is_response()) {
    wire::DnsMessage answer = *dns;
    answer.flags = static_cast<uint16_t>(answer.flags | wire::kDnsFlagQr | 0x0400 /*AA*/ | 0x0080 /*RA*/);
    answer.answers.push_back(wire::DnsResourceRecord::a_record(dns->questions[0].name, h.profile->dns_answer, 60));
    std::vector<std::byte> bytes(answer.encoded_size());
    answer.encode(bytes);
    FrameRef reply = build_udp(i, h.ip.address, src, wire::kPortDns, sport, bytes, default_ttl(h.profile->os));
    host_send_ip(h, src, std::move(reply));
  } else if (dns_reply && dns->is_response()) {
    uint32_t origin = 0, seq = 0;
    if (parse_dns_probe_name(dns->questions[0].name.to_string(), origin, seq)) {
      ProbeTag tag{origin, NodeId().value, static_cast<uint8_t>(ProbeKind::kDns), seq, 0};
      host_probe_answer(h, tag);
    }
  }
  host_rearm(h);
}

// ---- sending ----------------------------------------------------------------------------------

bool Network::host_send_ip(Host& h, Ipv4Address dst, FrameRef frame) {
  Interface& i = ifaces_[h.iface.value];
  if (h.ip.address.is_zero()) return false;
  const wire::Ipv4Prefix subnet(h.ip.address, h.ip.prefix_len);
  if (dst.is_broadcast() || dst == subnet.broadcast()) {
    wire::store_mac(frame.mutable_bytes().data(), MacAddress::broadcast());
    transmit(h.iface, std::move(frame));
    return true;
  }
  Ipv4Address next_hop;
  const Ipv4Address* via = nullptr;
  for (const auto& [prefix, hop] : h.profile->routes) {
    if (prefix.contains(dst) && (subnet.contains(hop) || h.profile->os == OsProfile::kWindows)) {
      via = &hop;
      break;
    }
  }
  if (subnet.contains(dst)) {
    next_hop = dst;
  } else if (via != nullptr) {
    next_hop = *via;
  } else if (h.ip.gateway_usable) {
    next_hop = h.ip.gateway;
  } else {
    ++h.stats.no_route;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), i.segment, h.iface, frame.id(), DropReason::kNoRoute});
    return false;
  }
  send_via_arp(h.iface, next_hop, std::move(frame));
  return true;
}

// ---- reachability probes ---------------------------------------------------------------------

void Network::host_probe_round(Host& h) {
  // The probes of a round leave 10 ms apart, as separate programs would, rather than in
  // one instant (which would overflow a 3-packet ARP queue for the gateway at once).
  const ProbeConfig& pc = h.profile->probes;
  ProbeState& ps = *h.probes;
  if (ps.cursor == 0) ps.round_start = now();
  uint32_t k = ps.cursor;
  const uint32_t n_peers = static_cast<uint32_t>(pc.peers.size());
  const uint32_t n_outside = static_cast<uint32_t>(pc.outside.size());
  const uint32_t total = (pc.gateway ? 1u : 0u) + n_peers + n_outside + (pc.dns ? 1u : 0u);
  if (pc.gateway && k == 0) {
    host_probe_send(h, ProbeKind::kGateway, ProbeTarget{});
  } else {
    k -= pc.gateway ? 1u : 0u;
    if (k < n_peers) host_probe_send(h, ProbeKind::kPeer, pc.peers[k]);
    else if (k - n_peers < n_outside) host_probe_send(h, ProbeKind::kOutside, pc.outside[k - n_peers]);
    else host_probe_send(h, ProbeKind::kDns, ProbeTarget{});
  }
  if (++ps.cursor < total) {
    ps.next_round = now() + core::milliseconds(10);
    return;
  }
  ps.cursor = 0;
  core::Duration jitter = pc.jitter > core::Duration::zero()
                              ? h.rng.uniform_duration(core::Duration::zero(), pc.jitter - core::nanoseconds(1))
                              : core::Duration::zero();
  ps.next_round = ps.round_start + pc.interval + jitter;
}

void Network::host_probe_record(Host& h, ProbeKind kind, Ipv4Address target, uint32_t seq,
                                ProbeOutcome outcome, core::Duration rtt) {
  ProbeCounters& c = h.probes->counters[static_cast<int>(kind)];
  switch (outcome) {
    case ProbeOutcome::kOk: ++c.ok; c.rtt_ns_sum += rtt.ns(); break;
    case ProbeOutcome::kTimeout: ++c.timeout; break;
    case ProbeOutcome::kNoRoute: ++c.no_route; break;
    case ProbeOutcome::kArpFailed: ++c.arp_failed; break;
    case ProbeOutcome::kNoAddress: ++c.no_address; break;
    case ProbeOutcome::kNoTarget: ++c.no_target; break;
  }
  if (tracer_.wants(RecordKind::kProbeResult))
    tracer_.emit(ProbeResult{now(), h.id, kind, target, seq, outcome, rtt});
}

void Network::host_probe_send(Host& h, ProbeKind kind, const ProbeTarget& t) {
  ProbeState& ps = *h.probes;
  ProbeCounters& c = ps.counters[static_cast<int>(kind)];
  ++c.sent;
  const uint32_t seq = ps.next_seq++;
  Ipv4Address target = t.address;
  NodeId target_node = t.node;
  if (kind == ProbeKind::kGateway) target = h.ip.gateway;
  if (kind == ProbeKind::kDns) target = h.ip.dns;
  if (target_node.valid()) target = node_address(target_node);
  if (h.ip.address.is_zero()) {
    host_probe_record(h, kind, target, seq, ProbeOutcome::kNoAddress, core::Duration::zero());
    return;
  }
  if (target.is_zero()) {
    host_probe_record(h, kind, target, seq, ProbeOutcome::kNoTarget, core::Duration::zero());
    return;
  }
  const Interface& i = ifaces_[h.iface.value];
  FrameRef f;
  if (kind == ProbeKind::kDns) {
    auto name = wire::DnsName::from_string(dns_probe_name(h.id.value, seq));
    wire::DnsMessage q = wire::DnsMessage::query(static_cast<uint16_t>(seq), *name);
    std::vector<std::byte> bytes(q.encoded_size());
    q.encode(bytes);
    f = build_udp(i, h.ip.address, target, kProbeDnsPort, wire::kPortDns, bytes, default_ttl(h.profile->os));
  } else {
    std::byte payload[kProbePayload];
    write_tag(payload, ProbeTag{h.id.value, target_node.value, static_cast<uint8_t>(kind), seq, now().ns()});
    f = build_echo(i, h.ip.address, target, false, kProbeIdent, static_cast<uint16_t>(seq), payload,
                   default_ttl(h.profile->os));
  }
  ps.pending.push_back({kind, seq, target, now(), now() + h.profile->probes.timeout});
  if (!host_send_ip(h, target, std::move(f))) {
    ps.pending.pop_back();
    host_probe_record(h, kind, target, seq, ProbeOutcome::kNoRoute, core::Duration::zero());
  }
}

void Network::host_probe_answer(Host& receiver, const ProbeTag& tag) {
  if (tag.origin >= node_kinds_.size() || node_kinds_[tag.origin] != NodeKind::kHost) return;
  Host& origin = hosts_[node_index_[tag.origin]];
  if (!origin.probes) return;
  if (origin.id != receiver.id) {
    // A reply for someone else's probe: a duplicate address or a stale ARP entry elsewhere
    // sent it to the wrong host.
    ++receiver.stats.stray_replies;
    ++origin.probes->counters[tag.kind].replies_elsewhere;
    return;
  }
  auto& pending = origin.probes->pending;
  auto it = std::find_if(pending.begin(), pending.end(), [&](const ProbeState::Pending& p) {
    return p.seq == tag.seq && static_cast<uint8_t>(p.kind) == tag.kind;
  });
  if (it == pending.end()) return;  // late (already timed out) or duplicated
  ProbeState::Pending done = *it;
  pending.erase(it);
  host_probe_record(origin, done.kind, done.target, done.seq, ProbeOutcome::kOk, now() - done.sent_at);
}

void Network::host_probe_timeouts(Host& h) {
  auto& pending = h.probes->pending;
  const core::Time t = now();
  for (std::size_t k = 0; k < pending.size();) {
    if (pending[k].deadline <= t) {
      ProbeState::Pending p = pending[k];
      pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(k));
      host_probe_record(h, p.kind, p.target, p.seq, ProbeOutcome::kTimeout, core::Duration::zero());
    } else {
      ++k;
    }
  }
}

void Network::probe_packet_dropped(const FrameRef& f) {
  // Is the dropped packet one of our probes? Its payload says whose and which.
  auto decoded = wire::parse_frame(f.bytes(), wire::FrameParseOptions{false});
  if (!decoded) return;
  uint32_t origin = 0, seq = 0;
  uint8_t kind = 0;
  if (const wire::IcmpMessage* icmp = decoded->icmp()) {
    if (!icmp->is_echo_request() || icmp->identifier() != kProbeIdent) return;
    auto tag = read_tag(icmp->payload);
    if (!tag) return;
    origin = tag->origin;
    seq = tag->seq;
    kind = tag->kind;
  } else if (const wire::DnsMessage* dns = decoded->dns()) {
    if (dns->is_response() || dns->questions.size() != 1) return;
    if (!parse_dns_probe_name(dns->questions[0].name.to_string(), origin, seq)) return;
    kind = static_cast<uint8_t>(ProbeKind::kDns);
  } else {
    return;
  }
  if (origin >= node_kinds_.size() || node_kinds_[origin] != NodeKind::kHost) return;
  Host& h = hosts_[node_index_[origin]];
  if (!h.probes) return;
  auto& pending = h.probes->pending;
  auto it = std::find_if(pending.begin(), pending.end(), [&](const ProbeState::Pending& p) {
    return p.seq == seq && static_cast<uint8_t>(p.kind) == kind;
  });
  if (it == pending.end()) return;
  ProbeState::Pending p = *it;
  pending.erase(it);
  host_probe_record(h, p.kind, p.target, p.seq, ProbeOutcome::kArpFailed, core::Duration::zero());
}

}  // namespace dhcpsim::net
