// Building the network a scenario describes, and running it.

#include "dhcpsim/scenario/run.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::scenario {

using core::Duration;
using core::Time;

Duration Distribution::sample(core::Rng& rng) const {
  switch (kind) {
    case Kind::kFixed: return a;
    case Kind::kUniform: return rng.uniform_duration(a, b);
    case Kind::kExponential: return rng.exponential_duration(a);
    case Kind::kNormal: {
      double v = rng.normal(static_cast<double>(a.ns()), static_cast<double>(b.ns()));
      return Duration::from_ns(v < 0 ? 0 : static_cast<int64_t>(v));
    }
    case Kind::kLognormal: {
      // median m: mu = ln m
      double v = static_cast<double>(a.ns()) * rng.lognormal(0.0, sigma);
      return Duration::from_ns(static_cast<int64_t>(std::min(v, 9.0e18)));
    }
  }
  return a;
}

Duration Distribution::mean() const {
  switch (kind) {
    case Kind::kFixed: return a;
    case Kind::kUniform: return Duration::from_ns((a.ns() + b.ns()) / 2);
    case Kind::kExponential: return a;
    case Kind::kNormal: return a;
    case Kind::kLognormal: return Duration::from_ns(static_cast<int64_t>(static_cast<double>(a.ns()) * std::exp(sigma * sigma / 2)));
  }
  return a;
}

namespace {

std::string expand(const std::string& pattern, uint64_t i) {
  auto brace = pattern.find("{i}");
  if (brace == std::string::npos) return pattern;
  return pattern.substr(0, brace) + std::to_string(i) + pattern.substr(brace + 3);
}

// MAC addresses: locally administered (02:...), a distinct prefix per kind so they never
// collide: hosts 02:00:..., router interfaces 02:01:..., churned devices 02:02:....
wire::MacAddress host_mac(uint64_t n) { return wire::MacAddress::from_u64(0x020000000000ULL | (n & 0xffffffffffULL)); }
wire::MacAddress router_mac(uint64_t n) { return wire::MacAddress::from_u64(0x020100000000ULL | (n & 0xffffffffULL)); }
wire::MacAddress churn_mac(uint64_t n) { return wire::MacAddress::from_u64(0x020200000000ULL | (n & 0xffffffffULL)); }

/// A person mistyping one octet: drop a digit, double one, swap two, or hit the key
/// next to the right one. The result is a valid octet (a form would refuse otherwise).
uint8_t typo_octet(uint8_t value, core::Rng& rng) {
  std::string d = std::to_string(value);
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string t = d;
    switch (rng.below(4)) {
      case 0:
        if (t.size() > 1) t.erase(rng.below(t.size()), 1);
        break;
      case 1: {
        auto k = rng.below(t.size());
        t.insert(k, 1, t[k]);
        break;
      }
      case 2:
        if (t.size() > 1) {
          auto k = rng.below(t.size() - 1);
          std::swap(t[k], t[k + 1]);
        }
        break;
      default: {
        auto k = rng.below(t.size());
        int digit = t[k] - '0';
        digit = rng.bernoulli(0.5) ? (digit + 1) % 10 : (digit + 9) % 10;
        t[k] = static_cast<char>('0' + digit);
        break;
      }
    }
    int v = std::stoi(t);
    if (v >= 0 && v <= 255 && v != value) return static_cast<uint8_t>(v);
  }
  return static_cast<uint8_t>(value ^ 1);
}

wire::Ipv4Address typo_address(wire::Ipv4Address a, core::Rng& rng, bool mask) {
  // Host addresses: the last octets change most; masks: the octet that is not 255/0.
  int octet;
  if (mask) {
    octet = 3;
    for (int k = 0; k < 4; ++k)
      if (a.octet(k) != 255) {
        octet = k;
        break;
      }
  } else {
    static constexpr double w[4] = {0.05, 0.1, 0.25, 0.6};
    double u = rng.unit();
    octet = 3;
    for (int k = 0; k < 4; ++k) {
      if (u < w[k]) {
        octet = k;
        break;
      }
      u -= w[k];
    }
  }
  uint8_t o[4] = {a.octet(0), a.octet(1), a.octet(2), a.octet(3)};
  o[octet] = typo_octet(o[octet], rng);
  return wire::Ipv4Address::from_octets(o[0], o[1], o[2], o[3]);
}

}  // namespace

