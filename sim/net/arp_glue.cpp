// The IP stacks' use of the sans-I/O neighbour cache: resolution with packets parked
// while waiting, the actions the cache asks for, its timer, and the per-segment ARP
// holder index that broadcast delivery relies on.

#include <algorithm>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"

namespace dhcpsim::net {

core::Rng& Network::rng_of(IfaceId ifc) {
  const Interface& i = ifaces_[ifc.value];
  if (i.kind == NodeKind::kHost) return hosts_[i.owner].rng;
  return routers_[i.owner].rng;
}

void Network::send_arp(IfaceId ifc, const wire::ArpPacket& arp, MacAddress dst) {
  const Interface& i = ifaces_[ifc.value];
  FrameRef f = new_frame(wire::arp_frame_size(true));
  wire::ArpFrameSpec spec{i.mac, dst, arp, true};
  f.set_size(wire::encode_arp_frame(spec, f.capacity_bytes()));
  transmit(ifc, std::move(f));
}

void Network::arping(NodeId node, Ipv4Address target) {
  const Host& h = hosts_[node_index_[node.value]];
  const Interface& i = ifaces_[h.iface.value];
  send_arp(h.iface, wire::ArpPacket::request(i.mac, i.address, target), MacAddress::broadcast());
}

void Network::send_via_arp(IfaceId ifc, Ipv4Address next_hop, FrameRef frame) {
  Interface& i = ifaces_[ifc.value];
  auto actions_loan = neighbour_scratch_.take();
  auto& actions = *actions_loan;
  // The cache takes a token for the packet in case it has to wait for resolution.
  const uint32_t token = park_packet(std::move(frame));
  auto r = i.arp.resolve(now(), next_hop, token, rng_of(ifc), actions);
  if (r.status != proto::NeighbourCache::ResolveStatus::Queued) {
    FrameRef f = unpark_packet(token);
    if (r.status == proto::NeighbourCache::ResolveStatus::Resolved) {
      wire::store_mac(f.mutable_bytes().data(), r.mac);
      transmit(ifc, std::move(f));
    } else {
      packet_unresolved(ifc, f, false);
    }
  }
  apply_neighbour_actions(ifc, actions);
  rearm_iface(ifc);
}

void Network::apply_neighbour_actions(IfaceId ifc, std::vector<proto::NeighbourAction>& actions) {
  // Handling an action may send (and so resolve) again, which appends to a new vector:
  // iterate by index over this one.
  for (std::size_t k = 0; k < actions.size(); ++k) {
    auto& action = actions[k];
    if (auto* req = std::get_if<proto::NeighbourCache::SendArpRequest>(&action)) {
      const Interface& i = ifaces_[ifc.value];
      send_arp(ifc, wire::ArpPacket::request(i.mac, i.address, req->target), req->dst_mac);
    } else if (auto* q = std::get_if<proto::NeighbourCache::SendQueued>(&action)) {
      for (uint32_t token : q->tokens) {
        FrameRef f = unpark_packet(token);
        wire::store_mac(f.mutable_bytes().data(), q->mac);
        transmit(ifc, std::move(f));
      }
    } else if (auto* d = std::get_if<proto::NeighbourCache::DropQueued>(&action)) {
      for (uint32_t token : d->tokens) {
        FrameRef f = unpark_packet(token);
        packet_unresolved(ifc, f, d->reason == proto::NeighbourCache::DropReason::ResolutionFailed);
      }
    } else if (auto* c = std::get_if<proto::NeighbourCache::EntryChanged>(&action)) {
      const bool old_present = c->old_state != proto::NudState::None;
      const bool new_present = c->new_state != proto::NudState::None;
      auto index_mac = [](proto::NudState s, MacAddress m) {
        return proto::is_valid(s) ? m : MacAddress();
      };
      const MacAddress old_indexed = index_mac(c->old_state, c->old_mac);
      const MacAddress new_indexed = index_mac(c->new_state, c->new_mac);
      // The index holds (present, resolved MAC): most transitions (STALE, DELAY, PROBE,
      // REACHABLE with the same MAC) leave it as it is.
      if (old_present != new_present || old_indexed != new_indexed)
        arp_index_update(ifc, c->ip, old_indexed, old_present, new_indexed, new_present);
      const bool flip = c->flip();
      const Interface& i = ifaces_[ifc.value];
      if (flip && i.kind == NodeKind::kHost)
        ++hosts_[i.owner].stats.arp_flips;
      if (flip && i.kind == NodeKind::kRouter)
        ++routers_[i.owner].stats.arp_flips;
      if (tracer_.wants(RecordKind::kArpCacheChange))
        tracer_.emit(ArpCacheChange{now(), i.node, ifc, c->ip, c->old_mac, c->new_mac,
                                    static_cast<uint8_t>(c->old_state),
                                    static_cast<uint8_t>(c->new_state), flip});
    }
  }
}

void Network::packet_unresolved(IfaceId ifc, const FrameRef& f, bool failed) {
  const Interface& i = ifaces_[ifc.value];
  const bool is_host = i.kind == NodeKind::kHost;
  if (is_host) {
    Host& h = hosts_[i.owner];
    if (failed) ++h.stats.arp_failures;
    else ++h.stats.arp_queue_drops;
  } else {
    ++routers_[i.owner].stats.arp_failures;
  }
  if (tracer_.wants(RecordKind::kFrameDropped))
    tracer_.emit(FrameDropped{now(), i.segment, ifc, f.id(),
                              failed ? DropReason::kArpFailed : DropReason::kArpQueueFull});
  // A probe that never left its host failed for want of ARP, not for want of a reply.
  probe_packet_dropped(f);
}

// A router interface's ARP timer. Touched just before it runs, it prefetches the
// interface's wake-up state and its cache (the timer's first misses).
struct Network::IfaceWake {
  Network* net;
  IfaceId ifc;
  void operator()() const { net->on_iface_timer(ifc); }
  void touch() const {
    const Interface& i = net->ifaces_[ifc.value];
    for (const void* p : {static_cast<const void*>(&i.wake), static_cast<const void*>(&i.arp)}) {
      __builtin_prefetch(p);
      __builtin_prefetch(static_cast<const std::byte*>(p) + 64);
    }
  }
};

void Network::rearm_iface(IfaceId ifc) {
  const Interface& i = ifaces_[ifc.value];
  if (i.kind == NodeKind::kHost) {
    Host& h = hosts_[i.owner];
    h.arp_deadline = i.arp.next_deadline();
    host_rearm(h);
    return;
  }
  arm(ifaces_[ifc.value].wake, i.arp.next_deadline(), IfaceWake{this, ifc});
}

void Network::on_iface_timer(IfaceId ifc) {
  Interface& i = ifaces_[ifc.value];
  i.wake = WakeTimer{};
  auto actions_loan = neighbour_scratch_.take();
  auto& actions = *actions_loan;
  i.arp.on_timer(now(), rng_of(ifc), actions);
  apply_neighbour_actions(ifc, actions);
  rearm_iface(ifc);
}

void Network::flush_arp(IfaceId ifc) {
  auto actions_loan = neighbour_scratch_.take();
  auto& actions = *actions_loan;
  ifaces_[ifc.value].arp.clear(actions);
  apply_neighbour_actions(ifc, actions);
  const Interface& i = ifaces_[ifc.value];
  if (i.kind == NodeKind::kHost) hosts_[i.owner].arp_deadline = core::Time::max();
}

bool Network::arp_would_change(const Interface& i, const wire::ArpPeek& a, bool unicast) const {
  if (unicast) return true;
  if (a.oper == wire::kArpRequest && !a.tpa.is_zero() && a.tpa == i.address) return true;
  if (a.spa.is_zero()) return false;
  const proto::NeighbourCache::Entry* e = i.arp.lookup(a.spa);
  return e != nullptr && (!proto::is_valid(e->state) || e->mac != a.sha);
}

void Network::handle_arp(IfaceId ifc, const FrameRef& frame, const wire::FramePeek& p) {
  Interface& i = ifaces_[ifc.value];
  auto arp = wire::ArpPacket::parse(frame.bytes().subspan(wire::kEthernetHeaderSize),
                                    wire::kEthernetHeaderSize);
  if (!arp) return;  // peek accepted the headers; a full parse failure is not ours to fix
  const bool unicast = p.dst == i.mac;
  const bool for_me = arp->oper == wire::kArpRequest && !i.address.is_zero() && arp->tpa == i.address;
  auto actions_loan = neighbour_scratch_.take();
  auto& actions = *actions_loan;
  // Linux arp_process: a probe (sender 0.0.0.0) creates no entry but is answered.
  i.arp.on_arp(now(), *arp, unicast, for_me && !arp->spa.is_zero(), rng_of(ifc), actions);
  apply_neighbour_actions(ifc, actions);
  if (for_me) {
    // RFC 826: answer with our MAC, to the asker (its sender address may be 0.0.0.0 for a
    // probe, RFC 5227 §2.1.1, which then learns the address is taken).
    send_arp(ifc, wire::ArpPacket::reply(i.mac, i.address, arp->sha, arp->spa), arp->sha);
  }
  rearm_iface(ifc);
}

}  // namespace dhcpsim::net
