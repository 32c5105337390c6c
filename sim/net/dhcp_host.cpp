// A host's DHCP client: the engine's actions applied to the IP stack (LeaseAcquired
// configures the address, LeaseLost removes it), its messages sent the way a real client
// sends them (broadcasts through a raw socket from 0.0.0.0, renewals and releases through
// the normal UDP stack), RFC 5227 probing of an offered address and RFC 3927 link-local
// fallback.

#include <algorithm>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::net {

void Network::emit_dhcp(NodeId node, IfaceId iface, DhcpRole role, bool sent, Ipv4Address src, Ipv4Address dst,
                        const wire::DhcpMessage& m) {
  if (tracer_.wants(RecordKind::kDhcpMessage))
    tracer_.emit(DhcpMessageRecord{now(), node, iface, role, sent, src, dst, &m});
}

void Network::send_udp_raw(IfaceId iface, Ipv4Address src, MacAddress dst_mac, Ipv4Address dst, uint16_t sport,
                           uint16_t dport, wire::ConstBytes payload) {
  const Interface& i = ifaces_[iface.value];
  FrameRef f = new_frame(wire::udp_frame_size(payload.size()));
  wire::UdpFrameSpec spec;
  spec.src_mac = i.mac;
  spec.dst_mac = dst_mac;
  spec.src_ip = src;
  spec.dst_ip = dst;
  spec.src_port = sport;
  spec.dst_port = dport;
  spec.ttl = 64;
  spec.ip_id = ifaces_[iface.value].next_ip_id++;
  f.set_size(wire::encode_udp_frame(spec, payload, f.capacity_bytes()));
  transmit(iface, std::move(f));
}

void Network::send_dhcp_from_host(Host& h, const proto::Send& s) {
  std::byte buf[1500];
  const std::size_t n = s.msg.encoded_size();
  DHCPSIM_ASSERT(n <= sizeof buf, "a DHCP message larger than an Ethernet payload");
  s.msg.encode({buf, n});
  emit_dhcp(h.id, h.iface, DhcpRole::kClient, true, s.src_ip, s.dst_ip, s.msg);
  if (s.broadcast) {
    // Clients without an address (and rebinding ones) send through a raw socket, so the
    // frame goes out as an Ethernet broadcast whatever the IP configuration says.
    send_udp_raw(h.iface, s.src_ip, MacAddress::broadcast(), s.dst_ip, wire::kPortBootpClient,
                 wire::kPortBootpServer, {buf, n});
    return;
  }
  // Renewals and releases use the ordinary UDP stack: routed, ARP resolved.
  const Interface& i = ifaces_[h.iface.value];
  FrameRef f = build_udp(i, s.src_ip, s.dst_ip, wire::kPortBootpClient, wire::kPortBootpServer, {buf, n}, 64);
  host_send_ip(h, s.dst_ip, std::move(f));
}

void Network::host_dhcp_receive(Host& h, const wire::DhcpMessage& m, Ipv4Address src, Ipv4Address dst) {
  if (!h.dhcp) return;
  emit_dhcp(h.id, h.iface, DhcpRole::kClient, false, src, dst, m);
  auto actions_loan = client_scratch_.take();
  auto& actions = *actions_loan;
  h.dhcp->on_message(now(), m, h.rng, actions);
  host_dhcp_actions(h, actions);
}

void Network::host_dhcp_actions(Host& h, std::vector<proto::DhcpClientAction>& actions) {
  for (std::size_t k = 0; k < actions.size(); ++k) {
    auto& action = actions[k];
    if (auto* s = std::get_if<proto::Send>(&action)) {
      send_dhcp_from_host(h, *s);
    } else if (auto* a = std::get_if<proto::LeaseAcquired>(&action)) {
      const proto::Lease& l = a->lease;
      auto len = wire::Ipv4Prefix::length_of_mask(l.subnet_mask);
      // A lease replaces a link-local address (RFC 3927 §1.9: prefer the routable one).
      if (!h.link_local.is_zero()) h.link_local = Ipv4Address();
      host_configure(h, l.address, static_cast<uint8_t>(len.value_or(32)), l.router.value_or(Ipv4Address()),
                     l.dns.count > 0 ? l.dns.addresses[0] : Ipv4Address(), AddressSource::kDhcp);
      if (tracer_.wants(RecordKind::kLeaseChange))
        tracer_.emit(LeaseChange{now(), h.id, LeaseChangeKind::kAcquired, l.address, l.server_id, l.lease_time});
    } else if (auto* r = std::get_if<proto::LeaseRenewed>(&action)) {
      const proto::Lease& l = r->lease;
      auto len = wire::Ipv4Prefix::length_of_mask(l.subnet_mask);
      host_configure(h, l.address, static_cast<uint8_t>(len.value_or(32)), l.router.value_or(Ipv4Address()),
                     l.dns.count > 0 ? l.dns.addresses[0] : Ipv4Address(), AddressSource::kDhcp);
      if (tracer_.wants(RecordKind::kLeaseChange))
        tracer_.emit(LeaseChange{now(), h.id, LeaseChangeKind::kRenewed, l.address, l.server_id, l.lease_time});
    } else if (auto* lost = std::get_if<proto::LeaseLost>(&action)) {
      // Stop using the address at once (RFC 2131 §4.4.5).
      if (h.ip.address == lost->address && h.ip.source == AddressSource::kDhcp) host_unconfigure(h);
      if (tracer_.wants(RecordKind::kLeaseChange))
        tracer_.emit(LeaseChange{now(), h.id,
                                 lost->reason == proto::LeaseLostReason::Released ? LeaseChangeKind::kReleased
                                                                                  : LeaseChangeKind::kLost,
                                 lost->address, Ipv4Address(), core::Duration::zero()});
    } else if (auto* p = std::get_if<proto::ProbeAddress>(&action)) {
      // RFC 2131 §4.4.1 / RFC 5227 §2.1: probe the offered address before using it.
      auto acd_actions_loan = acd_scratch_.take();
      auto& acd_actions = *acd_actions_loan;
      h.acd = std::make_unique<proto::AcdEngine>(h.profile->dhcp_acd_params);
      h.acd->start(now(), p->address, ifaces_[h.iface.value].mac, h.rng, acd_actions);
      set_acd_watch(h.iface, p->address, true);
      host_acd_result(h, *h.acd, false, acd_actions);
    } else if (auto* ll = std::get_if<proto::ConfigureLinkLocal>(&action)) {
      auto acd_actions_loan = acd_scratch_.take();
      auto& acd_actions = *acd_actions_loan;
      h.ll_acd = std::make_unique<proto::AcdEngine>(h.profile->acd_params);
      h.ll_acd->start(now(), ll->address, ifaces_[h.iface.value].mac, h.rng, acd_actions);
      set_acd_watch(h.iface, ll->address, true);
      host_acd_result(h, *h.ll_acd, true, acd_actions);
    } else if (auto* rm = std::get_if<proto::RemoveLinkLocal>(&action)) {
      if (h.ll_acd) {
        set_acd_watch(h.iface, rm->address, false);
        h.ll_acd.reset();
      }
      if (h.link_local == rm->address) {
        h.link_local = Ipv4Address();
        if (h.ip.address == rm->address) host_unconfigure(h);
      }
    } else if (auto* o = std::get_if<proto::OptionsReceived>(&action)) {
      // INFORM answered: a static host takes the DNS server the network gives it.
      if (o->dns.count > 0 && !h.ip.address.is_zero()) h.ip.dns = o->dns.addresses[0];
    } else if (auto* st = std::get_if<proto::StateChanged>(&action)) {
      if (tracer_.wants(RecordKind::kDhcpClientState))
        tracer_.emit(DhcpClientState{now(), h.id, static_cast<uint8_t>(st->from), static_cast<uint8_t>(st->to)});
    } else if (std::get_if<proto::GaveUp>(&action)) {
      if (tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), h.id, NodeEventKind::kGaveUp});
    }
  }
}

