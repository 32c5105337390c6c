// DHCP servers on nodes (a router interface or a host) with the capacity of a real one
// (a per-message service time and a bounded receive queue), ping checks before offers,
// and the routers' relay agents. Also the node life-cycle actions of the timeline.

#include <algorithm>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/icmp.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::net {

namespace {
constexpr uint16_t kPingCheckIdent = 0x5043;  // "PC": a server's ping check
}

const DhcpService* Network::service_of(NodeId node) const {
  uint32_t svc = node_kinds_[node.value] == NodeKind::kHost ? host(node).service : router(node).service;
  return svc == Host::kNoService ? nullptr : &services_[svc];
}

uint32_t Network::add_service(NodeId node, std::shared_ptr<const DhcpServiceConfig> config,
                              const std::vector<IfaceId>& node_ifaces) {
  const uint32_t index = static_cast<uint32_t>(services_.size());
  DhcpService& s = services_.emplace_back();
  s.node = node;
  s.config = config;
  s.rng = sim_.stream("dhcp-service", node.value);
  s.engine = std::make_unique<proto::DhcpServer>(config->server, sim_.stream("dhcp-server", node.value));
  s.ifaces = node_ifaces;
  // A server that is not running has no socket: broadcasts are not delivered to it, as
  // after server_stop.
  if (config->running_at_start) service_listen(index);
  else s.engine->stop(true);
  return index;
}

void Network::service_listen(uint32_t svc) {
  const DhcpService& s = services_[svc];
  const auto& listen = s.config->listen;
  for (uint32_t k = 0; k < s.ifaces.size(); ++k)
    if (listen.empty() || std::find(listen.begin(), listen.end(), k) != listen.end())
      set_bootp_listener(s.ifaces[k], true);
}

void Network::service_enqueue(uint32_t svc, const FrameRef& frame, IfaceId in) {
  DhcpService& s = services_[svc];
  if (!s.engine->running()) {
    // A stopped server has no socket open on port 67: its host's kernel discards what is
    // still sent to it by unicast (renewals). Broadcasts are not delivered to it at all.
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), ifaces_[in.value].segment, in, frame.id(), DropReason::kNoListener});
    return;
  }
  ++s.stats.received;
  const DhcpServiceConfig& c = *s.config;
  if (c.service_time.is_zero() && c.queue_capacity == 0 && s.queue.empty() && !s.busy) {
    service_process(svc, frame, in);  // an infinitely fast server: no queue
    return;
  }
  // A real server's socket buffer: packets beyond it are dropped by the kernel, and the
  // clients retransmit.
  const std::size_t in_system = s.queue.size() + (s.busy ? 1 : 0);
  if (c.queue_capacity > 0 && in_system >= c.queue_capacity) {
    ++s.stats.queue_drops;
    if (tracer_.wants(RecordKind::kServerDrop))
      tracer_.emit(ServerDrop{now(), s.node, static_cast<uint32_t>(s.queue.size())});
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), ifaces_[in.value].segment, in, frame.id(), DropReason::kServerQueueFull});
    return;
  }
  s.queue.push_back({frame, in});
  s.stats.queue_peak = std::max<uint32_t>(s.stats.queue_peak, static_cast<uint32_t>(s.queue.size()));
  if (!s.busy) service_start_next(svc);
}

void Network::service_start_next(uint32_t svc) {
  DhcpService& s = services_[svc];
  if (s.queue.empty()) {
    s.busy = false;
    s.busy_until = core::Time::max();
    return;
  }
  const ServiceTime& st = s.config->service_time;
  core::Duration d = st.a;
  if (st.kind == ServiceTime::Kind::kExponential) d = s.rng.exponential_duration(st.a);
  else if (st.kind == ServiceTime::Kind::kUniform) d = s.rng.uniform_duration(st.a, st.b);
  s.busy = true;
  s.busy_until = now() + d;
  service_rearm(svc);
}

