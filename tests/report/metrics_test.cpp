#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "dhcpsim/report/metrics.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/summary.hpp"
#include "report_fixture.hpp"

using namespace dhcpsim::report_testing;
using namespace dhcpsim::core::literals;
namespace report = dhcpsim::report;
namespace proto = dhcpsim::proto;

namespace {

const Time kT0 = Time::zero();

report::SummaryInputs inputs(const TestNet& t,
                             std::optional<report::WallStats> wall = std::nullopt) {
  report::SummaryInputs in;
  in.scenario_name = "office";
  in.scenario_file = "office.json";
  in.seed = t.sim.seed();
  in.program_version = "test";
  in.simulated_time = t.sim.now();
  in.stop_reason = "end";
  in.events_executed = t.sim.queue().events_executed();
  in.wall = wall;
  return in;
}

nlohmann::ordered_json summary_of(const TestNet& t,
                                  std::optional<report::WallStats> wall = std::nullopt) {
  return report::build_summary(inputs(t, wall), t.net, t.grouping, *t.metrics);
}

}  // namespace

// A boot storm of 5 DHCP clients and 2 static hosts: every client does exactly one DORA
// (4 messages), the summary's counts match the server's, and the time series has one row
// per bucket, a bound count that never falls, and a lease column that ends at the
// server's count.
TEST(Metrics, OfficeBootStormCountsAndSeries) {
  Office o;
  auto& m = o.start(1_s, kT0 + 60_s);
  o.sim.run_until(kT0 + 60_s);
  m.finish(o.sim.now());

  EXPECT_EQ(m.messages_sent()[1], 5u);  // DISCOVER
  EXPECT_EQ(m.messages_sent()[2], 5u);  // OFFER
  EXPECT_EQ(m.messages_sent()[3], 5u);  // REQUEST
  EXPECT_EQ(m.messages_sent()[5], 5u);  // ACK
  EXPECT_EQ(m.relayed(), 0u);
  EXPECT_EQ(m.bound_now(), 5u);
  EXPECT_EQ(m.waiting_now(), 0u);
  EXPECT_EQ(m.peak_bound(), 5u);

  const auto s = summary_of(o);
  EXPECT_EQ(s["dhcp_messages"]["DHCPDISCOVER"], 5);
  EXPECT_EQ(s["dhcp_messages"]["DHCPOFFER"], 5);
  EXPECT_EQ(s["dhcp_messages"]["DHCPREQUEST"], 5);
  EXPECT_EQ(s["dhcp_messages"]["DHCPACK"], 5);
  EXPECT_EQ(s["dhcp_messages"]["total"], 20);  // 4 per client
  EXPECT_EQ(s["hosts"]["total"], 7);
  EXPECT_EQ(s["hosts"]["by_method"]["dhcp"], 5);
  EXPECT_EQ(s["hosts"]["by_method"]["static"], 2);
  EXPECT_EQ(s["hosts"]["with_address"], 7);
  EXPECT_EQ(s["groups"]["pcs"]["hosts"], 5);
  EXPECT_EQ(s["groups"]["pcs"]["with_address"], 5);
  EXPECT_EQ(s["groups"]["pcs"]["bound_at_end"], 5);
  EXPECT_EQ(s["groups"]["pcs"]["time_to_address_s"]["n"], 5);
  EXPECT_EQ(s["groups"]["fixed"]["with_address"], 2);
  // A static address is configured at boot.
  EXPECT_EQ(s["groups"]["fixed"]["time_to_address_s"]["max"], 0.0);
  EXPECT_FALSE(s["groups"].contains("(ungrouped)"));

  const auto& srv = s["servers"]["dhcpd"];
  EXPECT_EQ(srv["node"], "gw");
  EXPECT_EQ(srv["pool_size"], 100);
  EXPECT_EQ(srv["leases_at_end"], 5);
  EXPECT_EQ(srv["peak_leases"], 5);
  EXPECT_EQ(srv["offers"], 5);
  EXPECT_EQ(srv["acks"], 5);
  EXPECT_EQ(srv["naks"], 0);
  EXPECT_EQ(srv["exhausted"], 0);
  EXPECT_EQ(srv["received"], o.net.service_of(o.gw)->stats.received);

  // Probes: the static hosts probe the gateway at 5, 15, ..., 55 s: 6 rounds each.
  const auto& gwp = s["groups"]["fixed"]["probes"]["gateway"];
  uint64_t sent = 0, ok = 0;
  for (NodeId h : o.statics_) {
    sent += o.net.host(h).probes->counters[0].sent;
    ok += o.net.host(h).probes->counters[0].ok;
  }
  EXPECT_EQ(gwp["sent"], sent);
  EXPECT_EQ(gwp["ok"], ok);
  EXPECT_EQ(sent, 12u);
  EXPECT_EQ(gwp["ok_ratio"], double(ok) / double(sent));
  EXPECT_FALSE(s["groups"]["pcs"]["probes"].contains("gateway"));

  EXPECT_EQ(s["conflicts"]["ground_truth"]["addresses_conflicted"], 0);
  EXPECT_EQ(s["conflicts"]["ground_truth"]["host_seconds"], 0.0);

  // Time series: 60 rows of 1 s.
  const report::TimeSeries& ts = m.timeseries();
  ASSERT_EQ(ts.rows(), 60u);
  EXPECT_EQ(ts.times.front(), kT0 + 1_s);
  EXPECT_EQ(ts.times.back(), kT0 + 60_s);
  const auto bound = ts.series("bound");
  const auto waiting = ts.series("waiting");
  EXPECT_TRUE(std::is_sorted(bound.begin(), bound.end()));
  EXPECT_EQ(bound.back(), 5);
  for (std::size_t r = 0; r < ts.rows(); ++r) EXPECT_LE(bound[r] + waiting[r], 5);
  const auto leases = ts.series("leases:dhcpd/10.0.0.0/24/10.0.0.100-10.0.0.199");
  ASSERT_EQ(leases.size(), 60u);
  EXPECT_EQ(uint64_t(leases.back()), o.server().stats().leases_active);
  const auto disc = ts.series("msg:DHCPDISCOVER");
  EXPECT_EQ(std::accumulate(disc.begin(), disc.end(), int64_t(0)), 5);
  const auto acks = ts.series("msg:DHCPACK");
  EXPECT_EQ(std::accumulate(acks.begin(), acks.end(), int64_t(0)), 5);
}

