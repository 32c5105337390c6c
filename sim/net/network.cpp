// Network construction, run-time changes, frame transmission and delivery (both modes),
// the per-segment indexes and the ground-truth conflict oracle.

#include "dhcpsim/net/network.hpp"

#include <algorithm>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/udp.hpp"

namespace dhcpsim::net {

namespace {
// Distinct salts so the loss and duplication draws of one (frame, receiver) differ.
constexpr uint64_t kLossSalt = 0x4c4f5353ULL;  // "LOSS"
constexpr uint64_t kDupSalt = 0x44555050ULL;   // "DUPP"

template <class List>
void erase_one(List& l, IfaceId id) {
  auto it = std::find(l.begin(), l.end(), id);
  if (it != l.end()) l.erase(it);
}
}  // namespace

Network::Network(core::Simulation& sim, NetworkOptions options) : sim_(sim), options_(options) {}
Network::~Network() {
  // Pending events capture this network (and frames from its pool): they must never run
  // once it is gone, and their frames must go back to the pool before the pool goes.
  sim_.queue().clear();
}

SegmentId Network::add_segment(SegmentConfig config) {
  SegmentId id(static_cast<uint32_t>(segments_.size()));
  topology_.add_segment(id, config.name);
  segments_.emplace_back(std::move(config));
  return id;
}

std::optional<NodeId> Network::find_node(const std::string& name) const {
  for (std::size_t i = 0; i < node_names_.size(); ++i)
    if (node_names_[i] == name) return NodeId(static_cast<uint32_t>(i));
  return std::nullopt;
}

std::optional<SegmentId> Network::find_segment(const std::string& name) const {
  for (std::size_t i = 0; i < segments_.size(); ++i)
    if (segments_[i].config.name == name) return SegmentId(static_cast<uint32_t>(i));
  return std::nullopt;
}

Ipv4Address Network::node_address(NodeId id) const {
  if (node_kinds_[id.value] == NodeKind::kHost) return ifaces_[host(id).iface.value].address;
  const Router& r = router(id);
  return r.ifaces.empty() ? Ipv4Address() : ifaces_[r.ifaces.front().value].address;
}

NodeId Network::add_host(HostConfig config) {
  DHCPSIM_ASSERT(config.profile != nullptr, "a host needs a profile");
  NodeId id(static_cast<uint32_t>(node_kinds_.size()));
  node_kinds_.push_back(NodeKind::kHost);
  node_index_.push_back(static_cast<uint32_t>(hosts_.size()));
  node_names_.push_back(config.name);
  topology_.add_node(id, VertexKind::kHost, config.name);

  IfaceId ifc(static_cast<uint32_t>(ifaces_.size()));
  Interface& i = ifaces_.emplace_back();
  i.node = id;
  i.kind = NodeKind::kHost;
  i.owner = static_cast<uint32_t>(hosts_.size());
  i.mac = config.mac;
  i.arp = proto::NeighbourCache(config.profile->arp_params);

  Host& h = hosts_.emplace_back();
  h.id = id;
  h.iface = ifc;
  h.profile = config.profile;
  h.static_ip = config.static_ip;
  h.rng = sim_.stream("host", id.value);
  if (config.profile->probes.any()) h.probes = std::make_unique<ProbeState>();
  if (config.profile->dhcp) h.dhcp.emplace(*config.profile->dhcp, config.mac);
  boot_times_.push_back(config.boot_time);
  const uint32_t host_index = static_cast<uint32_t>(hosts_.size() - 1);

  topology_.add_interface(id, ifc, config.segment, "eth0");
  if (config.segment.valid() && config.segment.value < segments_.size()) attach(ifc, config.segment);
  if (config.dhcp_server) hosts_[host_index].service = add_service(id, config.dhcp_server, {ifc});
  if (started_) {
    // Churn: a host that arrives while the network runs boots at its time.
    sim_.schedule_at(std::max(config.boot_time, now()), [this, host_index] { host_boot(host_index); });
  }
  return id;
}

NodeId Network::add_router(RouterConfig config) {
  DHCPSIM_ASSERT(!started_, "routers are added before the network starts");
  NodeId id(static_cast<uint32_t>(node_kinds_.size()));
  node_kinds_.push_back(NodeKind::kRouter);
  node_index_.push_back(static_cast<uint32_t>(routers_.size()));
  node_names_.push_back(config.name);
  topology_.add_node(id, VertexKind::kRouter, config.name);

  Router r;
  r.id = id;
  r.rng = sim_.stream("router", id.value);
  r.arp_params = std::make_unique<proto::NeighbourParams>(config.arp_params);
  for (const auto& ic : config.interfaces) {
    IfaceId ifc(static_cast<uint32_t>(ifaces_.size()));
    Interface& i = ifaces_.emplace_back();
    i.node = id;
    i.kind = NodeKind::kRouter;
    i.owner = static_cast<uint32_t>(routers_.size());
    i.mac = ic.mac;
    i.arp = proto::NeighbourCache(*r.arp_params);
    r.ifaces.push_back(ifc);
    wire::Ipv4Prefix subnet(ic.address, ic.prefix_len);
    topology_.add_interface(id, ifc, ic.segment, ic.name, &subnet);
    r.routes.push_back(Route{subnet, ifc, Ipv4Address()});
  }
  // Static routes leave through the interface whose connected subnet holds the next hop.
  const std::size_t connected = r.routes.size();
  for (const auto& [prefix, via] : config.static_routes) {
    for (std::size_t k = 0; k < connected; ++k) {
      if (r.routes[k].prefix.contains(via)) {
        r.routes.push_back(Route{prefix, r.routes[k].iface, via});
        break;
      }
    }
  }
  // Longest prefix first, so the first match is the most specific (stable: ties keep
  // the order: connected before static).
  std::stable_sort(r.routes.begin(), r.routes.end(),
                   [](const Route& a, const Route& b) { return a.prefix.length() > b.prefix.length(); });
  if (!config.default_route.is_zero()) {
    // The default route leaves through the interface whose subnet holds the next hop.
    for (const Route& c : r.routes) {
      if (c.prefix.contains(config.default_route)) {
        r.routes.push_back(Route{wire::Ipv4Prefix(Ipv4Address(), 0), c.iface, config.default_route});
        break;
      }
    }
  }
  routers_.push_back(std::move(r));
  Router& stored = routers_.back();
  for (std::size_t k = 0; k < config.interfaces.size(); ++k) {
    const auto& ic = config.interfaces[k];
    IfaceId ifc = stored.ifaces[k];
    if (ic.segment.valid() && ic.segment.value < segments_.size()) {
      attach(ifc, ic.segment);
      set_iface_address(ifc, ic.address, ic.prefix_len, AddressSource::kStatic);
    }
  }
  if (config.dhcp_server) stored.service = add_service(id, config.dhcp_server, stored.ifaces);
  if (config.relay) {
    proto::RelayAgentConfig rc;
    rc.servers = config.relay->servers;
    rc.max_hops = static_cast<uint8_t>(config.relay->max_hops);
    rc.trust_circuits_with_option82 = config.relay->trust_option82;
    // The router's name, cut to what a sub-option holds (RFC 3046 §2.0: 255 bytes).
    for (char c : config.name.substr(0, 255)) rc.remote_id.push_back(std::byte(c));
    stored.relay = std::make_unique<proto::RelayAgent>(rc);
    stored.relay_servers = config.relay->servers;
    for (uint32_t k : config.relay->client_interfaces) {
      if (k >= stored.ifaces.size()) continue;
      IfaceId ifc = stored.ifaces[k];
      stored.relay->add_interface(ifc.value, ifaces_[ifc.value].address);
      // A relay listens for client broadcasts on its client-facing interfaces, unless the
      // router's own server already answers there.
      if (!ifaces_[ifc.value].bootp_server) set_bootp_listener(ifc, true);
    }
  }
  return id;
}

void Network::reserve(std::size_t hosts, std::size_t interfaces) {
  hosts_.reserve(hosts);
  ifaces_.reserve(interfaces);
  node_kinds_.reserve(hosts + interfaces);
  node_index_.reserve(hosts + interfaces);
  node_names_.reserve(hosts + interfaces);
  boot_times_.reserve(hosts);
  // A million clients: 640 MB the kernel zeroes on first touch, which a helper thread
  // does while this one builds the hosts (bench/README.md). Small runs keep one thread.
  constexpr std::size_t kWarmAbove = std::size_t(64) << 20;
  const std::size_t host_bytes = hosts * sizeof(Host), iface_bytes = interfaces * sizeof(Interface);
  if (host_bytes + iface_bytes >= kWarmAbove)
    warmer_.start({{hosts_.data(), host_bytes}, {ifaces_.data(), iface_bytes}});
}

void Network::start() {
  DHCPSIM_ASSERT(!started_, "Network::start is called once");
  started_ = true;
  boot_order_.reserve(hosts_.size());
  for (uint32_t k = 0; k < hosts_.size(); ++k) boot_order_.push_back({std::max(boot_times_[k], now()), k});
  // Ties boot in host order, as one event per host in creation order would.
  std::stable_sort(boot_order_.begin(), boot_order_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  schedule_next_boot();
}

void Network::schedule_next_boot() {
  if (next_boot_ >= boot_order_.size()) {
    boot_order_.clear();
    boot_order_.shrink_to_fit();
    return;
  }
  sim_.schedule_at(boot_order_[next_boot_].first, [this] {
    // Every host due now boots in this event, in order.
    const core::Time t = now();
    while (next_boot_ < boot_order_.size() && boot_order_[next_boot_].first == t) host_boot(boot_order_[next_boot_++].second);
    schedule_next_boot();
  });
}

// ---- run-time changes ---------------------------------------------------------------

void Network::attach(IfaceId ifc, SegmentId seg) {
  Interface& i = ifaces_[ifc.value];
  DHCPSIM_ASSERT(!i.attached, "an interface is attached to one segment at a time");
  Segment& s = segments_[seg.value];
  i.segment = seg;
  i.attached = true;
  i.seg_pos = static_cast<uint32_t>(s.attached.size());
  s.attached.push_back(ifc);
  s.by_mac.insert(i.mac.to_u64(), ifc);
  if (i.up) {
    ++s.up_count;
    if (!i.address.is_zero()) owners_add(s, ifc, i.address);
  }
  if (i.bootp_server) s.bootp_server_listeners.push_back(ifc);
}

void Network::detach(IfaceId ifc) {
  Interface& i = ifaces_[ifc.value];
  if (!i.attached) return;
  Segment& s = segments_[i.segment.value];
  // Linux flushes a device's neighbour entries when its carrier goes (neigh_carrier_down).
  flush_arp(ifc);
  if (i.up) {
    --s.up_count;
    if (!i.address.is_zero()) owners_remove(s, ifc, i.address);
  }
  s.by_mac.erase(i.mac.to_u64(), ifc);
  erase_one(s.bootp_server_listeners, ifc);
  for (auto& [ip, list] : s.acd_watchers) erase_one(list, ifc);
  absl::erase_if(s.acd_watchers, [](const auto& kv) { return kv.second.empty(); });
  // Keep attach order dense: the last interface takes the freed position.
  IfaceId last = s.attached.back();
  s.attached[i.seg_pos] = last;
  ifaces_[last.value].seg_pos = i.seg_pos;
  s.attached.pop_back();
  i.attached = false;
  i.segment = SegmentId();
}

void Network::set_link(IfaceId ifc, bool up) {
  Interface& i = ifaces_[ifc.value];
  if (i.up == up) return;
  i.up = up;
  if (tracer_.wants(RecordKind::kNodeEvent))
    tracer_.emit(NodeEvent{now(), i.node, up ? NodeEventKind::kLinkUp : NodeEventKind::kLinkDown});
  if (!i.attached) return;
  Segment& s = segments_[i.segment.value];
  if (up) {
    ++s.up_count;
    if (!i.address.is_zero()) owners_add(s, ifc, i.address);
  } else {
    --s.up_count;
    if (!i.address.is_zero()) owners_remove(s, ifc, i.address);
    flush_arp(ifc);
  }
  on_link_change(ifc, up);
}

void Network::set_loss(SegmentId seg, double loss) { segments_[seg.value].config.loss = loss; }
void Network::set_duplication(SegmentId seg, double d) { segments_[seg.value].config.duplication = d; }

// ---- indexes --------------------------------------------------------------------------

void Network::set_iface_address(IfaceId ifc, Ipv4Address address, uint8_t prefix_len,
                                AddressSource source) {
  Interface& i = ifaces_[ifc.value];
  if (i.address == address && i.prefix_len == prefix_len) return;
  if (i.kind == NodeKind::kRouter) {
    Router& r = routers_[i.owner];
    if (!i.address.is_zero()) {
      r.local_addresses.erase(i.address.value());
      r.local_addresses.erase(wire::Ipv4Prefix(i.address, i.prefix_len).broadcast().value());
    }
    if (!address.is_zero()) {
      r.local_addresses.insert(address.value());
      if (prefix_len < 31) r.local_addresses.insert(wire::Ipv4Prefix(address, prefix_len).broadcast().value());
    }
  }
  const bool live = i.attached && i.up;
  if (!i.address.is_zero()) {
    if (live) owners_remove(segments_[i.segment.value], ifc, i.address);
    if (tracer_.wants(RecordKind::kAddressChange))
      tracer_.emit(AddressChange{now(), i.node, ifc, i.address, i.prefix_len, source, false});
  }
  i.address = address;
  i.prefix_len = prefix_len;
  if (!address.is_zero()) {
    if (live) owners_add(segments_[i.segment.value], ifc, address);
    if (tracer_.wants(RecordKind::kAddressChange))
      tracer_.emit(AddressChange{now(), i.node, ifc, address, prefix_len, source, true});
  }
}

void Network::set_bootp_listener(IfaceId ifc, bool listening) {
  Interface& i = ifaces_[ifc.value];
  if (i.bootp_server == listening) return;
  i.bootp_server = listening;
  if (!i.attached) return;
  Segment& s = segments_[i.segment.value];
  if (listening) s.bootp_server_listeners.push_back(ifc);
  else erase_one(s.bootp_server_listeners, ifc);
}

void Network::set_acd_watch(IfaceId ifc, Ipv4Address address, bool watching) {
  Interface& i = ifaces_[ifc.value];
  if (!i.attached || address.is_zero()) return;
  Segment& s = segments_[i.segment.value];
  auto& list = s.acd_watchers[address.value()];
  if (watching) {
    if (std::find(list.begin(), list.end(), ifc) == list.end()) list.push_back(ifc);
  } else {
    erase_one(list, ifc);
    if (list.empty()) s.acd_watchers.erase(address.value());
  }
}

void Network::arp_index_update(IfaceId ifc, Ipv4Address ip, MacAddress old_mac, bool old_present,
                               MacAddress new_mac, bool new_present) {
  Interface& i = ifaces_[ifc.value];
  if (!i.attached) return;
  Segment& s = segments_[i.segment.value];
  if (old_present) {
    const uint32_t k = s.arp_holders.find(ip.value());
    DHCPSIM_ASSERT(k != BlockIndex<uint32_t>::kNone, "ARP holder index lost an entry");
    ArpHolders& h = s.holders[k];
    const ArpHolders::Holder* pos = h.find(ifc);
    DHCPSIM_ASSERT(pos != nullptr, "ARP holder index lost an interface");
    if (new_present) {
      h.set_mac(pos, new_mac.to_u64());
      return;
    }
    h.remove(pos);
    if (h.empty()) {
      s.holders.release(k);
      s.arp_holders.erase(ip.value());
    }
    return;
  }
  (void)old_mac;
  if (!new_present) return;
  uint32_t k = s.arp_holders.find(ip.value());
  if (k == BlockIndex<uint32_t>::kNone) {
    k = s.holders.acquire();
    s.arp_holders.set(ip.value(), k);
  }
  s.holders[k].add(ifc, new_mac.to_u64());
}

// ---- conflict oracle ------------------------------------------------------------------

void Network::owners_add(Segment& s, IfaceId ifc, Ipv4Address ip) {
  DHCPSIM_ASSERT(ifc.value < Segment::kSharedOwners, "interface ids stay below 2^31");
  const uint32_t v = s.owners.find(ip.value());
  if (v == BlockIndex<uint32_t>::kNone) {
    s.owners.set(ip.value(), ifc.value);  // one owner: no record needed
    return;
  }
  const core::Time t = now();
  uint32_t k;
  if (v & Segment::kSharedOwners) {
    k = v & ~Segment::kSharedOwners;
  } else {
    k = s.shared_owners.acquire();
    s.shared_owners[k].ip = ip.value();
    s.shared_owners[k].ifaces = {IfaceId(v)};
    s.owners.set(ip.value(), Segment::kSharedOwners | k);
  }
  AddressOwners& o = s.shared_owners[k];
  if (o.ifaces.size() >= 2) s.conflicts.host_ns_in_conflict += (t - o.last_change).ns() * int64_t(o.ifaces.size());
  o.ifaces.push_back(ifc);
  o.last_change = t;
  if (o.ifaces.size() == 2) {
    o.conflict_since = t;
    ++s.conflicts.conflict_episodes;
    if (!s.ever_conflicted[ip.value()]) {
      s.ever_conflicted[ip.value()] = true;
      ++s.conflicts.addresses_conflicted;
    }
    if (tracer_.wants(RecordKind::kConflictStart))
      tracer_.emit(ConflictStart{t, SegmentId(static_cast<uint32_t>(&s - segments_.data())), ip, 2});
  }
}

void Network::owners_remove(Segment& s, IfaceId ifc, Ipv4Address ip) {
  const uint32_t v = s.owners.find(ip.value());
  DHCPSIM_ASSERT(v != BlockIndex<uint32_t>::kNone, "conflict oracle lost an address");
  if (!(v & Segment::kSharedOwners)) {
    DHCPSIM_ASSERT(v == ifc.value, "conflict oracle lost an interface");
    s.owners.erase(ip.value());
    return;
  }
  const uint32_t k = v & ~Segment::kSharedOwners;
  AddressOwners& o = s.shared_owners[k];
  const core::Time t = now();
  s.conflicts.host_ns_in_conflict += (t - o.last_change).ns() * int64_t(o.ifaces.size());
  erase_one(o.ifaces, ifc);
  o.last_change = t;
  if (o.ifaces.size() >= 2) return;
  if (tracer_.wants(RecordKind::kConflictEnd))
    tracer_.emit(ConflictEnd{t, SegmentId(static_cast<uint32_t>(&s - segments_.data())), ip, t - o.conflict_since});
  // One owner left: back to the plain index entry.
  s.owners.set(ip.value(), o.ifaces.front().value);
  s.shared_owners.release(k);
}

ConflictTotals Network::conflict_totals() const {
  ConflictTotals total;
  const core::Time t = now();
  for (const Segment& s : segments_) {
    total.addresses_conflicted += s.conflicts.addresses_conflicted;
    total.conflict_episodes += s.conflicts.conflict_episodes;
    total.host_ns_in_conflict += s.conflicts.host_ns_in_conflict;
    for (const AddressOwners& o : s.shared_owners.all())
      if (o.ifaces.size() >= 2) total.host_ns_in_conflict += (t - o.last_change).ns() * int64_t(o.ifaces.size());
  }
  return total;
}

std::vector<ConflictNow> Network::conflicts_now() const {
  std::vector<ConflictNow> out;
  for (std::size_t k = 0; k < segments_.size(); ++k)
    for (const AddressOwners& o : segments_[k].shared_owners.all())
      if (o.ifaces.size() >= 2)
        out.push_back({SegmentId(static_cast<uint32_t>(k)), Ipv4Address(o.ip),
                       static_cast<uint32_t>(o.ifaces.size()), o.conflict_since});
  std::sort(out.begin(), out.end(), [](const ConflictNow& a, const ConflictNow& b) {
    return a.segment != b.segment ? a.segment < b.segment : a.ip < b.ip;
  });
  return out;
}

// ---- transmission and delivery -----------------------------------------------------------

// A frame's arrival on its segment. Touched just before it runs, it prefetches the frame
// and, for a unicast frame, the receiving interface and its host (the MAC-index line was
// prefetched at transmit, so reading it seldom waits): the misses a delivery would
// otherwise take one after another.
struct Network::Delivery {
  Network* net;
  SegmentId seg;
  IfaceId from;
  FrameRef frame;
  uint64_t dst;  // unicast destination MAC; 0 for broadcasts
  void operator()() { net->deliver_indexed(seg, from, frame); }
  void touch() const {
    const std::byte* b = frame.address();
    for (int k = 0; k < 4; ++k) __builtin_prefetch(b + 64 * k);
    if (dst == 0) return;
    const IfaceId to = net->segments_[seg.value].by_mac.only(dst);
    if (!to.valid()) return;
    const Interface* i = &net->ifaces_[to.value];
    __builtin_prefetch(reinterpret_cast<const std::byte*>(i) + 64);
    if (i->kind != NodeKind::kHost) return;
    const Host* h = &net->hosts_[i->owner];
    __builtin_prefetch(h);
    __builtin_prefetch(&h->wake);
  }
};

void Network::transmit(IfaceId from, FrameRef frame) {
  Interface& i = ifaces_[from.value];
  if (!i.attached || !i.up) {
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), i.segment, from, frame.id(), DropReason::kLinkDown});
    if (i.attached) ++segments_[i.segment.value].stats.link_down_drops;
    return;
  }
  const SegmentId seg = i.segment;
  Segment& s = segments_[seg.value];
  const auto bytes = frame.bytes();
  ++s.stats.frames_sent;
  s.stats.bytes_sent += bytes.size();
  const bool bcast = bytes.size() >= 6 && (uint8_t(bytes[0]) & 1) != 0;
  if (bcast) ++s.stats.broadcasts_sent;
  if (tracer_.wants(RecordKind::kFrameSent))
    tracer_.emit(FrameSent{now(), seg, from, frame.id(), bytes});

  // The sender's NIC serialises its frames one after another at the segment's rate.
  core::Time start = std::max(now(), i.tx_free_at);
  core::Duration serialization = core::Duration::zero();
  if (s.config.bandwidth_bps > 0) {
    // Preamble, SFD and inter-frame gap (20 bytes) and the FCS (4) are on the wire too.
    const uint64_t wire_bits = (std::max<std::size_t>(bytes.size(), 60) + 24) * 8;
    serialization = core::nanoseconds(static_cast<int64_t>(
        (static_cast<unsigned __int128>(wire_bits) * 1'000'000'000u + s.config.bandwidth_bps - 1) /
        s.config.bandwidth_bps));
  }
  i.tx_free_at = start + serialization;
  const core::Time arrival = i.tx_free_at + s.config.latency;

  if (options_.delivery == DeliveryMode::kIndexed) {
    const uint64_t dst = bytes.size() >= 6 && !bcast ? wire::load_mac(bytes.data()).to_u64() : 0;
    // Start loading the receiver's MAC-index line now: the delivery's touch reads it.
    if (dst != 0) __builtin_prefetch(s.by_mac.home(dst));
    sim_.schedule_at(arrival, Delivery{this, seg, from, std::move(frame), dst});
    return;
  }
  // Reference mode: the receivers are those attached when the frame leaves, each in its
  // own event; a frame whose headers are malformed is counted once, as in indexed mode.
  if (!wire::peek_frame(bytes)) {
    ++s.stats.malformed;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), seg, from, frame.id(), DropReason::kMalformed});
    return;
  }
  for (IfaceId to : s.attached) {
    if (to == from || !ifaces_[to.value].up) continue;
    sim_.schedule_at(arrival, [this, seg, from, to, frame] { deliver_naive_one(seg, from, to, frame); });
  }
}