void Network::service_process(uint32_t svc, const FrameRef& frame, IfaceId in) {
  DhcpService& s = services_[svc];
  auto p = wire::peek_frame(frame.bytes());
  if (!p) return;
  auto payload = wire::udp_payload(frame.bytes(), *p);
  if (!payload) return;
  wire::DhcpMessage m;
  if (!wire::DhcpMessage::parse_into(m, *payload, wire::udp_payload_offset(*p))) return;
  const Ipv4Address src = p->ipv4->src;
  const Ipv4Address dst = p->ipv4->dst;
  const Interface& i = ifaces_[in.value];
  emit_dhcp(s.node, in, DhcpRole::kServer, false, src, dst, m);
  proto::RxContext rx;
  rx.iface_addr = i.address;
  rx.iface_subnet = wire::Ipv4Prefix(i.address, i.prefix_len);
  rx.src_ip = src;
  rx.broadcast = dst.is_broadcast() || dst == rx.iface_subnet.broadcast();
  rx.iface_index = in.value;
  auto actions_loan = server_scratch_.take();
  auto& actions = *actions_loan;
  s.engine->on_message(now(), rx, m, actions);
  service_actions(svc, actions);
  service_rearm(svc);
}

bool Network::node_send_ip(NodeId node, Ipv4Address dst, FrameRef frame, IfaceId hint) {
  if (node_kinds_[node.value] == NodeKind::kHost) return host_send_ip(hosts_[node_index_[node.value]], dst, std::move(frame));
  Router& r = routers_[node_index_[node.value]];
  const Route* route = router_lookup(r, dst);
  if (route == nullptr) {
    ++r.stats.no_route;
    return false;
  }
  (void)hint;
  router_send(r, route->iface, route->next_hop.is_zero() ? dst : route->next_hop, std::move(frame));
  return true;
}

void Network::service_actions(uint32_t svc, std::vector<proto::DhcpServer::Action>& actions) {
  for (auto& action : actions) {
    DhcpService& s = services_[svc];
    if (auto* send = std::get_if<proto::DhcpServer::Send>(&action)) {
      const IfaceId out(send->iface_index);
      const Interface& i = ifaces_[out.value];
      std::byte buf[1500];
      const std::size_t n = send->message.encoded_size();
      DHCPSIM_ASSERT(n <= sizeof buf, "a DHCP reply larger than an Ethernet payload");
      send->message.encode({buf, n});
      emit_dhcp(s.node, out, DhcpRole::kServer, true, i.address, send->dst_ip, send->message);
      if (!send->via_arp) {
        // RFC 2131 §4.1: broadcast, or unicast to chaddr/yiaddr without ARP (the client
        // cannot answer ARP for an address it does not have yet).
        send_udp_raw(out, i.address, send->dst_mac, send->dst_ip, wire::kPortBootpServer, send->dst_port, {buf, n});
        continue;
      }
      // To a relay (giaddr) or a configured client (ciaddr): the ordinary IP path.
      FrameRef f = build_udp(i, i.address, send->dst_ip, wire::kPortBootpServer, send->dst_port, {buf, n}, 64);
      node_send_ip(s.node, send->dst_ip, std::move(f), out);
    } else if (auto* ping = std::get_if<proto::DhcpServer::PingCheck>(&action)) {
      // ISC dhcpd's ping-check: an echo to the candidate; an answer means it is in use.
      const uint16_t seq = s.next_ping_seq++;
      s.pings.push_back({ping->token, ping->address, now() + s.config->server.ping_check.wait});
      s.pings.back().token = ping->token;
      IfaceId out = s.ifaces.front();
      const Interface& i = ifaces_[out.value];
      std::byte payload[8];
      wire::store_be32(payload, uint32_t(ping->token >> 32));
      wire::store_be32(payload + 4, uint32_t(ping->token));
      FrameRef f = build_echo(i, i.address, ping->address, false, kPingCheckIdent, seq, payload, 64);
      node_send_ip(s.node, ping->address, std::move(f), out);
    } else if (auto* ev = std::get_if<proto::DhcpServer::LeaseEvent>(&action)) {
      ServerLeaseKind kind;
      switch (ev->kind) {
        case proto::LeaseEventKind::Offered: kind = ServerLeaseKind::kOffered; break;
        case proto::LeaseEventKind::Bound: kind = ServerLeaseKind::kBound; break;
        case proto::LeaseEventKind::Renewed: kind = ServerLeaseKind::kRenewed; break;
        case proto::LeaseEventKind::Released: kind = ServerLeaseKind::kReleased; break;
        case proto::LeaseEventKind::Expired: kind = ServerLeaseKind::kExpired; break;
        case proto::LeaseEventKind::Declined: kind = ServerLeaseKind::kDeclined; break;
        case proto::LeaseEventKind::Abandoned: kind = ServerLeaseKind::kAbandoned; break;
        case proto::LeaseEventKind::OfferWithdrawn: kind = ServerLeaseKind::kOfferExpired; break;
        case proto::LeaseEventKind::OfferExpired: kind = ServerLeaseKind::kOfferExpired; break;
        default: continue;
      }
      if (ev->kind == proto::LeaseEventKind::Abandoned && tracer_.wants(RecordKind::kConflictDetected))
        tracer_.emit(ConflictDetected{now(), s.node, ev->address, MacAddress(), Detector::kPingCheck});
      if (ev->kind == proto::LeaseEventKind::Declined && tracer_.wants(RecordKind::kConflictDetected))
        tracer_.emit(ConflictDetected{now(), s.node, ev->address, ev->mac, Detector::kDecline});
      if (tracer_.wants(RecordKind::kServerLease))
        tracer_.emit(ServerLease{now(), s.node, kind, ev->address, ev->mac, ev->subnet});
    }
  }
}