// Time to address, nearest rank, on a set known by construction: client k (1..10) waits
// exactly k seconds before its first DISCOVER, and every DORA takes the same latency L,
// so the times are k s + L: p50 = 5 s + L, p90 = 9 s + L, p99 = max = 10 s + L.
TEST(Metrics, TimeToAddressPercentilesOnAKnownSet) {
  TestNet t;
  SegmentId lan = t.segment("lan", "10.0.0.0/24");
  RouterConfig rc;
  rc.name = "gw";
  rc.interfaces = {TestNet::rif("eth0", lan, 0x01, "10.0.0.1", 24)};
  rc.dhcp_server = dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199);
  t.net.add_router(rc);
  const uint32_t g = t.group("stagger", "dhcp");
  std::vector<NodeId> ids;
  for (int k = 1; k <= 10; ++k) {
    auto p = dhcp_profile([k](proto::DhcpClientConfig& c) {
      c.start_delay_min = dhcpsim::core::seconds(k);
      c.start_delay_max = dhcpsim::core::seconds(k);
    });
    ids.push_back(t.dhcp_host("c" + std::to_string(k), lan, 0x100 + k, p, g));
  }
  auto& m = t.start(10_s, kT0 + 30_s);
  t.sim.run_until(kT0 + 30_s);
  m.finish(t.sim.now());

  const Duration latency = *m.time_to_address(ids[0]) - 1_s;
  EXPECT_GT(latency, Duration::zero());
  EXPECT_LT(latency, 10_ms);
  for (int k = 1; k <= 10; ++k)
    EXPECT_EQ(*m.time_to_address(ids[k - 1]), dhcpsim::core::seconds(k) + latency);

  const auto s = summary_of(t);
  const auto& tta = s["groups"]["stagger"]["time_to_address_s"];
  auto secs = [](Duration d) { return double(d.ns()) / 1e9; };
  EXPECT_EQ(tta["n"], 10);
  EXPECT_EQ(tta["p50"], secs(5_s + latency));
  EXPECT_EQ(tta["p90"], secs(9_s + latency));
  EXPECT_EQ(tta["p99"], secs(10_s + latency));
  EXPECT_EQ(tta["max"], secs(10_s + latency));
  // Mean of (k + L), k = 1..10: 5.5 s + L.
  EXPECT_EQ(tta["mean"], secs(5500_ms + latency));
  EXPECT_EQ(s["hosts"]["time_to_address_s"]["p50"], secs(5_s + latency));
}