void Network::collect_candidates(const Segment& s, const wire::FramePeek& p, IfaceId from,
                                 CandidateList& out) const {
  out.clear();
  auto add_list = [&](const IfaceList& l) {
    for (IfaceId x : l) out.push_back(x);
  };
  auto add_key = [&](const auto& map, uint64_t key) {
    auto it = map.find(key);
    if (it != map.end()) add_list(it->second);
  };
  if (p.dst.is_multicast()) {
    if (p.arp) {
      const wire::ArpPeek& a = *p.arp;
      // The target answers a request for its address (and probes for it).
      if (a.oper == wire::kArpRequest && !a.tpa.is_zero()) add_list(s.owners_of(a.tpa));
      // Caches holding the sender's address under another MAC (or unresolved) may change;
      // those holding it under this very MAC would keep their state (Linux neigh_update).
      if (!a.spa.is_zero()) {
        const uint32_t k = s.arp_holders.find(a.spa.value());
        if (k != BlockIndex<uint32_t>::kNone) {
          const ArpHolders& h = s.holders[k];
          const uint64_t sha = a.sha.to_u64();
          if (!h.all_hold(sha))
            for (const auto& holder : h.list())
              if (holder.mac != sha) out.push_back(holder.iface);
        }
        add_key(s.acd_watchers, a.spa.value());
      } else {
        add_key(s.acd_watchers, a.tpa.value());  // a probe for a watched address
      }
    } else if (p.udp && p.ipv4) {
      if (p.udp->dst_port == wire::kPortBootpServer) add_list(s.bootp_server_listeners);
      if (p.udp->dst_port == wire::kPortBootpClient && p.bootp)
        add_list(s.by_mac.find(p.bootp->chaddr.to_u64()));
    }
  } else {
    add_list(s.by_mac.find(p.dst.to_u64()));
  }
  // Attach order, no duplicates, never the sender, only live links.
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](IfaceId x) { return x == from || !ifaces_[x.value].up; }),
            out.end());
  std::sort(out.begin(), out.end(), [&](IfaceId a, IfaceId b) {
    return ifaces_[a.value].seg_pos < ifaces_[b.value].seg_pos;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

void Network::deliver_indexed(SegmentId seg, IfaceId from, const FrameRef& frame) {
  Segment& s = segments_[seg.value];
  // A frame queued behind a busy NIC was written long ago: ask for all its lines at
  // once rather than missing on them one after another while parsing.
  const auto bytes = frame.bytes();
  for (std::size_t off = 64; off < bytes.size(); off += 64) __builtin_prefetch(bytes.data() + off);
  auto p = wire::peek_frame(bytes);
  if (!p) {
    ++s.stats.malformed;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), seg, from, frame.id(), DropReason::kMalformed});
    return;
  }
  CandidateList candidates;
  collect_candidates(s, *p, from, candidates);
  const Interface& sender = ifaces_[from.value];
  const uint32_t receivers = s.up_count - ((sender.attached && sender.segment == seg && sender.up) ? 1u : 0u);
  s.stats.discarded += receivers - candidates.size();
  for (IfaceId to : candidates) {
    // An earlier receiver's handling cannot detach a later one synchronously, but a
    // candidate may have gone down meanwhile in the same instant: check again.
    const Interface& i = ifaces_[to.value];
    if (!i.attached || i.segment != seg || !i.up) continue;
    offer_to(s, to, frame, *p);
  }
}