void Network::service_ping_answered(uint32_t svc, wire::ConstBytes payload) {
  if (payload.size() < 8) return;
  const uint64_t token = (uint64_t(wire::load_be32(payload.data())) << 32) | wire::load_be32(payload.data() + 4);
  auto& pings = services_[svc].pings;
  auto it = std::find_if(pings.begin(), pings.end(), [&](const auto& p) { return p.token == token; });
  if (it == pings.end()) return;  // answered after the wait: the offer already went out
  pings.erase(it);
  auto actions_loan = server_scratch_.take();
  auto& actions = *actions_loan;
  services_[svc].engine->on_ping_result(now(), token, true, actions);
  service_actions(svc, actions);
  service_rearm(svc);
}

void Network::service_rearm(uint32_t svc) {
  DhcpService& s = services_[svc];
  core::Time t = std::min(s.engine->next_deadline(), s.busy_until);
  for (const auto& p : s.pings) t = std::min(t, p.deadline);
  arm(s.wake, t, [this, svc] { service_timer(svc); });
}

void Network::service_timer(uint32_t svc) {
  services_[svc].wake = WakeTimer{};
  const core::Time t = now();
  if (services_[svc].busy && services_[svc].busy_until <= t) {
    DhcpService::Pending p = std::move(services_[svc].queue.front());
    services_[svc].queue.pop_front();
    service_process(svc, p.frame, p.in);
    services_[svc].busy = false;
    service_start_next(svc);
  }
  // Ping checks that got no answer in time: the address is free to offer.
  auto& pings = services_[svc].pings;
  for (std::size_t k = 0; k < pings.size();) {
    if (pings[k].deadline <= t) {
      uint64_t token = pings[k].token;
      pings.erase(pings.begin() + static_cast<std::ptrdiff_t>(k));
      auto actions_loan = server_scratch_.take();
      auto& actions = *actions_loan;
      services_[svc].engine->on_ping_result(t, token, false, actions);
      service_actions(svc, actions);
    } else {
      ++k;
    }
  }
  if (services_[svc].engine->next_deadline() <= t) {
    auto actions_loan = server_scratch_.take();
    auto& actions = *actions_loan;
    services_[svc].engine->on_timer(t, actions);
    service_actions(svc, actions);
  }
  service_rearm(svc);
}

// ---- UDP on hosts and routers -----------------------------------------------------------------