void Network::host_acd_result(Host& h, proto::AcdEngine& engine, bool link_local,
                              std::vector<proto::AcdAction>& actions) {
  const Ipv4Address watched = engine.watched_address();
  for (std::size_t k = 0; k < actions.size(); ++k) {
    auto& action = actions[k];
    if (auto* s = std::get_if<proto::AcdEngine::SendArp>(&action)) {
      send_arp(h.iface, s->packet, MacAddress::broadcast());
      if (tracer_.wants(RecordKind::kAcdEvent))
        tracer_.emit(AcdEvent{now(), h.id, watched, s->packet.spa.is_zero() ? AcdPhase::kProbeSent : AcdPhase::kAnnounced});
    } else if (auto* c = std::get_if<proto::AcdEngine::Claimed>(&action)) {
      if (tracer_.wants(RecordKind::kAcdEvent)) tracer_.emit(AcdEvent{now(), h.id, c->addr, AcdPhase::kClaimed});
      auto out_loan = client_scratch_.take();
      auto& out = *out_loan;
      if (link_local) {
        // RFC 3927 §2.1: 169.254/16, no gateway (the link-local scope).
        h.link_local = c->addr;
        if (h.ip.address.is_zero() || h.ip.source == AddressSource::kLinkLocal)
          host_configure(h, c->addr, 16, Ipv4Address(), Ipv4Address(), AddressSource::kLinkLocal);
        h.dhcp->on_link_local_result(now(), false, h.rng, out);
      } else {
        set_acd_watch(h.iface, c->addr, false);  // probe only: the client binds and goes on
        h.dhcp->on_probe_result(now(), false, h.rng, out);
      }
      host_dhcp_actions(h, out);
    } else if (auto* k2 = std::get_if<proto::AcdEngine::Conflict>(&action)) {
      ++h.stats.acd_conflicts;
      if (tracer_.wants(RecordKind::kConflictDetected))
        tracer_.emit(ConflictDetected{now(), h.id, k2->addr, k2->other_mac,
                                      link_local ? Detector::kLinkLocalAcd : Detector::kAcd});
      if (tracer_.wants(RecordKind::kAcdEvent)) tracer_.emit(AcdEvent{now(), h.id, k2->addr, AcdPhase::kConflict});
      if (k2->phase == proto::AcdPhase::Probing) {
        set_acd_watch(h.iface, k2->addr, false);
        engine.stop();
        auto out_loan = client_scratch_.take();
        auto& out = *out_loan;
        // The client declines the offer (or picks another link-local address).
        if (link_local) h.dhcp->on_link_local_result(now(), true, h.rng, out);
        else h.dhcp->on_probe_result(now(), true, h.rng, out);
        host_dhcp_actions(h, out);
      }
    } else if (auto* l = std::get_if<proto::AcdEngine::AddressLost>(&action)) {
      if (tracer_.wants(RecordKind::kAcdEvent)) tracer_.emit(AcdEvent{now(), h.id, l->addr, AcdPhase::kGaveUp});
      set_acd_watch(h.iface, l->addr, false);
      if (link_local && h.link_local == l->addr) {
        h.link_local = Ipv4Address();
        if (h.ip.address == l->addr) host_unconfigure(h);
        auto out_loan = client_scratch_.take();
        auto& out = *out_loan;
        h.dhcp->on_link_local_result(now(), true, h.rng, out);
        host_dhcp_actions(h, out);
      }
    }
  }
}

}  // namespace dhcpsim::net