void Network::deliver_naive_one(SegmentId seg, IfaceId from, IfaceId to, const FrameRef& frame) {
  Segment& s = segments_[seg.value];
  const Interface& i = ifaces_[to.value];
  if (!i.attached || i.segment != seg || !i.up) {
    ++s.stats.link_down_drops;
    return;
  }
  // The reference pays what a real NIC and stack would: the whole frame is parsed.
  auto decoded = wire::parse_frame(frame.bytes());
  (void)decoded;
  auto p = wire::peek_frame(frame.bytes());
  DHCPSIM_ASSERT(p.has_value(), "a frame that peeked at transmit must peek at delivery");
  if (options_.verify_index && node_wants(to, *p)) {
    CandidateList candidates;
    collect_candidates(s, *p, from, candidates);
    DHCPSIM_ASSERT(std::find(candidates.begin(), candidates.end(), to) != candidates.end(),
                   "a receiver that wants a frame is missing from the segment's indexes");
  }
  offer_to(s, to, frame, *p);
}

void Network::offer_to(Segment& s, IfaceId to, const FrameRef& frame, const wire::FramePeek& p) {
  if (!node_wants(to, p)) {
    ++s.stats.discarded;
    return;
  }
  const SegmentId seg = ifaces_[to.value].segment;
  if (s.config.loss > 0 &&
      core::to_unit(sim_.counter_draw(frame.id() ^ kLossSalt, to.value)) < s.config.loss) {
    ++s.stats.lost;
    if (tracer_.wants(RecordKind::kFrameDropped))
      tracer_.emit(FrameDropped{now(), seg, to, frame.id(), DropReason::kLoss});
    return;
  }
  int copies = 1;
  if (s.config.duplication > 0 &&
      core::to_unit(sim_.counter_draw(frame.id() ^ kDupSalt, to.value)) < s.config.duplication) {
    copies = 2;
    ++s.stats.duplicated;
  }
  for (int c = 0; c < copies; ++c) {
    ++s.stats.deliveries;
    if (tracer_.wants(RecordKind::kFrameDelivered))
      tracer_.emit(FrameDelivered{now(), seg, to, frame.id()});
    node_receive(to, frame, p);
  }
}