void Network::router_udp(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p) {
  if (!p.udp || p.udp->dst_port != wire::kPortBootpServer || !p.bootp) return;
  if (p.bootp->op == 1) {
    // A client's request: our own server takes it if it serves this interface, else the
    // relay agent forwards it (if this is one of its client interfaces).
    if (r.service != Host::kNoService && ifaces_[in.value].bootp_server) {
      service_enqueue(r.service, frame, in);
      return;
    }
    if (!r.relay) return;
  } else if (p.bootp->op != 2 || !r.relay) {
    return;
  }
  auto payload = wire::udp_payload(frame.bytes(), p);
  if (!payload) return;
  wire::DhcpMessage m;
  if (!wire::DhcpMessage::parse_into(m, *payload, wire::udp_payload_offset(p))) return;
  if (p.bootp->op == 1) relay_from_client(r, in, m);
  else relay_from_server(r, m);
}

void Network::relay_from_client(Router& r, IfaceId in, const wire::DhcpMessage& m) {
  const Interface& i = ifaces_[in.value];
  auto actions_loan = relay_scratch_.take();
  auto& actions = *actions_loan;
  r.relay->on_client_message(now(), m, in.value, i.address, actions);
  for (auto& a : actions) {
    if (auto* fwd = std::get_if<proto::RelayAgent::ForwardToServer>(&a)) {
      const Route* route = router_lookup(r, fwd->server);
      if (route == nullptr) {
        ++r.stats.no_route;
        continue;
      }
      const Interface& out = ifaces_[route->iface.value];
      std::byte buf[1500];
      const std::size_t n = fwd->message.encoded_size();
      fwd->message.encode({buf, n});
      if (tracer_.wants(RecordKind::kRelayEvent))
        tracer_.emit(RelayEvent{now(), r.id, true, fwd->message.giaddr, fwd->server, fwd->message.xid});
      emit_dhcp(r.id, route->iface, DhcpRole::kRelay, true, out.address, fwd->server, fwd->message);
      // RFC 1542 §4.1: relayed requests go server port to server port (67 -> 67).
      FrameRef f = build_udp(out, out.address, fwd->server, wire::kPortBootpServer, wire::kPortBootpServer, {buf, n}, 64);
      router_send(r, route->iface, route->next_hop.is_zero() ? fwd->server : route->next_hop, std::move(f));
    } else if (auto* d = std::get_if<proto::RelayAgent::Discarded>(&a)) {
      (void)d;
    }
  }
}

void Network::relay_from_server(Router& r, const wire::DhcpMessage& m) {
  auto actions_loan = relay_scratch_.take();
  auto& actions = *actions_loan;
  r.relay->on_server_message(now(), m, actions);
  for (auto& a : actions) {
    if (auto* del = std::get_if<proto::RelayAgent::DeliverToClient>(&a)) {
      const IfaceId out(del->iface);
      std::byte buf[1500];
      const std::size_t n = del->message.encoded_size();
      del->message.encode({buf, n});
      if (tracer_.wants(RecordKind::kRelayEvent))
        tracer_.emit(RelayEvent{now(), r.id, false, del->message.giaddr, del->dst_ip, del->message.xid});
      emit_dhcp(r.id, out, DhcpRole::kRelay, true, del->src_ip, del->dst_ip, del->message);
      send_udp_raw(out, del->src_ip, del->dst_mac, del->dst_ip, wire::kPortBootpServer, wire::kPortBootpClient, {buf, n});
    }
  }
}

// ---- life cycle ---------------------------------------------------------------------------------

void Network::server_stop(NodeId node, bool keep_leases) {
  uint32_t svc = node_kinds_[node.value] == NodeKind::kHost ? hosts_[node_index_[node.value]].service
                                                            : routers_[node_index_[node.value]].service;
  if (svc == Host::kNoService) return;
  DhcpService& s = services_[svc];
  s.engine->stop(keep_leases);
  s.queue.clear();
  s.busy = false;
  s.busy_until = core::Time::max();
  s.pings.clear();
  for (IfaceId i : s.ifaces) set_bootp_listener(i, false);
  if (tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), node, NodeEventKind::kServerStop});
}

