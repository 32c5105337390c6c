#include "dhcpsim/report/summary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string_view>

#include <fmt/format.h>

#include "dhcpsim/proto/dhcp_client.hpp"
#include "dhcpsim/report/stats.hpp"

namespace dhcpsim::report {

using Json = nlohmann::ordered_json;
using namespace dhcpsim::net;

namespace {

constexpr std::array<ProbeKind, 4> kProbeKinds = {ProbeKind::kGateway, ProbeKind::kPeer,
                                                  ProbeKind::kOutside, ProbeKind::kDns};
constexpr std::array<std::string_view, 5> kMethods = {"static", "dhcp", "manual", "none", "churn"};
constexpr const char* kUngrouped = "(ungrouped)";

double seconds_of(int64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

/// Per-group (and overall) tallies.
struct Tally {
  std::string name;
  std::string method;
  uint64_t hosts = 0;
  uint64_t booted = 0;
  uint64_t with_address = 0;
  uint64_t with_address_at_end = 0;
  uint64_t link_local = 0;
  uint64_t bound_at_end = 0;
  uint64_t waiting_at_end = 0;
  uint64_t gave_up = 0;
  uint64_t left = 0;
  uint64_t blocked = 0;
  std::vector<int64_t> tta_ns;
  std::array<ProbeCounters, 4> probes{};
  std::array<bool, 4> probe_kind_used{};
};

const char* inferred_method(const Host& h) {
  if (h.static_ip) return "static";
  if (h.dhcp) return "dhcp";
  return "none";
}

Json tta_json(std::vector<int64_t>& ns) {
  std::sort(ns.begin(), ns.end());
  Json j = Json::object();
  j["n"] = ns.size();
  auto at = [&](double p) -> Json {
    auto v = nearest_rank(std::span<const int64_t>(ns), p);
    return v ? Json(seconds_of(*v)) : Json(nullptr);
  };
  if (ns.empty()) {
    j["mean"] = nullptr;
  } else {
    // Integer sum: exact and independent of summation order.
    __int128 sum = 0;
    for (int64_t v : ns) sum += v;
    j["mean"] = seconds_of(static_cast<int64_t>(sum / static_cast<__int128>(ns.size())));
  }
  j["p50"] = at(50);
  j["p90"] = at(90);
  j["p99"] = at(99);
  j["max"] = at(100);
  return j;
}

Json probes_json(const ProbeCounters& c) {
  Json j = Json::object();
  j["sent"] = c.sent;
  j["ok"] = c.ok;
  j["timeout"] = c.timeout;
  j["no_route"] = c.no_route;
  j["arp_failed"] = c.arp_failed;
  j["no_address"] = c.no_address;
  j["no_target"] = c.no_target;
  j["replies_elsewhere"] = c.replies_elsewhere;
  j["wrong_responder"] = c.wrong_responder;
  j["ok_ratio"] =
      c.sent > 0 ? Json(static_cast<double>(c.ok) / static_cast<double>(c.sent)) : Json(nullptr);
  j["rtt_mean_ms"] =
      c.ok > 0 ? Json(static_cast<double>(c.rtt_ns_sum / static_cast<int64_t>(c.ok)) / 1e6)
               : Json(nullptr);
  return j;
}

void add_counters(ProbeCounters& into, const ProbeCounters& c) {
  into.sent += c.sent;
  into.ok += c.ok;
  into.timeout += c.timeout;
  into.no_route += c.no_route;
  into.arp_failed += c.arp_failed;
  into.no_address += c.no_address;
  into.no_target += c.no_target;
  into.replies_elsewhere += c.replies_elsewhere;
  into.wrong_responder += c.wrong_responder;
  into.rtt_ns_sum += c.rtt_ns_sum;
}

Json probes_by_kind(const Tally& t) {
  Json j = Json::object();
  for (std::size_t k = 0; k < kProbeKinds.size(); ++k)
    if (t.probe_kind_used[k]) j[to_string(kProbeKinds[k])] = probes_json(t.probes[k]);
  return j;
}

void count_host(Tally& t, const Host& h, NodeId id, const MetricsCollector& m) {
  ++t.hosts;
  if (m.booted(id) || h.booted) ++t.booted;
  if (m.first_address(id)) ++t.with_address;
  if (!h.gone && !h.ip.address.is_zero() && h.ip.source != AddressSource::kLinkLocal &&
      !h.ip.address.is_link_local())
    ++t.with_address_at_end;
  if (m.had_link_local(id)) ++t.link_local;
  if (h.dhcp && !h.gone) {
    switch (h.dhcp->state()) {
      case proto::DhcpClientState::Bound:
      case proto::DhcpClientState::Renewing:
      case proto::DhcpClientState::Rebinding:
        ++t.bound_at_end;
        break;
      case proto::DhcpClientState::Stopped:
      case proto::DhcpClientState::Informing:
        break;
      default:
        ++t.waiting_at_end;
        break;
    }
  }
  if (m.gave_up(id)) ++t.gave_up;
  if (m.left(id)) ++t.left;
  if (m.blocked(id)) ++t.blocked;
  if (auto d = m.time_to_address(id)) t.tta_ns.push_back(d->ns());
  if (h.probes) {
    for (std::size_t k = 0; k < 4; ++k) add_counters(t.probes[k], h.probes->counters[k]);
  }
  if (h.profile) {
    const ProbeConfig& p = h.profile->probes;
    if (p.interval > core::Duration::zero()) {
      t.probe_kind_used[0] = t.probe_kind_used[0] || p.gateway;
      t.probe_kind_used[1] = t.probe_kind_used[1] || !p.peers.empty();
      t.probe_kind_used[2] = t.probe_kind_used[2] || !p.outside.empty();
      t.probe_kind_used[3] = t.probe_kind_used[3] || p.dns;
    }
  }
  if (h.probes) {
    for (std::size_t k = 0; k < 4; ++k)
      if (h.probes->counters[k].sent > 0) t.probe_kind_used[k] = true;
  }
}

Json group_json(Tally& t) {
  Json j = Json::object();
  j["method"] = t.method;
  j["hosts"] = t.hosts;
  j["booted"] = t.booted;
  j["with_address"] = t.with_address;
  j["without_address"] = t.hosts - t.with_address;
  j["with_address_at_end"] = t.with_address_at_end;
  j["link_local"] = t.link_local;
  j["bound_at_end"] = t.bound_at_end;
  j["waiting_at_end"] = t.waiting_at_end;
  j["gave_up"] = t.gave_up;
  j["left"] = t.left;
  j["blocked"] = t.blocked;
  j["time_to_address_s"] = tta_json(t.tta_ns);
  j["probes"] = probes_by_kind(t);
  return j;
}

}  // namespace

Json build_summary(const SummaryInputs& in, const Network& net, const Grouping& grouping,
                   const MetricsCollector& m) {
  Json s = Json::object();

  Json scenario = Json::object();
  scenario["name"] = in.scenario_name;
  scenario["file"] = in.scenario_file;
  scenario["seed"] = in.seed;
  scenario["program_version"] = in.program_version;
  s["scenario"] = std::move(scenario);

  Json run = Json::object();
  run["simulated_time_s"] = seconds_of(in.simulated_time.ns());
  run["stop_reason"] = in.stop_reason;
  run["events_executed"] = in.events_executed;
  run["timeseries_bucket_s"] = seconds_of(m.bucket().ns());
  s["run"] = std::move(run);

  // ---- hosts and groups ----
  std::vector<Tally> groups(grouping.groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    groups[g].name = grouping.groups[g].name;
    groups[g].method = grouping.groups[g].method;
  }
  Tally ungrouped;
  ungrouped.name = kUngrouped;
  Tally all;
  std::vector<std::pair<std::string, uint64_t>> by_method;
  auto bump_method = [&](const std::string& method, uint64_t n) {
    for (auto& [name, count] : by_method)
      if (name == method) {
        count += n;
        return;
      }
    by_method.emplace_back(method, n);
  };
  for (std::string_view method : kMethods)
    for (const Group& g : grouping.groups)
      if (g.method == method) {
        bump_method(g.method, 0);
        break;
      }
  for (const Group& g : grouping.groups) bump_method(g.method, 0);

  for (uint32_t v = 0; v < net.node_count(); ++v) {
    const NodeId id(v);
    if (net.node_kind(id) != NodeKind::kHost) continue;
    const Host& h = net.host(id);
    const uint32_t g = grouping.group_of(id);
    Tally* t = nullptr;
    std::string method;
    if (g < groups.size()) {
      t = &groups[g];
      method = t->method;
    } else {
      t = &ungrouped;
      method = inferred_method(h);
      if (ungrouped.hosts == 0)
        ungrouped.method = method;
      else if (ungrouped.method != method)
        ungrouped.method = "mixed";
    }
    count_host(*t, h, id, m);
    count_host(all, h, id, m);
    bump_method(method, 1);
  }

  Json hosts = Json::object();
  hosts["total"] = all.hosts;
  Json methods = Json::object();
  for (const auto& [name, count] : by_method) methods[name] = count;
  hosts["by_method"] = std::move(methods);
  hosts["booted"] = all.booted;
  hosts["with_address"] = all.with_address;
  hosts["with_address_at_end"] = all.with_address_at_end;
  hosts["link_local"] = all.link_local;
  hosts["dhcp_bound_at_end"] = all.bound_at_end;
  hosts["dhcp_waiting_at_end"] = all.waiting_at_end;
  hosts["peak_bound"] = m.peak_bound();
  hosts["peak_waiting"] = m.peak_waiting();
  hosts["gave_up"] = all.gave_up;
  hosts["left"] = all.left;
  hosts["left_without_address"] = m.left_without_address();
  hosts["blocked"] = all.blocked;
  hosts["time_to_address_s"] = tta_json(all.tta_ns);
  s["hosts"] = std::move(hosts);

  Json gj = Json::object();
  for (Tally& t : groups) {
    std::string key = t.name;
    while (gj.contains(key)) key += "'";
    gj[key] = group_json(t);
  }
  if (ungrouped.hosts > 0) gj[kUngrouped] = group_json(ungrouped);
  s["groups"] = std::move(gj);
  s["probes"] = probes_by_kind(all);

  // ---- DHCP messages ----
  Json msgs = Json::object();
  uint64_t total = 0;
  for (std::size_t t = 1; t < MetricsCollector::kMessageTypes; ++t) {
    msgs[MetricsCollector::message_type_name(t)] = m.messages_sent()[t];
    total += m.messages_sent()[t];
  }
  msgs["other"] = m.messages_sent()[0];
  total += m.messages_sent()[0];
  msgs["total"] = total;
  msgs["relayed"] = m.relayed();
  s["dhcp_messages"] = std::move(msgs);

  Json leases = Json::object();
  for (auto k : {LeaseChangeKind::kAcquired, LeaseChangeKind::kRenewed, LeaseChangeKind::kLost,
                 LeaseChangeKind::kReleased})
    leases[to_string(k)] = m.lease_changes()[static_cast<std::size_t>(k)];
  s["client_leases"] = std::move(leases);

  // ---- servers ----
  Json servers = Json::object();
  for (uint32_t svc = 0; svc < net.service_count(); ++svc) {
    const DhcpService& d = net.service(svc);
    if (!d.engine) continue;
    const std::string* name = grouping.server_name(d.node);
    std::string key = name != nullptr ? *name : net.node_name(d.node);
    while (servers.contains(key)) key += "'";
    const proto::DhcpServerStats st = d.engine->stats();
    uint64_t pool = 0;
    for (uint32_t sub = 0; sub < d.engine->subnet_count(); ++sub)
      pool += d.engine->subnet_counts(sub).pool_size;
    Json j = Json::object();
    j["node"] = net.node_name(d.node);
    j["running_at_end"] = d.engine->running();
    j["pool_size"] = pool;
    j["leases_at_end"] = st.leases_active;
    j["peak_leases"] = st.leases_peak;
    j["received"] = d.stats.received;
    j["offers"] = st.offers;
    j["acks"] = st.acks;
    j["renewals"] = st.renewals;
    j["naks"] = st.naks;
    j["declines"] = st.declines;
    j["releases"] = st.releases;
    j["informs"] = st.informs;
    j["exhausted"] = st.exhausted;
    j["ping_checks"] = st.ping_checks;
    j["ping_conflicts"] = st.ping_conflicts;
    j["queue_drops"] = d.stats.queue_drops;
    j["queue_peak"] = d.stats.queue_peak;
    servers[key] = std::move(j);
  }
  s["servers"] = std::move(servers);

  // ---- conflicts ----
  const ConflictTotals truth = net.conflict_totals();
  Json gt = Json::object();
  gt["addresses_conflicted"] = truth.addresses_conflicted;
  gt["episodes"] = truth.conflict_episodes;
  gt["host_seconds"] = seconds_of(truth.host_ns_in_conflict);
  gt["open_at_end"] = net.conflicts_now().size();
  gt["peak_concurrent"] = m.peak_conflicts();
  Json det = Json::object();
  for (auto d : {Detector::kAcd, Detector::kPingCheck, Detector::kDecline, Detector::kLinkLocalAcd})
    det[to_string(d)] = m.detected(d);
  Json conflicts = Json::object();
  conflicts["ground_truth"] = std::move(gt);
  conflicts["detected"] = std::move(det);
  s["conflicts"] = std::move(conflicts);

  // ---- network ----
  uint64_t flips = 0, stray = 0, not_for_us = 0, arp_failures = 0, no_route = 0;
  for (uint32_t v = 0; v < net.node_count(); ++v) {
    const NodeId id(v);
    if (net.node_kind(id) == NodeKind::kHost) {
      const HostStats& hs = net.host(id).stats;
      flips += hs.arp_flips;
      stray += hs.stray_replies;
      not_for_us += hs.not_for_us;
      arp_failures += hs.arp_failures;
      no_route += hs.no_route;
    } else {
      const RouterStats& rs = net.router(id).stats;
      flips += rs.arp_flips;
      arp_failures += rs.arp_failures;
      no_route += rs.no_route;
    }
  }
  SegmentStats seg;
  for (uint32_t k = 0; k < net.segment_count(); ++k) {
    const SegmentStats& x = net.segment(SegmentId(k)).stats;
    seg.frames_sent += x.frames_sent;
    seg.bytes_sent += x.bytes_sent;
    seg.broadcasts_sent += x.broadcasts_sent;
    seg.deliveries += x.deliveries;
    seg.discarded += x.discarded;
    seg.lost += x.lost;
    seg.duplicated += x.duplicated;
    seg.malformed += x.malformed;
    seg.link_down_drops += x.link_down_drops;
  }
  Json nj = Json::object();
  nj["arp_flips"] = flips;
  nj["stray_replies"] = stray;
  nj["not_for_us"] = not_for_us;
  nj["arp_failures"] = arp_failures;
  nj["no_route"] = no_route;
  nj["frames_sent"] = seg.frames_sent;
  nj["bytes_sent"] = seg.bytes_sent;
  nj["broadcasts_sent"] = seg.broadcasts_sent;
  nj["deliveries"] = seg.deliveries;
  nj["discarded"] = seg.discarded;
  nj["lost"] = seg.lost;
  nj["duplicated"] = seg.duplicated;
  nj["malformed"] = seg.malformed;
  nj["link_down_drops"] = seg.link_down_drops;
  s["network"] = std::move(nj);

  Json churn = Json::object();
  for (const ChurnStats& c : in.churn) {
    Json j = Json::object();
    j["arrivals"] = c.arrivals;
    j["departures"] = c.departures;
    j["blocked"] = c.blocked;
    j["released"] = c.released;
    j["peak_present"] = c.peak_present;
    std::string key = c.group;
    while (churn.contains(key)) key += "'";
    churn[key] = std::move(j);
  }
  s["churn"] = std::move(churn);

  if (in.wall) {
    Json w = Json::object();
    w["seconds"] = in.wall->seconds;
    w["events_per_second"] = in.wall->events_per_second;
    w["peak_rss_kib"] = in.wall->peak_rss_kib ? Json(*in.wall->peak_rss_kib) : Json(nullptr);
    s["wall"] = std::move(w);
  } else {
    s["wall"] = nullptr;
  }
  return s;
}

// ---- the table -----------------------------------------------------------------------------

namespace {

const Json& at(const Json& j, std::string_view key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(std::string(key));
  return it == j.end() ? kNull : *it;
}

/// A number as people read it: integers plainly, others with `decimals` decimals; "-" for
/// null or missing; an aggregated leaf as "mean ±ci".
std::string num(const Json& j, int decimals = 3) {
  if (is_estimate(j)) {
    // Replications: "mean±ci95", whole numbers without decimals.
    auto part = [&](const Json& v) {
      if (!v.is_number()) return std::string("-");
      const double x = v.get<double>();
      if (x == std::floor(x) && std::fabs(x) < 1e15)
        return fmt::format("{}", static_cast<int64_t>(x));
      return fmt::format("{:.{}f}", x, decimals);
    };
    std::string s = part(j["mean"]);
    if (!j["ci95"].is_null()) s += "±" + part(j["ci95"]);
    return s;
  }
  if (j.is_number_integer() || j.is_number_unsigned()) return j.dump();
  if (j.is_number_float()) return fmt::format("{:.{}f}", j.get<double>(), decimals);
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  return "-";
}

/// ok / sent over every probe kind of a group.
std::string probe_ok(const Json& probes) {
  if (!probes.is_object() || probes.empty()) return "-";
  double sent = 0, ok = 0;
  for (auto it = probes.begin(); it != probes.end(); ++it) {
    const Json& s = at(*it, "sent");
    const Json& o = at(*it, "ok");
    auto value = [](const Json& v) {
      if (is_estimate(v)) return v["mean"].is_number() ? v["mean"].get<double>() : 0.0;
      return v.is_number() ? v.get<double>() : 0.0;
    };
    sent += value(s);
    ok += value(o);
  }
  if (sent <= 0) return "-";
  return fmt::format("{:.1f}%", ok / sent * 100.0);
}

}  // namespace

std::string format_summary_table(const Json& s) {
  std::string out;
  const Json& sc = at(s, "scenario");
  const Json& run = at(s, "run");
  // An aggregate of replications has "replications" and a list of seeds instead of one.
  const std::string seed = at(s, "replications").is_number()
                               ? fmt::format("replications {}", num(at(s, "replications")))
                               : fmt::format("seed {}", num(at(sc, "seed")));
  out += fmt::format("scenario {}  {}  simulated {} s  events {}  stop {}\n", num(at(sc, "name")),
                     seed, num(at(run, "simulated_time_s")), num(at(run, "events_executed")),
                     num(at(run, "stop_reason")));
  const Json& wall = at(s, "wall");
  if (wall.is_object()) {
    out += fmt::format("wall {} s  {} events/s  peak RSS {} KiB\n", num(at(wall, "seconds")),
                       num(at(wall, "events_per_second"), 0), num(at(wall, "peak_rss_kib")));
  }

  const Json& groups = at(s, "groups");
  if (groups.is_object() && !groups.empty()) {
    out += fmt::format("\n{:<20} {:<7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "group", "method",
                       "hosts", "address", "p50 s", "p90 s", "max s", "probe ok");
    for (auto it = groups.begin(); it != groups.end(); ++it) {
      const Json& g = *it;
      const Json& tta = at(g, "time_to_address_s");
      out += fmt::format("{:<20} {:<7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n", it.key(),
                         num(at(g, "method")), num(at(g, "hosts")), num(at(g, "with_address")),
                         num(at(tta, "p50")), num(at(tta, "p90")), num(at(tta, "max")),
                         probe_ok(at(g, "probes")));
    }
  }

  const Json& servers = at(s, "servers");
  if (servers.is_object() && !servers.empty()) {
    out += fmt::format("\n{:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8} {:>9} {:>8}\n", "server",
                       "pool", "leases", "peak", "offers", "acks", "naks", "declines", "exhausted",
                       "drops");
    for (auto it = servers.begin(); it != servers.end(); ++it) {
      const Json& v = *it;
      out += fmt::format("{:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8} {:>9} {:>8}\n", it.key(),
                         num(at(v, "pool_size")), num(at(v, "leases_at_end")),
                         num(at(v, "peak_leases")), num(at(v, "offers")), num(at(v, "acks")),
                         num(at(v, "naks")), num(at(v, "declines")), num(at(v, "exhausted")),
                         num(at(v, "queue_drops")));
    }
  }

  const Json& conflicts = at(s, "conflicts");
  if (conflicts.is_object()) {
    const Json& gt = at(conflicts, "ground_truth");
    const Json& det = at(conflicts, "detected");
    out += fmt::format(
        "\nconflicts  addresses {}  episodes {}  host-seconds {}  open at end {}\n"
        "detected   acd {}  ping check {}  decline {}  link-local acd {}\n",
        num(at(gt, "addresses_conflicted")), num(at(gt, "episodes")), num(at(gt, "host_seconds")),
        num(at(gt, "open_at_end")), num(at(det, "acd")), num(at(det, "ping_check")),
        num(at(det, "decline")), num(at(det, "link_local_acd")));
  }

  const Json& msgs = at(s, "dhcp_messages");
  if (msgs.is_object()) {
    out += "messages  ";
    for (auto it = msgs.begin(); it != msgs.end(); ++it) {
      std::string name = it.key();
      if (name.rfind("DHCP", 0) == 0) name = name.substr(4);
      out += fmt::format(" {} {}", name, num(*it));
    }
    out += "\n";
  }

  const Json& hosts = at(s, "hosts");
  if (hosts.is_object()) {
    out += fmt::format(
        "hosts      {} total  {} with address  {} link-local  {} gave up  {} left  {} blocked\n",
        num(at(hosts, "total")), num(at(hosts, "with_address")), num(at(hosts, "link_local")),
        num(at(hosts, "gave_up")), num(at(hosts, "left")), num(at(hosts, "blocked")));
  }
  const Json& net = at(s, "network");
  if (net.is_object()) {
    out += fmt::format("network    {} ARP flips  {} stray replies  {} frames  {} lost\n",
                       num(at(net, "arp_flips")), num(at(net, "stray_replies")),
                       num(at(net, "frames_sent")), num(at(net, "lost")));
  }
  return out;
}

std::optional<uint64_t> read_peak_rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      unsigned long long kib = 0;
      if (std::sscanf(line.c_str() + 6, "%llu", &kib) == 1) return static_cast<uint64_t>(kib);
    }
  }
  return std::nullopt;
}

}  // namespace dhcpsim::report