struct ScenarioRun::Impl : net::TraceSink {
  ScenarioRun* run = nullptr;
  // stop conditions over the DHCP hosts that are there from the start
  std::vector<uint8_t> tracked;  // by node: 1 = counted for stop conditions
  std::vector<uint8_t> bound;
  std::vector<uint8_t> renewed;
  uint64_t tracked_count = 0, bound_count = 0, renewed_count = 0;
  StopCondition stop = StopCondition::kNone;

  // churn
  struct Churn {
    const ChurnSpec* spec;
    uint32_t group;
    std::shared_ptr<net::HostProfile> profile;
    core::Rng rng;
    uint64_t next_index = 1;
    uint64_t present = 0;
    std::vector<uint64_t> absent;  // devices of the population not present
  };
  std::vector<Churn> churn;

  uint64_t subscriptions() const override {
    return stop == StopCondition::kNone ? 0 : net::kind_bit(net::RecordKind::kLeaseChange);
  }
  void on_record(const net::Record& r) override {
    const auto& c = std::get<net::LeaseChange>(r);
    const uint32_t n = c.node.value;
    if (n >= tracked.size() || !tracked[n]) return;
    switch (c.kind) {
      case net::LeaseChangeKind::kAcquired:
        if (!bound[n]) { bound[n] = 1; ++bound_count; }
        break;
      case net::LeaseChangeKind::kRenewed:
        if (!bound[n]) { bound[n] = 1; ++bound_count; }
        if (!renewed[n]) { renewed[n] = 1; ++renewed_count; }
        break;
      case net::LeaseChangeKind::kLost:
      case net::LeaseChangeKind::kReleased:
        if (bound[n]) { bound[n] = 0; --bound_count; }
        break;
    }
    if (tracked_count == 0) return;
    if (stop == StopCondition::kAllBound && bound_count == tracked_count) {
      run->stop_reason_ = "all_bound";
      run->sim_->stop();
    } else if (stop == StopCondition::kAllRenewed && renewed_count == tracked_count && bound_count == tracked_count) {
      run->stop_reason_ = "all_renewed";
      run->sim_->stop();
    }
  }

  void schedule_arrival(std::size_t k);
  void arrive(std::size_t k);
};

