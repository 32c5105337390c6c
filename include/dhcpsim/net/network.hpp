#pragma once
// The simulated network: segments, interfaces, hosts and routers, driven by one
// Simulation's event queue. Everything is stored in vectors and addressed by compact ids;
// a host is a small struct, so a million of them fit in a few hundred MiB.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dhcpsim/core/event_queue.hpp"
#include "dhcpsim/core/memory.hpp"
#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/scratch.hpp"
#include "dhcpsim/core/simulation.hpp"
#include "dhcpsim/net/frame_pool.hpp"
#include "dhcpsim/net/ids.hpp"
#include "dhcpsim/net/records.hpp"
#include "dhcpsim/net/segment.hpp"
#include "dhcpsim/net/topology.hpp"
#include "dhcpsim/proto/acd.hpp"
#include "dhcpsim/proto/dhcp_client.hpp"
#include "dhcpsim/proto/dhcp_server.hpp"
#include "dhcpsim/proto/relay_agent.hpp"
#include <deque>
#include <absl/container/flat_hash_set.h>
#include "dhcpsim/proto/neighbour_cache.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/peek.hpp"

namespace dhcpsim::net {

enum class DeliveryMode : uint8_t {
  kIndexed,  // one event per frame; only receivers the indexes name are visited
  kNaive,    // reference: one event and a full parse per receiver
};

struct NetworkOptions {
  DeliveryMode delivery = DeliveryMode::kIndexed;
  /// In naive mode, check at every delivery that a receiver who wants the frame is one
  /// the indexes would have named (the indexes' correctness, checked on real traffic).
  bool verify_index = false;
};

/// How a host's IP stack treats a gateway outside its own subnet.
enum class OsProfile : uint8_t {
  kLinux,    // refuses it: no default route (as `ip route` refuses it without `onlink`)
  kWindows,  // accepts it and ARPs for it on the local link
};

/// What a person typed into a host's network settings. Zero means "left empty".
struct StaticIpConfig {
  Ipv4Address address;
  Ipv4Address mask;
  Ipv4Address gateway;
  Ipv4Address dns;
};

/// A reachability probe target: a node (its current address is looked up when the probe
/// is sent) or a literal address.
struct ProbeTarget {
  NodeId node;
  Ipv4Address address;
};

struct ProbeConfig {
  core::Duration interval = core::Duration::zero();  // zero: probes off
  core::Duration jitter = core::Duration::zero();    // each round delayed by U[0, jitter)
  // Longer than Linux's ARP resolution (3 requests 1 s apart), so that "next hop did not
  // resolve" is told apart from "no reply".
  core::Duration timeout = core::seconds(5);
  core::Duration first = core::seconds(5);           // first round this long after boot
  bool gateway = false;
  bool dns = false;
  std::vector<ProbeTarget> peers;    // on the same segment
  std::vector<ProbeTarget> outside;  // behind the router
  bool any() const { return gateway || dns || !peers.empty() || !outside.empty(); }
};

/// A single wake-up event standing for all of an owner's engine deadlines. Re-arming for
/// a later time keeps the pending event (it fires, finds nothing due, re-arms); only an
/// earlier time replaces it. So re-armed timers never pile up in the queue.
struct WakeTimer {
  core::Time at = core::Time::max();
  core::EventId event;
};

/// How long a DHCP server spends on one message (its CPU), drawn per message.
struct ServiceTime {
  enum class Kind : uint8_t { kFixed, kExponential, kUniform };
  Kind kind = Kind::kFixed;
  core::Duration a = core::Duration::zero();  // fixed value / mean / lower bound
  core::Duration b = core::Duration::zero();  // upper bound (uniform)
  bool is_zero() const { return kind == Kind::kFixed && a == core::Duration::zero(); }
};

/// A DHCP server running on a node (a router interface or a host), with the capacity of
/// a real one: a per-message service time and a bounded receive queue (in packets).
struct DhcpServiceConfig {
  proto::DhcpServerConfig server;
  /// Interfaces (by position on the node) whose broadcasts the server takes. Empty: all.
  std::vector<uint32_t> listen;
  ServiceTime service_time;
  uint32_t queue_capacity = 0;  // 0: unbounded
  bool running_at_start = true;
};

/// A router's DHCP relay agent (RFC 1542, RFC 3046).
struct RelayConfig {
  std::vector<Ipv4Address> servers;
  std::vector<uint32_t> client_interfaces;  // by position on the router
  uint32_t max_hops = 16;
  bool trust_option82 = false;
};

/// Settings shared by a group of hosts.
struct HostProfile {
  OsProfile os = OsProfile::kLinux;
  bool acd = false;  // RFC 5227 before using a static address
  // The engines keep a pointer to these: a profile outlives its hosts (shared_ptr).
  proto::AcdParams acd_params = proto::AcdParams::rfc_defaults();
  proto::NeighbourParams arp_params = proto::NeighbourParams::linux_defaults();
  ProbeConfig probes;
  /// A simple DNS responder: answers every A query with `dns_answer`.
  bool dns_responder = false;
  Ipv4Address dns_answer = Ipv4Address::from_octets(192, 0, 2, 80);
  bool answers_ping = true;
  /// A DHCP client (null: the host is configured by hand, or not at all).
  std::shared_ptr<const proto::DhcpClientConfig> dhcp;
  /// ACD run on an offered address before binding (probe_on_ack), and for link-local.
  proto::AcdParams dhcp_acd_params = [] {
    proto::AcdParams p = proto::AcdParams::rfc_defaults();
    p.probe_only = true;
    return p;
  }();
  /// Address used for an INFORM by a static host that wants options (empty: none).
  bool inform = false;
  /// Static routes (prefix via next hop), longest prefix first; the next hop must be on
  /// the host's subnet (Linux refuses others, like an off-subnet gateway).
  std::vector<std::pair<wire::Ipv4Prefix, Ipv4Address>> routes;
};

struct HostConfig {
  std::string name;
  SegmentId segment;
  MacAddress mac;
  std::shared_ptr<const HostProfile> profile;
  std::optional<StaticIpConfig> static_ip;
  core::Time boot_time = core::Time::zero();
  /// A DHCP server on this host (a second server, a rogue one).
  std::shared_ptr<const DhcpServiceConfig> dhcp_server;
};

struct RouterInterfaceConfig {
  std::string name;  // e.g. "eth0"
  SegmentId segment;
  MacAddress mac;
  Ipv4Address address;
  uint8_t prefix_len = 24;
};

struct RouterConfig {
  std::string name;
  std::vector<RouterInterfaceConfig> interfaces;
  Ipv4Address default_route;  // next hop; zero: none
  /// Static routes: destination prefix via a next hop on a connected subnet.
  std::vector<std::pair<wire::Ipv4Prefix, Ipv4Address>> static_routes;
  proto::NeighbourParams arp_params = proto::NeighbourParams::linux_defaults();
  std::shared_ptr<const DhcpServiceConfig> dhcp_server;  // the gateway is the DHCP server
  std::optional<RelayConfig> relay;
};

struct DhcpServiceStats {
  uint64_t received = 0;
  uint64_t queue_drops = 0;
  uint32_t queue_peak = 0;
  bool operator==(const DhcpServiceStats&) const = default;
};

/// A DHCP server engine wired to a node: receive queue, service time, ping checks.
struct DhcpService {
  NodeId node;
  std::shared_ptr<const DhcpServiceConfig> config;
  std::unique_ptr<proto::DhcpServer> engine;
  std::vector<IfaceId> ifaces;  // the node's interfaces it answers on
  struct Pending {
    FrameRef frame;
    IfaceId in;
  };
  std::deque<Pending> queue;
  bool busy = false;
  core::Time busy_until = core::Time::max();
  struct PingWait {
    uint64_t token;
    Ipv4Address address;
    core::Time deadline;
  };
  std::vector<PingWait> pings;
  uint16_t next_ping_seq = 0;
  WakeTimer wake;
  core::Rng rng;
  DhcpServiceStats stats;
};

enum class NodeKind : uint8_t { kHost, kRouter };

struct Interface {
  NodeId node;
  NodeKind kind = NodeKind::kHost;  // of its node (kept here: one cold line fewer per frame)
  uint32_t owner = 0;               // its node's index in hosts_ or routers_
  SegmentId segment;  // invalid when detached
  MacAddress mac;
  uint32_t seg_pos = 0;  // position in segment.attached
  bool up = true;
  bool attached = false;
  bool bootp_server = false;  // listens for broadcasts to UDP 67
  uint8_t prefix_len = 0;
  Ipv4Address address;  // zero: none configured
  core::Time tx_free_at = core::Time::zero();
  uint16_t next_ip_id = 0;
  proto::NeighbourCache arp;
  WakeTimer wake;  // router interfaces: their ARP cache's deadline
};

struct HostIpConfig {
  Ipv4Address address;  // zero: no usable address
  uint8_t prefix_len = 0;
  Ipv4Address gateway;  // zero: none
  Ipv4Address dns;
  bool gateway_usable = false;  // a default route exists
  AddressSource source = AddressSource::kStatic;
};

struct ProbeCounters {
  uint64_t sent = 0;
  uint64_t ok = 0;
  uint64_t timeout = 0;
  uint64_t no_route = 0;
  uint64_t arp_failed = 0;
  uint64_t no_address = 0;
  uint64_t no_target = 0;
  uint64_t replies_elsewhere = 0;  // replies to this host's probes that reached another host
  uint64_t wrong_responder = 0;    // requests answered by a host that was not the one meant
  int64_t rtt_ns_sum = 0;
  bool operator==(const ProbeCounters&) const = default;
};

struct ProbeState {
  struct Pending {
    ProbeKind kind;
    uint32_t seq;
    Ipv4Address target;
    core::Time sent_at;
    core::Time deadline;
  };
  core::Time next_round = core::Time::max();  // next probe of the round, or next round
  core::Time round_start = core::Time::max();
  uint32_t cursor = 0;  // next target of the current round
  uint32_t next_seq = 1;
  std::vector<Pending> pending;
  ProbeCounters counters[4];
};

struct HostStats {
  uint64_t not_for_us = 0;      // IP packets for an address this host does not hold
  uint64_t stray_replies = 0;   // replies to another host's probes that reached this one
  uint64_t arp_flips = 0;       // ARP cache entries whose MAC changed between two MACs
  uint64_t arp_failures = 0;    // resolutions that failed
  uint64_t arp_queue_drops = 0;  // packets dropped while waiting for resolution
  uint64_t no_route = 0;        // packets the stack could not route
  uint64_t acd_conflicts = 0;   // conflicts ACD detected
  bool operator==(const HostStats&) const = default;
};

struct Host {
  NodeId id;
  IfaceId iface;
  uint32_t service = kNoService;  // index of a DHCP server on this host
  static constexpr uint32_t kNoService = 0xffffffffu;
  std::shared_ptr<const HostProfile> profile;
  std::optional<StaticIpConfig> static_ip;
  HostIpConfig ip;
  bool booted = false;
  bool static_refused = false;  // the typed address could not be used (ACD, bad mask)
  WakeTimer wake;
  /// Its interface's ARP cache deadline, kept here so that re-arming after a DHCP or
  /// probe event does not touch the interface (refreshed by every ARP operation).
  core::Time arp_deadline = core::Time::max();
  core::Rng rng;
  std::unique_ptr<proto::AcdEngine> acd;     // static address, or DHCP probe_on_ack
  std::unique_ptr<proto::AcdEngine> ll_acd;  // RFC 3927 link-local address
  Ipv4Address link_local;                    // configured link-local address (zero: none)
  // Inline (not a separate allocation): a host event touches the host and its client
  // together, so they share cache lines.
  std::optional<proto::DhcpClient> dhcp;
  std::unique_ptr<ProbeState> probes;
  HostStats stats;
  bool gone = false;  // left the network (churn)
};

struct Route {
  wire::Ipv4Prefix prefix;
  IfaceId iface;
  Ipv4Address next_hop;  // zero: on-link
};

struct RouterStats {
  uint64_t forwarded = 0;
  uint64_t ttl_expired = 0;
  uint64_t no_route = 0;
  uint64_t arp_failures = 0;
  uint64_t echo_replies = 0;
  uint64_t arp_flips = 0;
  uint64_t martian_sources = 0;  // packets from a broadcast / zero / multicast source
  bool operator==(const RouterStats&) const = default;
};

struct Router {
  NodeId id;
  /// Addresses that are the router's own: its interfaces' addresses and their subnets'
  /// directed broadcasts (a lookup, not a scan of hundreds of interfaces per packet).
  absl::flat_hash_set<uint32_t> local_addresses;
  uint32_t service = Host::kNoService;
  std::unique_ptr<proto::RelayAgent> relay;
  std::vector<Ipv4Address> relay_servers;
  std::unique_ptr<proto::NeighbourParams> arp_params;  // the caches point at it
  std::vector<IfaceId> ifaces;
  std::vector<Route> routes;  // connected subnets, longest prefix first, then default
  core::Rng rng;
  RouterStats stats;
};

/// An address held by two or more interfaces of one segment right now.
struct ConflictNow {
  SegmentId segment;
  Ipv4Address ip;
  uint32_t holders;
  core::Time since;
};

using CandidateList = boost::container::small_vector<IfaceId, 8>;

/// What a probe carries so that its reply identifies it wherever it lands.
struct ProbeTag {
  uint32_t origin;
  uint32_t target;  // intended target node, or NodeId().value
  uint8_t kind;
  uint32_t seq;
  int64_t sent_ns;
};


class Network {
 public:
  Network(core::Simulation& sim, NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // ---- building ------------------------------------------------------------------
  SegmentId add_segment(SegmentConfig config);
  NodeId add_host(HostConfig config);
  /// Capacity for this many hosts and interfaces (a large build without reallocation).
  void reserve(std::size_t hosts, std::size_t interfaces);
  NodeId add_router(RouterConfig config);
  /// Topology checks: interfaces on unknown segments, routers with overlapping connected
  /// subnets, segments nobody can reach. Empty when all is well.
  std::vector<std::string> check_topology() const { return topology_.check(); }
  const Topology& topology() const { return topology_; }
  /// Schedules every host's boot. Call once, after building.
  void start();

  // ---- run-time changes (timeline actions) --------------------------------------
  void set_link(IfaceId iface, bool up);
  void detach(IfaceId iface);
  void attach(IfaceId iface, SegmentId segment);
  void set_loss(SegmentId segment, double loss);
  /// Switches delivery mode between runs of the queue (both give identical results).
  void set_delivery_mode(DeliveryMode mode) { options_.delivery = mode; }
  /// The host broadcasts an ARP request for `target` from its interface (like arping).
  void arping(NodeId host, Ipv4Address target);
  /// Reboots a host: it goes down now and boots again after `downtime`; a DHCP client
  /// then starts in INIT-REBOOT with its remembered lease.
  void reboot_host(NodeId host, core::Duration downtime);
  /// A host leaves the network for good (churn): with `release`, its DHCP client sends a
  /// RELEASE first if its profile allows (release_on_shutdown) and it holds a lease; then
  /// its interface is detached. `blocked`: it leaves because it had no address after its
  /// patience (reported). Returns whether a RELEASE was sent.
  bool host_leave(NodeId host, bool release, bool blocked = false);
  /// Stops / starts the DHCP server on a node (with or without its lease database).
  void server_stop(NodeId node, bool keep_leases);
  void server_start(NodeId node);
  /// A host added while the network runs (churn) boots at its config's boot_time.
  bool started() const { return started_; }
  void set_duplication(SegmentId segment, double duplication);

  // ---- access ---------------------------------------------------------------------
  core::Simulation& sim() { return sim_; }
  core::Time now() const { return sim_.now(); }
  Tracer& tracer() { return tracer_; }
  const NetworkOptions& options() const { return options_; }
  std::size_t segment_count() const { return segments_.size(); }
  std::size_t node_count() const { return node_kinds_.size(); }
  std::size_t host_count() const { return hosts_.size(); }
  std::size_t iface_count() const { return ifaces_.size(); }
  const Segment& segment(SegmentId id) const { return segments_[id.value]; }
  const Interface& iface(IfaceId id) const { return ifaces_[id.value]; }
  NodeKind node_kind(NodeId id) const { return node_kinds_[id.value]; }
  const std::string& node_name(NodeId id) const { return node_names_[id.value]; }
  std::optional<NodeId> find_node(const std::string& name) const;
  std::optional<SegmentId> find_segment(const std::string& name) const;
  const Host& host(NodeId id) const { return hosts_[node_index_[id.value]]; }
  const Router& router(NodeId id) const { return routers_[node_index_[id.value]]; }
  /// The node's first interface's current address (zero if none).
  Ipv4Address node_address(NodeId id) const;
  const FramePool& frame_pool() const { return frames_; }
  std::size_t service_count() const { return services_.size(); }
  const DhcpService& service(uint32_t index) const { return services_[index]; }
  /// The DHCP service of a node, if it runs one.
  const DhcpService* service_of(NodeId node) const;

  /// Ground truth: conflicts open now are accumulated up to `now()`.
  ConflictTotals conflict_totals() const;
  std::vector<ConflictNow> conflicts_now() const;

  // ---- used by the node logic (hosts, routers, services) -------------------------
  FrameRef new_frame(std::size_t capacity = FrameBuf::kCapacity) { return frames_.allocate(capacity); }
  void transmit(IfaceId from, FrameRef frame);
  /// Sets or clears (zero) an interface's address; keeps indexes and the conflict oracle.
  void set_iface_address(IfaceId iface, Ipv4Address address, uint8_t prefix_len,
                         AddressSource source);
  void set_bootp_listener(IfaceId iface, bool listening);
  void set_acd_watch(IfaceId iface, Ipv4Address address, bool watching);

 private:

  // delivery
  struct Delivery;  // the event of a frame's arrival (indexed mode)
  void deliver_indexed(SegmentId seg, IfaceId from, const FrameRef& frame);
  void deliver_naive_one(SegmentId seg, IfaceId from, IfaceId to, const FrameRef& frame);
  void collect_candidates(const Segment& s, const wire::FramePeek& p, IfaceId from,
                          CandidateList& out) const;
  void offer_to(Segment& s, IfaceId to, const FrameRef& frame, const wire::FramePeek& p);
  bool node_wants(IfaceId to, const wire::FramePeek& p);
  void node_receive(IfaceId to, const FrameRef& frame, const wire::FramePeek& p);

  // ARP glue shared by hosts and routers
  void apply_neighbour_actions(IfaceId iface, std::vector<proto::NeighbourAction>& actions);
  void arp_index_update(IfaceId iface, Ipv4Address ip, MacAddress old_mac, bool old_present,
                        MacAddress new_mac, bool new_present);
  bool arp_would_change(const Interface& i, const wire::ArpPeek& a, bool unicast) const;
  /// Sends an IP packet (frame fully built but for the destination MAC) to `next_hop`
  /// through the interface's neighbour cache.
  void send_via_arp(IfaceId iface, Ipv4Address next_hop, FrameRef frame);
  void send_arp(IfaceId iface, const wire::ArpPacket& arp, MacAddress dst);
  void rearm_iface(IfaceId iface);
  struct IfaceWake;  // the event of a router interface's ARP timer
  void handle_arp(IfaceId iface, const FrameRef& frame, const wire::FramePeek& p);
  void packet_unresolved(IfaceId iface, const FrameRef& frame, bool failed);
  template <class F>
  void arm(WakeTimer& w, core::Time t, F&& fn) {
    if (t == core::Time::max()) return;  // nothing due: a pending wake-up may fire idle
    if (w.event.valid() && sim_.queue().is_pending(w.event)) {
      if (w.at <= t) return;  // fires first, then re-arms for t
      sim_.cancel(w.event);
    }
    w.at = std::max(t, now());
    w.event = sim_.schedule_at(w.at, std::forward<F>(fn));
  }
  void flush_arp(IfaceId iface);
  void on_link_change(IfaceId iface, bool up);
  core::Rng& rng_of(IfaceId iface);
  void on_iface_timer(IfaceId iface);
  uint32_t park_packet(FrameRef frame);
  FrameRef unpark_packet(uint32_t token);

  // hosts (host.cpp)
  void host_boot(uint32_t index);
  void host_receive(Host& h, const FrameRef& frame, const wire::FramePeek& p);
  bool host_wants(const Host& h, const Interface& i, const wire::FramePeek& p) const;
  void host_rearm(Host& h);
  void host_timer(uint32_t index);
  struct HostWake;  // the event of a host's timer
  void host_apply_static(Host& h);
  void host_configure(Host& h, Ipv4Address address, uint8_t prefix_len, Ipv4Address gateway,
                      Ipv4Address dns, AddressSource source);
  void host_unconfigure(Host& h);
  void host_acd_actions(Host& h, std::vector<proto::AcdAction>& actions);
  void host_probe_round(Host& h);
  void host_probe_send(Host& h, ProbeKind kind, const ProbeTarget& target);
  void host_probe_timeouts(Host& h);
  void host_probe_answer(Host& receiver, const ProbeTag& tag);
  void host_probe_record(Host& h, ProbeKind kind, Ipv4Address target, uint32_t seq,
                         ProbeOutcome outcome, core::Duration rtt);
  void probe_packet_dropped(const FrameRef& frame);

  /// Routes an IP packet from a host: on-link, via the gateway, or no route.
  bool host_send_ip(Host& h, Ipv4Address dst, FrameRef frame);
  FrameRef build_udp(const Interface& i, Ipv4Address src, Ipv4Address dst, uint16_t sport,
                     uint16_t dport, wire::ConstBytes payload, uint8_t ttl);
  FrameRef build_echo(const Interface& i, Ipv4Address src, Ipv4Address dst, bool reply,
                      uint16_t ident, uint16_t seq, wire::ConstBytes data, uint8_t ttl);

  // DHCP on hosts (dhcp_host.cpp)
  void host_dhcp_actions(Host& h, std::vector<proto::DhcpClientAction>& actions);
  void host_dhcp_receive(Host& h, const wire::DhcpMessage& m, Ipv4Address src, Ipv4Address dst);
  void host_acd_result(Host& h, proto::AcdEngine& engine, bool link_local,
                       std::vector<proto::AcdAction>& actions);
  void send_dhcp_from_host(Host& h, const proto::Send& s);
  /// Sends a UDP datagram out of `iface` to `dst_mac` without routing (DHCP raw sockets).
  void send_udp_raw(IfaceId iface, Ipv4Address src, MacAddress dst_mac, Ipv4Address dst,
                    uint16_t sport, uint16_t dport, wire::ConstBytes payload);
  void emit_dhcp(NodeId node, IfaceId iface, DhcpRole role, bool sent, Ipv4Address src, Ipv4Address dst,
                 const wire::DhcpMessage& m);

  // DHCP servers and relays (dhcp_service.cpp)
  /// Opens a running server's port 67 on the interfaces its config listens on.
  void service_listen(uint32_t svc);
  uint32_t add_service(NodeId node, std::shared_ptr<const DhcpServiceConfig> config,
                       const std::vector<IfaceId>& node_ifaces);
  void service_enqueue(uint32_t svc, const FrameRef& frame, IfaceId in);
  void service_start_next(uint32_t svc);
  void service_process(uint32_t svc, const FrameRef& frame, IfaceId in);
  void service_actions(uint32_t svc, std::vector<proto::DhcpServer::Action>& actions);
  void service_rearm(uint32_t svc);
  void service_timer(uint32_t svc);
  void service_ping_answered(uint32_t svc, wire::ConstBytes payload);
  /// Routes an IP packet a node originates (host or router), picking the interface.
  bool node_send_ip(NodeId node, Ipv4Address dst, FrameRef frame, IfaceId hint);
  void relay_from_client(Router& r, IfaceId in, const wire::DhcpMessage& m);
  void relay_from_server(Router& r, const wire::DhcpMessage& m);
  void host_shutdown(Host& h, bool graceful);
  void host_gone(Host& h);

  // routers (router.cpp)
  void router_receive(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p);
  bool router_wants(const Router& r, const Interface& i, const wire::FramePeek& p) const;
  void router_forward(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p);
  void router_local(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p);
  void router_udp(Router& r, IfaceId in, const FrameRef& frame, const wire::FramePeek& p);
  const Route* router_lookup(const Router& r, Ipv4Address dst) const;
  /// Sends an IP packet the router originates or forwards out of `out` towards `dst`.
  void router_send(Router& r, IfaceId out, Ipv4Address next_hop, FrameRef frame);

  // conflict oracle
  void owners_add(Segment& s, IfaceId iface, Ipv4Address ip);
  void owners_remove(Segment& s, IfaceId iface, Ipv4Address ip);

  core::Simulation& sim_;
  NetworkOptions options_;
  Tracer tracer_;
  FramePool frames_;
  Topology topology_;
  std::vector<Segment> segments_;
  core::BigVector<Interface> ifaces_;
  std::vector<NodeKind> node_kinds_;
  std::vector<uint32_t> node_index_;  // index into hosts_ or routers_
  std::vector<std::string> node_names_;
  core::BigVector<Host> hosts_;
  std::vector<Router> routers_;
  // After hosts_ and ifaces_: destroyed (so waited for) before their blocks are freed.
  core::PageWarmer warmer_;
  std::vector<core::Time> boot_times_;  // by host index
  // Boots happen from one list sorted by (time, host) and one pending event, rather than
  // a million boot events in the queue (memory, and the queue stays small).
  std::vector<std::pair<core::Time, uint32_t>> boot_order_;
  std::size_t next_boot_ = 0;
  void schedule_next_boot();
  std::vector<DhcpService> services_;
  // Action vectors lent to engine calls (one allocation per call otherwise).
  core::ScratchPool<proto::NeighbourAction> neighbour_scratch_;
  core::ScratchPool<proto::DhcpClientAction> client_scratch_;
  core::ScratchPool<proto::AcdAction> acd_scratch_;
  core::ScratchPool<proto::DhcpServer::Action> server_scratch_;
  core::ScratchPool<proto::RelayAgent::Action> relay_scratch_;
  std::vector<FrameRef> parked_;  // packets waiting for ARP, by token
  std::vector<uint32_t> parked_free_;
  bool started_ = false;
};

}  // namespace dhcpsim::net