// Ground truth on a duplicate static address: host b boots at 10 s with a's address and
// no ACD, so from 10 s to 60 s two hosts hold it: 1 address, 1 episode, 2 x 50 = 100
// host-seconds, open at the end; the series shows it from the 10 s sample on.
TEST(Metrics, DuplicateStaticPairConflictHostSeconds) {
  TestNet t;
  SegmentId lan = t.segment("lan", "10.0.0.0/24");
  const uint32_t g = t.group("typos", "static");
  t.static_host("a", lan, 0x10, "10.0.0.50", g);
  t.static_host("b", lan, 0x11, "10.0.0.50", g, nullptr, kT0 + 10_s);
  auto& m = t.start(5_s, kT0 + 60_s);
  t.sim.run_until(kT0 + 60_s);
  m.finish(t.sim.now());

  const auto s = summary_of(t);
  const auto& gt = s["conflicts"]["ground_truth"];
  EXPECT_EQ(gt["addresses_conflicted"], 1);
  EXPECT_EQ(gt["episodes"], 1);
  EXPECT_EQ(gt["host_seconds"], 100.0);
  EXPECT_EQ(gt["open_at_end"], 1);
  EXPECT_EQ(gt["peak_concurrent"], 1);
  EXPECT_EQ(s["conflicts"]["detected"]["acd"], 0);

  const auto now = m.timeseries().series("conflicts_now");
  ASSERT_EQ(now.size(), 12u);
  // Samples at 5 s: none; at 10 s the boot (scheduled before the sampler) has run.
  EXPECT_EQ(now[0], 0);
  for (std::size_t r = 1; r < now.size(); ++r) EXPECT_EQ(now[r], 1) << r;
}

// Relay forwards are not new messages: one client behind a relay sends one DISCOVER and
// one REQUEST, the server one OFFER and one ACK, and the relay forwards each once.
TEST(Metrics, RelayForwardsCountedApart) {
  TestNet t;
  SegmentId lan = t.segment("lan-c", "10.0.1.0/24");
  SegmentId dc = t.segment("dc", "10.0.9.0/24");
  RouterConfig rc;
  rc.name = "r1";
  rc.interfaces = {TestNet::rif("eth0", lan, 0x11, "10.0.1.1", 24),
                   TestNet::rif("eth1", dc, 0x91, "10.0.9.1", 24)};
  rc.relay = RelayConfig{{ip("10.0.9.5")}, {0}, 16, false};
  t.net.add_router(rc);
  HostConfig sc;
  sc.name = "dhcpd";
  sc.segment = dc;
  sc.mac = mac(0x95);
  sc.profile = std::make_shared<HostProfile>();
  sc.static_ip = StaticIpConfig{ip("10.0.9.5"), ip("255.255.255.0"), ip("10.0.9.1"), Ipv4Address()};
  sc.dhcp_server = dhcp_server("10.0.9.5", "10.0.1.0/24", 100, 199);
  NodeId server = t.net.add_host(sc);
  t.grouping.set_group(server, t.group("servers", "static"));
  t.grouping.servers.emplace_back("central", server);
  t.dhcp_host("laptop", lan, 0x500, dhcp_profile(), t.group("laptops", "dhcp"));
  auto& m = t.start(1_s, kT0 + 10_s);
  t.sim.run_until(kT0 + 10_s);
  m.finish(t.sim.now());

  const auto s = summary_of(t);
  EXPECT_EQ(s["dhcp_messages"]["DHCPDISCOVER"], 1);
  EXPECT_EQ(s["dhcp_messages"]["DHCPOFFER"], 1);
  EXPECT_EQ(s["dhcp_messages"]["DHCPREQUEST"], 1);
  EXPECT_EQ(s["dhcp_messages"]["DHCPACK"], 1);
  EXPECT_EQ(s["dhcp_messages"]["total"], 4);
  EXPECT_EQ(s["dhcp_messages"]["relayed"], 4);
  EXPECT_EQ(s["servers"]["central"]["node"], "dhcpd");
  EXPECT_EQ(s["servers"]["central"]["leases_at_end"], 1);
  EXPECT_EQ(s["groups"]["laptops"]["bound_at_end"], 1);
  const auto relayed = m.timeseries().series("relayed");
  EXPECT_EQ(std::accumulate(relayed.begin(), relayed.end(), int64_t(0)), 4);
  EXPECT_TRUE(
      m.timeseries().column("leases:central/10.0.1.0/24/10.0.1.100-10.0.1.199").has_value());
}