bool Network::node_wants(IfaceId to, const wire::FramePeek& p) {
  const Interface& i = ifaces_[to.value];
  // The NIC's own filter: a unicast frame for another MAC never reaches the stack
  // (no interface here is promiscuous).
  if (!p.dst.is_multicast() && p.dst != i.mac) return false;
  if (i.kind == NodeKind::kHost)
    return host_wants(hosts_[i.owner], i, p);
  return router_wants(routers_[i.owner], i, p);
}

void Network::node_receive(IfaceId to, const FrameRef& frame, const wire::FramePeek& p) {
  const Interface& i = ifaces_[to.value];
  if (i.kind == NodeKind::kHost)
    host_receive(hosts_[i.owner], frame, p);
  else
    router_receive(routers_[i.owner], to, frame, p);
}

// ---- packets waiting for ARP ----------------------------------------------------------------

uint32_t Network::park_packet(FrameRef frame) {
  if (!parked_free_.empty()) {
    uint32_t t = parked_free_.back();
    parked_free_.pop_back();
    parked_[t] = std::move(frame);
    return t;
  }
  parked_.push_back(std::move(frame));
  return static_cast<uint32_t>(parked_.size() - 1);
}

FrameRef Network::unpark_packet(uint32_t token) {
  FrameRef f = std::move(parked_[token]);
  parked_free_.push_back(token);
  return f;
}

}  // namespace dhcpsim::net