ScenarioRun::ScenarioRun(const Scenario& s, RunSettings settings)
    : impl_(std::make_unique<Impl>()), scenario_(s), seed_(settings.seed.value_or(s.seed)) {
  impl_->run = this;
  end_ = Time::zero() + settings.until.value_or(s.duration);
  sim_ = std::make_unique<core::Simulation>(seed_);
  net::NetworkOptions opts;
  opts.delivery = s.delivery;
  network_ = std::make_unique<net::Network>(*sim_, opts);
  net::Network& net = *network_;

  std::map<std::string, net::SegmentId> segs;
  for (const auto& sp : s.segments) {
    net::SegmentConfig c;
    c.name = sp.name;
    c.subnet = sp.subnet;
    c.latency = sp.latency;
    c.bandwidth_bps = sp.bandwidth_bps;
    c.loss = sp.loss;
    c.duplication = sp.duplication;
    segs[sp.name] = net.add_segment(c);
  }

  auto service_config = [&](const ServerSpec& sv, wire::Ipv4Address default_id, std::vector<uint32_t> listen) {
    auto c = std::make_shared<net::DhcpServiceConfig>();
    c->server = sv.config;
    if (!sv.server_id_given && c->server.server_id.is_zero()) c->server.server_id = default_id;
    c->listen = std::move(listen);
    c->service_time = sv.service_time;
    c->queue_capacity = sv.queue;
    c->running_at_start = sv.running_at_start;
    return c;
  };

  uint64_t router_mac_n = 1;
  for (const auto& r : s.routers) {
    net::RouterConfig rc;
    rc.name = r.name;
    for (const auto& i : r.interfaces)
      rc.interfaces.push_back(net::RouterInterfaceConfig{i.name, segs.at(i.segment), i.mac.value_or(router_mac(router_mac_n++)),
                                                         i.address, i.prefix_len});
    rc.default_route = r.default_route.value_or(wire::Ipv4Address());
    rc.static_routes = r.routes;
    auto index_of = [&](const std::string& name) {
      for (uint32_t k = 0; k < r.interfaces.size(); ++k)
        if (r.interfaces[k].name == name) return k;
      return uint32_t(0);
    };
    if (r.relay) {
      net::RelayConfig relay;
      relay.servers = r.relay->servers;
      for (const auto& n : r.relay->interfaces) relay.client_interfaces.push_back(index_of(n));
      relay.max_hops = r.relay->max_hops;
      relay.trust_option82 = r.relay->trust_option82;
      rc.relay = relay;
    }
    for (const auto& sv : s.servers) {
      if (sv.router != r.name) continue;
      std::vector<uint32_t> listen;
      for (const auto& n : sv.interfaces) listen.push_back(index_of(n));
      wire::Ipv4Address id = r.interfaces[listen.empty() ? 0 : listen.front()].address;
      rc.dhcp_server = service_config(sv, id, listen);
    }
    net::NodeId id = net.add_router(rc);
    for (const auto& sv : s.servers)
      if (sv.router == r.name) servers_.push_back({sv.name, id});
  }

  // Hosts, group by group. Probe targets name hosts that may come later: resolved after.
  // Only names something refers to (probes, the timeline) are indexed: a million names
  // in a hash map would cost more than building the hosts.
  std::vector<std::shared_ptr<net::HostProfile>> profiles;
  std::unordered_map<std::string, net::NodeId> by_name;
  std::unordered_set<std::string> referenced;
  for (const auto& h : s.hosts) {
    referenced.insert(h.probes.peers.begin(), h.probes.peers.end());
    referenced.insert(h.probes.outside.begin(), h.probes.outside.end());
  }
  for (const auto& c : s.churn) {
    referenced.insert(c.probes.peers.begin(), c.probes.peers.end());
    referenced.insert(c.probes.outside.begin(), c.probes.outside.end());
  }
  for (const auto& a : s.timeline)
    if (!a.host.empty()) referenced.insert(a.host);
  net.reserve(s.total_hosts(), s.total_hosts() + [&] {
    std::size_t n = 0;
    for (const auto& r : s.routers) n += r.interfaces.size();
    return n;
  }());
  uint64_t host_mac_n = 1;
  core::Rng boot_rng = sim_->stream("boot");
  for (std::size_t g = 0; g < s.hosts.size(); ++g) {
    const HostGroupSpec& h = s.hosts[g];
    auto p = std::make_shared<net::HostProfile>();
    p->os = h.os;
    p->acd = h.acd;
    p->dns_responder = h.dns_responder;
    p->inform = h.inform;
    p->routes = h.routes;
    if (h.dhcp) {
      auto dc = std::make_shared<proto::DhcpClientConfig>(h.dhcp->config);
      p->dhcp = dc;
    }
    p->probes.interval = h.probes.interval;
    p->probes.jitter = h.probes.jitter;
    p->probes.timeout = h.probes.timeout;
    p->probes.first = h.probes.first;
    p->probes.gateway = h.probes.gateway;
    p->probes.dns = h.probes.dns;
    if (h.probes.interval == Duration::zero()) p->probes = net::ProbeConfig{};
    profiles.push_back(p);

    GroupRuntime gr;
    gr.name = h.group;
    gr.method = h.method;
    core::Rng manual_rng = sim_->stream("manual-assignment", g);
    std::vector<wire::Ipv4Address> given;  // addresses this person handed out so far
    uint64_t next_seq = 0;
    for (uint64_t i = 1; i <= h.count; ++i) {
      net::HostConfig hc;
      hc.name = h.count == 1 && h.name.find("{i}") == std::string::npos ? h.name : expand(h.name, i);
      hc.segment = segs.at(h.segment);
      hc.mac = h.mac.value_or(host_mac(host_mac_n++));
      hc.profile = p;
      hc.boot_time = Time::zero() + h.boot.sample(boot_rng);
      if (h.static_ip) hc.static_ip = h.static_ip;
      if (h.manual) {
        // The modelled administrator: the next address of the range (or a random one),
        // sometimes one already given, sometimes with a typo in one field.
        const ManualAssignment& m = *h.manual;
        const uint64_t span = uint64_t(m.last.value()) - m.first.value() + 1;
        net::StaticIpConfig c;
        if (!given.empty() && manual_rng.bernoulli(m.reuse_probability)) {
          c.address = given[manual_rng.below(given.size())];
        } else if (m.random_order) {
          c.address = wire::Ipv4Address(m.first.value() + static_cast<uint32_t>(manual_rng.below(span)));
        } else {
          c.address = wire::Ipv4Address(m.first.value() + static_cast<uint32_t>(next_seq++ % span));
        }
        given.push_back(c.address);
        c.mask = m.mask;
        c.gateway = m.gateway;
        c.dns = m.dns;
        if (manual_rng.bernoulli(m.typo_probability)) {
          double total = m.typo_weights[0] + m.typo_weights[1] + m.typo_weights[2] + m.typo_weights[3];
          double u = manual_rng.unit() * total;
          int field = 3;
          for (int k = 0; k < 4; ++k) {
            if (u < m.typo_weights[k]) {
              field = k;
              break;
            }
            u -= m.typo_weights[k];
          }
          wire::Ipv4Address* f[4] = {&c.address, &c.mask, &c.gateway, &c.dns};
          if (!f[field]->is_zero()) *f[field] = typo_address(*f[field], manual_rng, field == 1);
        }
        hc.static_ip = c;
      }
      if (!h.server.empty()) {
        for (const auto& sv : s.servers)
          if (sv.name == h.server) hc.dhcp_server = service_config(sv, hc.static_ip ? hc.static_ip->address : wire::Ipv4Address(), {});
      }
      net::NodeId id = net.add_host(hc);
      if (!h.server.empty()) servers_.push_back({h.server, id});
      if (!referenced.empty() && referenced.count(hc.name)) by_name[hc.name] = id;
      gr.hosts.push_back(id);
    }
    groups_.push_back(std::move(gr));
  }
  auto resolve = [&](const std::vector<std::string>& names, std::vector<net::ProbeTarget>& out) {
    for (const auto& n : names) {
      auto it = by_name.find(n);
      if (it != by_name.end()) out.push_back(net::ProbeTarget{it->second, wire::Ipv4Address()});
    }
  };
  for (std::size_t g = 0; g < s.hosts.size(); ++g) {
    if (s.hosts[g].probes.interval == Duration::zero()) continue;
    resolve(s.hosts[g].probes.peers, profiles[g]->probes.peers);
    resolve(s.hosts[g].probes.outside, profiles[g]->probes.outside);
  }

  // Stop conditions count the DHCP hosts present from the start.
  impl_->stop = s.stop;
  impl_->tracked.assign(net.node_count(), 0);
  impl_->bound.assign(net.node_count(), 0);
  impl_->renewed.assign(net.node_count(), 0);
  for (const auto& g : groups_) {
    if (g.method != ConfigMethod::kDhcp) continue;
    for (auto id : g.hosts) {
      impl_->tracked[id.value] = 1;
      ++impl_->tracked_count;
    }
  }
  if (s.stop != StopCondition::kNone) net.tracer().subscribe(impl_.get());

  // Churn processes.
  for (std::size_t k = 0; k < s.churn.size(); ++k) {
    const ChurnSpec& c = s.churn[k];
    auto p = std::make_shared<net::HostProfile>();
    p->os = c.os;
    p->acd = c.acd;
    p->dhcp = std::make_shared<proto::DhcpClientConfig>(c.dhcp.config);
    if (c.probes.interval > Duration::zero()) {
      p->probes.interval = c.probes.interval;
      p->probes.jitter = c.probes.jitter;
      p->probes.timeout = c.probes.timeout;
      p->probes.first = c.probes.first;
      p->probes.gateway = c.probes.gateway;
      p->probes.dns = c.probes.dns;
      resolve(c.probes.peers, p->probes.peers);
      resolve(c.probes.outside, p->probes.outside);
    }
    GroupRuntime gr;
    gr.name = c.group;
    gr.method = ConfigMethod::kDhcp;
    gr.churn = true;
    groups_.push_back(gr);
    Impl::Churn ch{&c, static_cast<uint32_t>(groups_.size() - 1), p, sim_->stream("churn", k), 1, 0, {}};
    for (uint64_t d = c.population; d >= 1; --d) ch.absent.push_back(d);
    impl_->churn.push_back(std::move(ch));
    churn_stats_.push_back({});
  }

  // Timeline.
  core::Rng pick = sim_->stream("timeline");
  for (const auto& a : s.timeline) {
    using K = TimelineAction::Kind;
    std::vector<net::NodeId> targets;
    if (!a.host.empty()) {
      if (auto it = by_name.find(a.host); it != by_name.end()) {
        targets.push_back(it->second);
      } else {
        for (const auto& g : groups_)
          if (g.name == a.host) targets = g.hosts;
        if (a.fraction < 1.0) {
          // A random share of the group (Fisher-Yates on a copy, from the timeline stream).
          for (std::size_t i = targets.size(); i > 1; --i) std::swap(targets[i - 1], targets[pick.below(i)]);
          targets.resize(static_cast<std::size_t>(std::llround(a.fraction * static_cast<double>(targets.size()))));
          std::sort(targets.begin(), targets.end());
        }
      }
    }
    net::NodeId server_node;
    for (const auto& [name, node] : servers_)
      if (name == a.server) server_node = node;
    net::IfaceId router_iface;
    if (!a.router.empty()) {
      for (std::size_t r = 0; r < s.routers.size(); ++r) {
        if (s.routers[r].name != a.router) continue;
        auto node = net.find_node(a.router);
        const auto& rt = net.router(*node);
        for (std::size_t i = 0; i < s.routers[r].interfaces.size(); ++i)
          if (s.routers[r].interfaces[i].name == a.interface) router_iface = rt.ifaces[i];
      }
    }
    net::SegmentId seg;
    if (!a.segment.empty()) seg = segs.at(a.segment);
    const TimelineAction act = a;
    sim_->schedule_at(Time::zero() + a.at, [this, act, targets, server_node, router_iface, seg] {
      net::Network& n = *network_;
      switch (act.kind) {
        case K::kServerStop: n.server_stop(server_node, act.keep_leases); break;
        case K::kServerStart: n.server_start(server_node); break;
        case K::kLinkDown:
        case K::kLinkUp: {
          const bool up = act.kind == K::kLinkUp;
          if (router_iface.valid()) n.set_link(router_iface, up);
          for (auto t : targets) n.set_link(n.host(t).iface, up);
          break;
        }
        case K::kSetLoss: n.set_loss(seg, act.value); break;
        case K::kSetDuplication: n.set_duplication(seg, act.value); break;
        case K::kReboot:
          for (auto t : targets) n.reboot_host(t, act.downtime);
          break;
        case K::kLeave:
          for (auto t : targets) {
            const auto& h = n.host(t);
            const bool release = act.release_given ? act.release
                                                   : (h.dhcp && h.dhcp->config().release_on_shutdown);
            n.host_leave(t, release);
          }
          break;
      }
    });
  }
}