// A client with no server waits; when it leaves because its patience ran out it counts
// as blocked (cumulative) and stops counting as waiting. A client that leaves without an
// address for another reason (its stay ended) is not blocked, only "left without address".
TEST(Metrics, LeavingWithoutAnAddressIsBlocked) {
  TestNet t;
  SegmentId lan = t.segment("lan", "10.0.0.0/24");
  const uint32_t g = t.group("visitors", "churn");
  NodeId v = t.dhcp_host("v1", lan, 0x300, dhcp_profile(), g);
  NodeId w = t.dhcp_host("v2", lan, 0x301, dhcp_profile(), g);
  NodeId x = t.dhcp_host("v3", lan, 0x302, dhcp_profile(), g);
  t.sim.schedule_at(kT0 + 15_s, [&] { t.net.host_leave(v, true, /*blocked=*/true); });
  t.sim.schedule_at(kT0 + 5_s, [&] { t.net.host_leave(x, false); });
  auto& m = t.start(10_s, kT0 + 30_s);
  t.sim.run_until(kT0 + 30_s);
  m.finish(t.sim.now());

  const report::TimeSeries& ts = m.timeseries();
  ASSERT_EQ(ts.rows(), 3u);
  EXPECT_EQ(ts.series("waiting"), (std::vector<int64_t>{2, 1, 1}));
  EXPECT_EQ(ts.series("blocked"), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_EQ(ts.series("bound"), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_TRUE(m.blocked(v));
  EXPECT_FALSE(m.blocked(w));
  EXPECT_FALSE(m.blocked(x));
  EXPECT_TRUE(m.left(v));
  EXPECT_TRUE(m.left(x));
  EXPECT_EQ(m.left_without_address(), 2u);

  report::SummaryInputs in = inputs(t);
  in.churn.push_back({"visitors", 2, 1, 1, 0, 2});
  const auto s = report::build_summary(in, t.net, t.grouping, m);
  EXPECT_EQ(s["hosts"]["blocked"], 1);
  EXPECT_EQ(s["hosts"]["left"], 2);
  EXPECT_EQ(s["hosts"]["left_without_address"], 2);
  EXPECT_EQ(s["groups"]["visitors"]["waiting_at_end"], 1);
  EXPECT_EQ(s["groups"]["visitors"]["without_address"], 3);
  EXPECT_EQ(s["churn"]["visitors"]["arrivals"], 2);
  EXPECT_EQ(s["churn"]["visitors"]["blocked"], 1);
  EXPECT_EQ(s["hosts"]["by_method"]["churn"], 3);
}

// A link-local address (RFC 3927 fallback) is counted apart and is not "an address": the
// time to address runs from boot to the DHCP lease that comes once the server starts.
TEST(Metrics, LinkLocalIsNotAUsableAddress) {
  auto p = dhcp_profile([](proto::DhcpClientConfig& c) {
    c.link_local.enabled = true;
    c.link_local.after_rounds = 0;
    c.link_local.after = 20_s;
  });
  // An office whose server starts stopped.
  TestNet t;
  SegmentId lan = t.segment("lan", "10.0.0.0/24");
  RouterConfig rc;
  rc.name = "gw";
  rc.interfaces = {TestNet::rif("eth0", lan, 0x01, "10.0.0.1", 24)};
  rc.dhcp_server = dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199, 1_h,
                               [](DhcpServiceConfig& s) { s.running_at_start = false; });
  NodeId gw = t.net.add_router(rc);
  NodeId c = t.dhcp_host("laptop", lan, 0x100, p, t.group("laptops", "dhcp"));
  auto& m = t.start(10_s, kT0 + 5_min);
  t.sim.run_until(kT0 + 1_min);
  EXPECT_TRUE(m.had_link_local(c));
  EXPECT_FALSE(m.first_address(c).has_value());
  auto mid = summary_of(t);
  EXPECT_EQ(mid["groups"]["laptops"]["link_local"], 1);
  EXPECT_EQ(mid["groups"]["laptops"]["with_address"], 0);
  EXPECT_EQ(mid["groups"]["laptops"]["with_address_at_end"], 0);
  EXPECT_EQ(mid["groups"]["laptops"]["waiting_at_end"], 1);
  EXPECT_TRUE(mid["groups"]["laptops"]["time_to_address_s"]["p50"].is_null());

  t.net.server_start(gw);
  t.sim.run_until(kT0 + 5_min);
  m.finish(t.sim.now());
  ASSERT_TRUE(m.first_address(c).has_value());
  EXPECT_GT(*m.time_to_address(c), 1_min);
  const auto s = summary_of(t);
  EXPECT_EQ(s["groups"]["laptops"]["with_address"], 1);
  EXPECT_EQ(s["groups"]["laptops"]["link_local"], 1);
  EXPECT_EQ(s["groups"]["laptops"]["bound_at_end"], 1);
}

// The last bucket is shorter when the run's length is no multiple of the bucket, and a
// run stopped early gets a last row at the time it stopped (finish).
TEST(Metrics, PartialLastBucketAndEarlyStop) {
  {
    Office o(2, 0);
    auto& m = o.start(10_s, kT0 + 25_s);
    o.sim.run_until(kT0 + 25_s);
    m.finish(o.sim.now());
    std::vector<Time> expect = {kT0 + 10_s, kT0 + 20_s, kT0 + 25_s};
    EXPECT_EQ(m.timeseries().times, expect);
    m.finish(o.sim.now());  // idempotent
    EXPECT_EQ(m.timeseries().rows(), 3u);
  }
  {
    Office o(2, 0);
    auto& m = o.start(10_s, kT0 + 100_s);
    o.sim.run_until(kT0 + 33_s);
    m.finish(o.sim.now());
    std::vector<Time> expect = {kT0 + 10_s, kT0 + 20_s, kT0 + 30_s, kT0 + 33_s};
    EXPECT_EQ(m.timeseries().times, expect);
    o.sim.run_until(kT0 + 100_s);  // no sampling event is left behind
    EXPECT_EQ(m.timeseries().rows(), 4u);
  }
  EXPECT_EQ(report::default_bucket(dhcpsim::core::hours(10)), 36_s);
  EXPECT_EQ(report::default_bucket(100_s), 1_s);
}

// The time series' CSV header is stable: these exact column names, in this order.
TEST(Metrics, TimeseriesCsvHeaderIsStable) {
  Office o(1, 0);
  auto& m = o.start(1_s, kT0 + 3_s);
  o.sim.run_until(kT0 + 3_s);
  m.finish(o.sim.now());
  const std::string csv = report::timeseries_csv(m.timeseries());
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(
      header,
      "t_s,bound,waiting,blocked,leases:dhcpd/10.0.0.0/24/10.0.0.100-10.0.0.199,"
      "msg:DHCPDISCOVER,msg:DHCPOFFER,msg:DHCPREQUEST,msg:DHCPDECLINE,msg:DHCPACK,msg:DHCPNAK,"
      "msg:DHCPRELEASE,msg:DHCPINFORM,msg:other,relayed,conflicts_now,"
      "detected:acd,detected:ping_check,detected:decline,detected:link_local_acd,server_drops,"
      "conflict_starts");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_EQ(csv.substr(csv.find('\n') + 1, 4), "1,1,");  // t_s 1, bound 1 (or waiting)
}

// Two runs of the same network and seed give byte-identical summary JSON and CSV.
TEST(Metrics, IdenticalRunsGiveIdenticalBytes) {
  auto run = [](uint64_t seed) {
    Office o(20, 2, seed);
    auto& m = o.start(1_s, kT0 + 40_s);
    o.sim.run_until(kT0 + 40_s);
    m.finish(o.sim.now());
    return std::make_pair(summary_of(o).dump(2), report::timeseries_csv(m.timeseries()));
  };
  const auto a = run(7);
  const auto b = run(7);
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
  const auto c = run(8);
  EXPECT_NE(a.first, c.first);  // the seed shows, at least
}

// Only the "wall" object holds wall-clock values: two summaries of one run that differ
// in wall statistics differ in nothing else.
TEST(Metrics, WallIsTheOnlyPlaceForWallClockValues) {
  Office o;
  auto& m = o.start(1_s, kT0 + 20_s);
  o.sim.run_until(kT0 + 20_s);
  m.finish(o.sim.now());
  auto a = summary_of(o, report::WallStats{1.25, 1000.0, 4096});
  auto b = summary_of(o, report::WallStats{9.5, 77.0, std::nullopt});
  auto none = summary_of(o);
  EXPECT_TRUE(none["wall"].is_null());
  EXPECT_EQ(a["wall"]["seconds"], 1.25);
  EXPECT_EQ(a["wall"]["events_per_second"], 1000.0);
  EXPECT_EQ(a["wall"]["peak_rss_kib"], 4096);
  EXPECT_TRUE(b["wall"]["peak_rss_kib"].is_null());
  EXPECT_EQ(a.back(), a["wall"]);  // last key
  a.erase("wall");
  b.erase("wall");
  none.erase("wall");
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_EQ(a.dump(), none.dump());
  // No key outside "wall" names wall-clock quantities.
  const std::string text = a.dump();
  for (const char* word : {"wall", "rss", "events_per_second"})
    EXPECT_EQ(text.find(word), std::string::npos) << word;
}

// Hosts without a group are reported as "(ungrouped)" with their inferred method; the
// table names groups and servers.
TEST(Metrics, UngroupedHostsAndTable) {
  Office o(3, 1);
  o.grouping.groups.clear();
  o.grouping.group_of_node.clear();
  auto& m = o.start(1_s, kT0 + 20_s);
  o.sim.run_until(kT0 + 20_s);
  m.finish(o.sim.now());
  const auto s = summary_of(o, report::WallStats{0.5, 2000.0, 1234});
  EXPECT_EQ(s["groups"]["(ungrouped)"]["hosts"], 4);
  EXPECT_EQ(s["groups"]["(ungrouped)"]["method"], "mixed");
  EXPECT_EQ(s["hosts"]["by_method"]["dhcp"], 3);
  EXPECT_EQ(s["hosts"]["by_method"]["static"], 1);
  const std::string table = report::format_summary_table(s);
  EXPECT_NE(table.find("scenario office"), std::string::npos) << table;
  EXPECT_NE(table.find("(ungrouped)"), std::string::npos) << table;
  EXPECT_NE(table.find("dhcpd"), std::string::npos) << table;
  EXPECT_NE(table.find("DISCOVER 3"), std::string::npos) << table;
  EXPECT_NE(table.find("wall 0.500 s"), std::string::npos) << table;
}