void Network::server_start(NodeId node) {
  uint32_t svc = node_kinds_[node.value] == NodeKind::kHost ? hosts_[node_index_[node.value]].service
                                                            : routers_[node_index_[node.value]].service;
  if (svc == Host::kNoService) return;
  DhcpService& s = services_[svc];
  s.engine->start(now());
  service_listen(svc);
  if (tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), node, NodeEventKind::kServerStart});
  service_rearm(svc);
}

void Network::host_shutdown(Host& h, bool graceful) {
  auto actions_loan = client_scratch_.take();
  auto& actions = *actions_loan;
  if (h.dhcp) {
    if (graceful) h.dhcp->release(now(), h.rng, actions);
    else h.dhcp->stop(now(), actions);
    host_dhcp_actions(h, actions);
  }
  for (auto* acd : {h.acd.get(), h.ll_acd.get()}) {
    if (acd != nullptr && !acd->watched_address().is_zero()) set_acd_watch(h.iface, acd->watched_address(), false);
  }
  h.acd.reset();
  h.ll_acd.reset();
  h.link_local = Ipv4Address();
  host_unconfigure(h);
  flush_arp(h.iface);
  if (h.probes) {
    h.probes->pending.clear();
    h.probes->next_round = core::Time::max();
    h.probes->cursor = 0;
  }
  h.booted = false;
}

void Network::reboot_host(NodeId node, core::Duration downtime) {
  Host& h = hosts_[node_index_[node.value]];
  if (h.gone) return;
  if (tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), node, NodeEventKind::kReboot});
  host_shutdown(h, false);
  const uint32_t index = node_index_[node.value];
  sim_.schedule_in(downtime, [this, index] { host_boot(index); });
}

bool Network::host_leave(NodeId node, bool release, bool blocked) {
  Host& h = hosts_[node_index_[node.value]];
  if (h.gone) return false;
  if (blocked && tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), node, NodeEventKind::kBlocked});
  if (tracer_.wants(RecordKind::kNodeEvent)) tracer_.emit(NodeEvent{now(), node, NodeEventKind::kLeave});
  // RELEASE is sent when the caller asks (a timeline action, a churned client's coin),
  // the client's profile does it at shutdown (release_on_leave) and there is a lease.
  const bool send_release = release && h.dhcp && h.dhcp->config().release_on_shutdown &&
                            h.ip.source == AddressSource::kDhcp && !h.ip.address.is_zero();
  if (send_release) {
    // `dhclient -r` at shutdown: the unicast RELEASE may need ARP first, so the interface
    // goes a moment later, as a real shutdown takes a while.
    auto actions_loan = client_scratch_.take();
    auto& actions = *actions_loan;
    h.dhcp->release_now(now(), h.rng, actions);
    host_dhcp_actions(h, actions);
    const uint32_t index = node_index_[node.value];
    sim_.schedule_in(core::seconds(1), [this, index] { host_gone(hosts_[index]); });
    return true;
  }
  host_gone(h);
  return false;
}

void Network::host_gone(Host& h) {
  host_shutdown(h, false);
  h.gone = true;
  if (h.wake.event.valid()) sim_.cancel(h.wake.event);
  h.wake = WakeTimer{};
  detach(h.iface);
}

void Network::on_link_change(IfaceId iface, bool up) {
  const Interface& i = ifaces_[iface.value];
  if (i.kind != NodeKind::kHost) return;
  Host& h = hosts_[i.owner];
  // Only DHCP-configured hosts re-verify a lease (a static host's INFORM client does not).
  if (!up || !h.booted || !h.dhcp || h.static_ip) return;
  // Link back: a client verifies its lease (INIT-REBOOT), as systemd-networkd and dhcpcd
  // do on carrier up (RFC 2131 §3.2 case 2).
  auto actions_loan = client_scratch_.take();
  auto& actions = *actions_loan;
  if (h.ip.source == AddressSource::kDhcp && !h.ip.address.is_zero()) host_unconfigure(h);
  h.dhcp->reboot(now(), h.rng, actions);
  host_dhcp_actions(h, actions);
  host_rearm(h);
}

}  // namespace dhcpsim::net