ScenarioRun::~ScenarioRun() {
  // The network goes first (it clears the events that point at it).
  network_.reset();
}

std::vector<uint32_t> ScenarioRun::group_of_node() const {
  std::vector<uint32_t> out(network_->node_count(), kNoGroup);
  for (uint32_t g = 0; g < groups_.size(); ++g)
    for (auto id : groups_[g].hosts)
      if (id.value < out.size()) out[id.value] = g;
  return out;
}

// ---- churn ---------------------------------------------------------------------------------

void ScenarioRun::Impl::schedule_arrival(std::size_t k) {
  Churn& c = churn[k];
  const auto& steps = c.spec->rate_per_s;
  if (steps.empty()) return;
  // A Poisson process with a piecewise-constant rate: draw with the current step's rate;
  // if the draw crosses into the next step, restart there (memoryless, so exact).
  const Duration day = core::days(1);
  Time t = run->sim_->now();
  for (int guard = 0; guard < 100000; ++guard) {
    Duration tod = c.spec->daily ? Duration::from_ns(t.ns() % day.ns()) : t.since_start();
    std::size_t i = 0;
    while (i + 1 < steps.size() && steps[i + 1].first <= tod) ++i;
    Time step_end = Time::max();
    if (i + 1 < steps.size()) step_end = t + (steps[i + 1].first - tod);
    else if (c.spec->daily) step_end = t + (day - tod);
    const double rate = steps[i].second;
    if (rate > 0) {
      Duration x = Duration::from_ns(static_cast<int64_t>(c.rng.exponential(1e9 / rate)));
      if (step_end == Time::max() || t + x < step_end) {
        Time at = t + x;
        if (at > run->end_) return;
        run->sim_->schedule_at(at, [this, k] { arrive(k); });
        return;
      }
    }
    if (step_end == Time::max() || step_end > run->end_) return;
    t = step_end;
  }
}

