#include <gtest/gtest.h>

#include <fmt/format.h>

#include "dhcpsim/report/html_report.hpp"

using namespace dhcpsim;
using namespace dhcpsim::report;
using Json = nlohmann::ordered_json;

namespace {

LadderMessage msg(int64_t t_us, const std::string& node, const std::string& role, bool sent,
                  const std::string& type, const std::string& src, const std::string& dst,
                  const std::string& server_id = "", const std::string& xid = "0x00000001") {
  LadderMessage m;
  m.t_ns = t_us * 1000;
  m.client = "pc-1";
  m.node = node;
  m.role = role;
  m.sent = sent;
  m.type = type;
  m.xid = xid;
  m.src = src;
  m.dst = dst;
  m.server_id = server_id;
  return m;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

/// The `data-receivers` of each message row, in order.
std::vector<int> receivers(const std::string& svg) {
  std::vector<int> out;
  const std::string key = "data-receivers=\"";
  for (auto p = svg.find(key); p != std::string::npos; p = svg.find(key, p + 1))
    out.push_back(std::stoi(svg.substr(p + key.size())));
  return out;
}

}  // namespace

// Seconds are formatted from integer nanoseconds with a fixed number of decimals, rounded.
TEST(HtmlReport, FixedSeconds) {
  EXPECT_EQ(fixed_seconds(1'234'567'890, 6), "1.234568");
  EXPECT_EQ(fixed_seconds(1'234'567'890, 0), "1");
  EXPECT_EQ(fixed_seconds(0, 3), "0.000");
  EXPECT_EQ(fixed_seconds(3'600'000'000'000, 6), "3600.000000");
  EXPECT_EQ(fixed_seconds(999'999'999, 3), "1.000");
  EXPECT_EQ(fixed_seconds(-1'500'000'000, 1), "-1.5");
  EXPECT_EQ(fixed_seconds(5, 9), "0.000000005");
}

// The CDF keeps every value when there are few, and evenly spaced ranks when many; the
// last point is the maximum at 1.
TEST(HtmlReport, CdfPoints) {
  Json a = cdf_json({3'000'000'000, 1'000'000'000, 2'000'000'000});
  EXPECT_EQ(a["n"], 3);
  EXPECT_EQ(a["x"], Json::parse("[1.0, 2.0, 3.0]"));
  EXPECT_EQ(a["y"][2], 1.0);
  EXPECT_NEAR(a["y"][0].get<double>(), 1.0 / 3, 1e-12);
  std::vector<int64_t> many;
  for (int64_t k = 5000; k >= 1; --k) many.push_back(k * 1'000'000);
  Json b = cdf_json(many, 1000);
  EXPECT_EQ(b["n"], 5000);
  ASSERT_EQ(b["x"].size(), 1000u);
  EXPECT_EQ(b["x"][0], 0.005);  // rank 5
  EXPECT_EQ(b["x"][999], 5.0);  // rank 5000
  EXPECT_EQ(b["y"][999], 1.0);
  Json c = cdf_json({});
  EXPECT_EQ(c["n"], 0);
  EXPECT_TRUE(c["x"].empty());
}

// A relayed DORA: the client's broadcast reaches the relay, which forwards it to the
// server; replies go back through the relay. Each message sent is one row, matched to who
// received it; lifelines for the client, the relay and the server.
TEST(HtmlReport, LadderOfARelayedExchange) {
  std::vector<LadderMessage> m = {
      msg(1000, "pc-1", "client", true, "DHCPDISCOVER", "0.0.0.0", "255.255.255.255"),
      msg(1100, "r1", "relay", true, "DHCPDISCOVER", "10.0.9.1", "10.0.9.5"),
      msg(1300, "srv", "server", false, "DHCPDISCOVER", "10.0.9.1", "10.0.9.5"),
      msg(1300, "srv", "server", true, "DHCPOFFER", "10.0.9.5", "10.0.1.1", "10.0.9.5"),
      msg(1500, "r1", "relay", true, "DHCPOFFER", "10.0.1.1", "255.255.255.255", "10.0.9.5"),
      msg(1600, "pc-1", "client", false, "DHCPOFFER", "10.0.1.1", "255.255.255.255", "10.0.9.5"),
      msg(2000, "pc-1", "client", true, "DHCPREQUEST", "0.0.0.0", "255.255.255.255", "10.0.9.5"),
      msg(2100, "r1", "relay", true, "DHCPREQUEST", "10.0.9.1", "10.0.9.5", "10.0.9.5"),
      // The server was busy: it took the request 25 ms later.
      msg(27300, "srv", "server", false, "DHCPREQUEST", "10.0.9.1", "10.0.9.5", "10.0.9.5"),
      msg(27300, "srv", "server", true, "DHCPACK", "10.0.9.5", "10.0.1.1", "10.0.9.5"),
      msg(27500, "r1", "relay", true, "DHCPACK", "10.0.1.1", "255.255.255.255", "10.0.9.5"),
      msg(27600, "pc-1", "client", false, "DHCPACK", "10.0.1.1", "255.255.255.255", "10.0.9.5"),
  };
  LadderStats st;
  const std::string svg = ladder_svg("pc-1", m, {{"srv", "dhcpd"}}, &st);
  EXPECT_EQ(st.participants, 3u);
  EXPECT_EQ(st.arrows, 8u);
  EXPECT_EQ(st.delivered, 8u);
  EXPECT_EQ(st.unmatched_receives, 0u);
  EXPECT_EQ(count(svg, "<g class=\"msg"), 8u);
  EXPECT_EQ(count(svg, "<g class=\"msg broadcast\""), 4u);  // DISCOVER, REQUEST, 2 relayed replies
  EXPECT_EQ(receivers(svg), (std::vector<int>{1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(count(svg, "class=\"lifeline\""), 3u);
  EXPECT_NE(svg.find(">dhcpd<"), std::string::npos);          // the server's name
  EXPECT_NE(svg.find(">server on srv<"), std::string::npos);  // and its node
  EXPECT_NE(svg.find(">0.001000 s<"), std::string::npos);     // virtual time on the left
  EXPECT_NE(svg.find("+25.200 ms"), std::string::npos);       // the wait in the server's queue
  EXPECT_EQ(svg.find("not received"), std::string::npos);
  EXPECT_EQ(ladder_svg("pc-1", m, {{"srv", "dhcpd"}}), svg);  // deterministic
}

// Two servers answer through one relay: each relayed OFFER is matched to the server whose
// identifier it carries, not to the latest one. A retransmitted DISCOVER nobody received
// ends in a cross.
TEST(HtmlReport, LadderMatchesRepliesByServerAndShowsLosses) {
  std::vector<LadderMessage> m = {
      msg(1000, "pc-1", "client", true, "DHCPDISCOVER", "0.0.0.0", "255.255.255.255"),
      msg(1100, "r1", "relay", true, "DHCPDISCOVER", "10.0.9.1", "10.0.9.5"),
      msg(1100, "r1", "relay", true, "DHCPDISCOVER", "10.0.9.1", "10.0.9.6"),
      msg(1300, "a", "server", false, "DHCPDISCOVER", "10.0.9.1", "10.0.9.5"),
      msg(1300, "b", "server", false, "DHCPDISCOVER", "10.0.9.1", "10.0.9.6"),
      msg(1300, "a", "server", true, "DHCPOFFER", "10.0.9.5", "10.0.1.1", "10.0.9.5"),
      msg(1310, "b", "server", true, "DHCPOFFER", "10.0.9.6", "10.0.1.1", "10.0.9.6"),
      // b's offer reaches the relay first.
      msg(1500, "r1", "relay", true, "DHCPOFFER", "10.0.1.1", "255.255.255.255", "10.0.9.6"),
      msg(1510, "r1", "relay", true, "DHCPOFFER", "10.0.1.1", "255.255.255.255", "10.0.9.5"),
      msg(1600, "pc-1", "client", false, "DHCPOFFER", "10.0.1.1", "255.255.255.255", "10.0.9.6"),
      msg(1610, "pc-1", "client", false, "DHCPOFFER", "10.0.1.1", "255.255.255.255", "10.0.9.5"),
      msg(5'000'000, "pc-1", "client", true, "DHCPDISCOVER", "0.0.0.0", "255.255.255.255", "",
          "0x00000002"),
  };
  LadderStats st;
  const std::string svg = ladder_svg("pc-1", m, {}, &st);
  EXPECT_EQ(st.participants, 4u);
  EXPECT_EQ(st.arrows, 8u);
  EXPECT_EQ(st.delivered, 7u);
  EXPECT_EQ(st.unmatched_receives, 0u);
  // DISCOVER -> relay; relay -> a; relay -> b; a's OFFER; b's OFFER; two relayed OFFERs;
  // the lost DISCOVER.
  EXPECT_EQ(receivers(svg), (std::vector<int>{1, 1, 1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(count(svg, "not received"), 1u);
  EXPECT_EQ(count(svg, "class=\"lost\""), 1u);
  // Each server's OFFER row shows its wait at the relay: a's 210 us (< 1 ms: no note).
  EXPECT_EQ(svg.find(" ms</text>"), std::string::npos);
}

// Names from the scenario are escaped in the SVG; a reception with no recorded send is
// counted, not drawn.
TEST(HtmlReport, LadderEscapesAndCountsStrays) {
  std::vector<LadderMessage> m = {
      msg(10, "<b>&", "server", false, "DHCPDISCOVER", "1.2.3.4", "255.255.255.255"),
  };
  LadderStats st;
  const std::string svg = ladder_svg("pc<1>", m, {}, &st);
  EXPECT_EQ(st.unmatched_receives, 1u);
  EXPECT_EQ(st.arrows, 0u);
  EXPECT_NE(svg.find("pc&lt;1&gt;"), std::string::npos);
  EXPECT_NE(svg.find("&lt;b&gt;&amp;"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
}

// messages.jsonl round trip and its error on a bad line.
TEST(HtmlReport, ParsesMessageLines) {
  auto ok = parse_messages_jsonl(
      "{\"t_ns\":5,\"client\":\"pc\",\"node\":\"gw\",\"role\":\"server\",\"sent\":true,"
      "\"type\":\"DHCPOFFER\",\"xid\":\"0x00000001\",\"src\":\"1.1.1.1\",\"dst\":\"2.2.2.2\","
      "\"addr\":\"2.2.2.2\"}\n\n");
  ASSERT_TRUE(ok.has_value()) << ok.error();
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].t_ns, 5);
  EXPECT_EQ((*ok)[0].addr, "2.2.2.2");
  EXPECT_TRUE((*ok)[0].server_id.empty());
  auto bad = parse_messages_jsonl("{\"t_ns\":5}\nnot json\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find("line 1"), std::string::npos);
}

// A run's page: self-contained (Chart.js inline, no src= or href= to anything), the data
// embedded with '<' escaped, no wall-clock values, one canvas per chart, every chosen
// client's ladder.
TEST(HtmlReport, RunPageIsSelfContained) {
  RunReportInput in;
  in.summary =
      Json::parse(R"({"scenario": {"name": "s</script>", "file": "/home/me/s.json", "seed": 7},
      "run": {"simulated_time_s": 10, "stop_reason": "duration", "events_executed": 99,
              "timeseries_bucket_s": 5},
      "hosts": {"total": 2}, "servers": {"dhcpd": {"node": "gw", "pool_size": 10}},
      "wall": {"seconds": 123.456789, "events_per_second": 4242.4242, "peak_rss_kib": 98765}})");
  in.timeseries_csv =
      "t_s,bound,waiting,blocked,leases:dhcpd/10.0.0.0/24/10.0.0.100-10.0.0.109,msg:DHCPDISCOVER,"
      "msg:DHCPOFFER,conflicts_now,detected:acd,detected:ping_check,detected:decline,"
      "detected:link_local_acd,conflict_starts\n"
      "5,1,1,0,1,2,1,0,0,0,0,0,0\n10,2,0,0,2,0,1,0,0,0,0,0,0\n";
  in.run = Json::parse(
      R"js({"scenario": {"name": "s</script>", "description": "d & <i>", "file": "s.json",
      "seed": 7, "program_version": "0.1.0"},
      "time_to_address": {"n": 2, "x": [1.5, 2.5], "y": [0.5, 1.0]},
      "servers": {"gw": "dhcpd"},
      "chosen": [{"client": "pc-1", "reasons": ["among the slowest to get an address"],
                  "time_to_address_s": 2.5, "messages": 1, "left_out": 0},
                 {"client": "pc-9", "reasons": ["followed (--follow)"], "time_to_address_s": null,
                  "messages": 0, "left_out": 0}]})js");
  in.messages_jsonl =
      "{\"t_ns\":5,\"client\":\"pc-1\",\"node\":\"pc-1\",\"role\":\"client\",\"sent\":true,"
      "\"type\":\"DHCPDISCOVER\",\"xid\":\"0x00000001\",\"src\":\"0.0.0.0\",\"dst\":\"255.255.255."
      "255\"}\n";
  in.scenario_text = "{\"name\": \"s</script>\"}\n";
  in.topology_svg =
      "<?xml version=\"1.0\"?>\n<!-- Generated by graphviz version 2.43.0 (0)\n -->\n<svg><g "
      "class=\"node\"></g></svg>\n";
  ReportAssets assets{
      "/*!\n * Chart.js v3.9.1\n */\nwindow.Chart = function () {}; // \"</script>\"\n"};
  auto html = render_run_report(in, assets);
  ASSERT_TRUE(html.has_value()) << html.error();
  const std::string& h = *html;
  EXPECT_EQ(count(h, "</script>"), 3u);  // Chart.js, the data, the page script
  EXPECT_EQ(h.find(" src="), std::string::npos);
  EXPECT_EQ(h.find(" href="), std::string::npos);
  EXPECT_EQ(h.find("123.456"), std::string::npos);  // wall-clock values stay out
  EXPECT_EQ(h.find("4242"), std::string::npos);
  EXPECT_EQ(h.find("98765"), std::string::npos);
  EXPECT_EQ(h.find("/home/me"), std::string::npos);  // and so do paths
  EXPECT_NE(h.find("Chart.js 3.9.1"), std::string::npos);
  EXPECT_NE(h.find("Graphviz 2.43.0"), std::string::npos);
  EXPECT_NE(h.find("d &amp; &lt;i&gt;"), std::string::npos);
  EXPECT_NE(h.find("<svg><g class=\"node\">"), std::string::npos);
  EXPECT_EQ(h.find("<?xml"), std::string::npos);
  for (const char* id : {"leases", "clients", "tta", "messages", "conflicts"})
    EXPECT_NE(h.find(std::string("<canvas id=\"chart-") + id + "\""), std::string::npos) << id;
  EXPECT_NE(h.find("data-client=\"pc-1\" data-sent=\"1\""), std::string::npos);
  EXPECT_NE(h.find("data-client=\"pc-9\" data-sent=\"0\""), std::string::npos);
  // The embedded data parses back, with the two time-series rows in each dataset.
  const auto a = h.find("id=\"dhcpsim-data\">") + 18;
  const Json data = Json::parse(h.substr(a, h.find("</script>", a) - a));
  EXPECT_EQ(data["kind"], "run");
  ASSERT_EQ(data["charts"].size(), 5u);
  EXPECT_EQ(data["charts"][0]["id"], "leases");
  EXPECT_EQ(data["charts"][0]["datasets"].size(), 2u);  // the pool and its size line
  EXPECT_EQ(data["charts"][0]["datasets"][1]["y"], Json::parse("[10, 10]"));
  EXPECT_EQ(data["charts"][0]["x"], Json::parse("[5, 10]"));
  EXPECT_EQ(render_run_report(in, assets).value(), h);  // deterministic
  // A broken time series is an error, not a page.
  in.timeseries_csv = "t_s,bound\n1,x\n";
  EXPECT_FALSE(render_run_report(in, assets).has_value());
}

// A sweep's page: one chart per metric, x the first parameter's values, one line per
// value of the second, the 95 % CIs as error bars.
TEST(HtmlReport, SweepPage) {
  Json sw = Json::parse(R"({"kind": "sweep", "name": "lease", "base": "b.json", "seed": 1,
      "replications": 3, "parameters": ["/lease", "/count"], "metrics": ["/hosts/blocked"],
      "points": [
        {"params": ["15m", "10"], "values": {"/hosts/blocked": {"mean": 1.5, "ci95": 0.5, "n": 3}}},
        {"params": ["15m", "20"], "values": {"/hosts/blocked": {"mean": 2, "ci95": null, "n": 3}}},
        {"params": ["8h", "10"], "values": {"/hosts/blocked": {"mean": 9, "ci95": 1, "n": 3}}},
        {"params": ["8h", "20"], "values": {"/hosts/blocked": null}}]})");
  auto html = render_sweep_report(sw, ReportAssets{"/* Chart.js v3.9.1 */"});
  ASSERT_TRUE(html.has_value()) << html.error();
  const auto a = html->find("id=\"dhcpsim-data\">") + 18;
  const Json data = Json::parse(html->substr(a, html->find("</script>", a) - a));
  ASSERT_EQ(data["charts"].size(), 1u);
  const Json& c = data["charts"][0];
  EXPECT_EQ(c["x"], Json::parse(R"(["15m", "8h"])"));
  ASSERT_EQ(c["datasets"].size(), 2u);
  EXPECT_EQ(c["datasets"][0]["label"], "/count = 10");
  EXPECT_EQ(c["datasets"][0]["y"], Json::parse("[1.5, 9]"));
  EXPECT_EQ(c["datasets"][0]["ci"], Json::parse("[0.5, 1]"));
  EXPECT_EQ(c["datasets"][1]["y"], Json::parse("[2, null]"));
  EXPECT_FALSE(render_sweep_report(Json::object(), ReportAssets{}).has_value());
}

// More than 48 pools are drawn as one line per server (its pools summed), with the
// summed pool size.
TEST(HtmlReport, ManyPoolsAreSummedPerServer) {
  RunReportInput in;
  in.summary = Json::parse(R"({"run": {"timeseries_bucket_s": 1}})");
  std::string header = "t_s,bound,waiting,blocked", row = "1,0,0,0";
  for (int k = 0; k < 50; ++k) {
    header +=
        fmt::format(",leases:{}/10.{}.0.0/24/10.{}.0.10-10.{}.0.19", k % 2 ? "b" : "a", k, k, k);
    row += ",1";
  }
  in.timeseries_csv = header + "\n" + row + "\n";
  in.run = Json::parse(
      R"({"scenario": {"name": "many"}, "time_to_address": {"n": 0, "x": [], "y": []}})");
  auto html = render_run_report(in, ReportAssets{"/* Chart.js v3.9.1 */"});
  ASSERT_TRUE(html.has_value()) << html.error();
  const auto a = html->find("id=\"dhcpsim-data\">") + 18;
  const Json data = Json::parse(html->substr(a, html->find("</script>", a) - a));
  const Json& leases = data["charts"][0];
  ASSERT_EQ(leases["id"], "leases");
  ASSERT_EQ(leases["datasets"].size(), 4u);
  EXPECT_EQ(leases["datasets"][0]["label"], "a (all its pools)");
  EXPECT_EQ(leases["datasets"][0]["y"], Json::parse("[25]"));
  EXPECT_EQ(leases["datasets"][1]["y"], Json::parse("[250]"));  // 25 pools of 10
}