void ScenarioRun::Impl::arrive(std::size_t k) {
  Churn& c = churn[k];
  ChurnStats& st = run->churn_stats_[k];
  schedule_arrival(k);
  if (st.arrivals >= c.spec->max_clients || (c.spec->population > 0 && c.absent.empty())) {
    ++st.suppressed;
    return;
  }
  ++st.arrivals;
  net::HostConfig hc;
  hc.name = expand(c.spec->name, c.next_index++);
  hc.segment = *run->network_->find_segment(c.spec->segment);
  uint64_t device = 0;
  if (c.spec->population > 0) {
    const std::size_t pick = c.rng.below(c.absent.size());
    device = c.absent[pick];
    c.absent[pick] = c.absent.back();
    c.absent.pop_back();
  } else {
    device = c.next_index - 1;
  }
  if (c.spec->random_mac) {
    // A fresh locally administered unicast MAC per arrival (MAC randomisation).
    uint64_t m = c.rng.next_u64() & 0xffffffffffffULL;
    m = (m | 0x020000000000ULL) & ~0x010000000000ULL;
    hc.mac = wire::MacAddress::from_u64(m);
  } else {
    hc.mac = churn_mac((uint64_t(k) << 24) + device);
  }
  hc.profile = c.profile;
  hc.boot_time = run->sim_->now();
  net::NodeId id = run->network_->add_host(hc);
  run->groups_[c.group].hosts.push_back(id);
  ++c.present;
  st.present_peak = std::max(st.present_peak, c.present);
  const Duration stay = c.spec->stay.sample(c.rng);
  const bool release = c.rng.bernoulli(c.spec->release_probability);
  auto leave = [this, k, id, device, release](bool blocked) {
    Churn& ch = churn[k];
    ChurnStats& s = run->churn_stats_[k];
    net::Network& n = *run->network_;
    if (n.host(id).gone) return;
    if (blocked) ++s.blocked;
    else ++s.departures;
    if (n.host_leave(id, !blocked && release, blocked)) ++s.releases;
    --ch.present;
    if (ch.spec->population > 0) ch.absent.push_back(device);
  };
  if (c.spec->patience) {
    run->sim_->schedule_in(*c.spec->patience, [this, id, leave] {
      const net::Host& h = run->network_->host(id);
      if (!h.gone && h.ip.source != net::AddressSource::kDhcp) leave(true);
      else if (!h.gone && h.ip.address.is_zero()) leave(true);
    });
  }
  run->sim_->schedule_in(stay, [leave] { leave(false); });
}

// ---- running ---------------------------------------------------------------------------------

void ScenarioRun::run(const std::function<void(Time)>& progress, Duration progress_step) {
  network_->start();
  for (std::size_t k = 0; k < impl_->churn.size(); ++k) impl_->schedule_arrival(k);
  if (progress_step <= Duration::zero() || !progress) {
    sim_->run_until(end_);
    return;
  }
  while (sim_->now() < end_) {
    Time next = std::min(end_, sim_->now() + progress_step);
    if (!sim_->run_until(next)) break;  // stop condition
    progress(sim_->now());
  }
}

}  // namespace dhcpsim::scenario
