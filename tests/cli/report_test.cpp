#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"
#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/runner.hpp"
#include "dhcpsim/scenario/parse.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using dhcpsim::test::cli;
using dhcpsim::test::Cli;
using dhcpsim::test::scenario;
using dhcpsim::test::slurp;

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::path(::testing::TempDir()) / ("dhcpsim-report-cli-" + name);
  fs::remove_all(d);
  return d;
}

/// Sets an environment variable for the scope.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  const char* name_;
};

std::vector<json> lines_of(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

}  // namespace

// run --report writes report.html and report-data/; the same scenario and seed give a
// byte-identical page (the wall clock and the output path are not in it), and
// `dhcpsim report DIR` rebuilds exactly those bytes from report-data/ alone.
TEST(CliReport, RunReportIsDeterministicAndRebuildable) {
  fs::path a = fresh_dir("det-a"), b = fresh_dir("det-b");
  for (const auto& d : {a, b}) {
    Cli r = cli({"run", scenario("quickstart"), "--out", d.string(), "--until", "10m", "--report"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("report: " + (d / "report.html").string()), std::string::npos) << r.out;
  }
  for (const char* f : {"report-data/run.json", "report-data/scenario.json",
                        "report-data/topology.dot", "report-data/messages.jsonl"})
    EXPECT_TRUE(fs::exists(a / f)) << f;
  const std::string page = slurp(a / "report.html");
  ASSERT_GT(page.size(), 100000u);  // Chart.js is in it
  EXPECT_EQ(page, slurp(b / "report.html"));
  EXPECT_EQ(page.find(a.string()), std::string::npos);
  EXPECT_EQ(page.find(DHCPSIM_SOURCE_DIR), std::string::npos);
  const json summary = json::parse(slurp(a / "summary.json"));
  const std::string wall = summary["wall"]["seconds"].dump();
  EXPECT_EQ(page.find("events_per_second"), std::string::npos);
  EXPECT_EQ(page.find("peak_rss_kib"), std::string::npos);
  EXPECT_EQ(page.find(wall), std::string::npos) << wall;

  fs::remove(a / "report.html");
  Cli r = cli({"report", a.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(a / "report.html"), page);
  // A different seed makes a different page.
  fs::path c = fresh_dir("det-c");
  ASSERT_EQ(cli({"run", scenario("quickstart"), "--out", c.string(), "--until", "10m", "--seed",
                 "2", "--report", "--quiet"})
                .code,
            0);
  EXPECT_NE(slurp(c / "report.html"), page);
}

// The report's message records do not change what the run writes: summary.json,
// timeseries.csv and the table are those of a run without --report (but for `wall`).
TEST(CliReport, PlainOutputsUnchanged) {
  fs::path a = fresh_dir("plain-a"), b = fresh_dir("plain-b");
  Cli r1 = cli({"run", scenario("static-in-pool"), "--out", a.string(), "--until", "20m"});
  Cli r2 =
      cli({"run", scenario("static-in-pool"), "--out", b.string(), "--until", "20m", "--report"});
  ASSERT_EQ(r1.code, 0) << r1.err;
  ASSERT_EQ(r2.code, 0) << r2.err;
  EXPECT_EQ(slurp(a / "timeseries.csv"), slurp(b / "timeseries.csv"));
  json s1 = json::parse(slurp(a / "summary.json")), s2 = json::parse(slurp(b / "summary.json"));
  s1.erase("wall");
  s2.erase("wall");
  EXPECT_EQ(s1, s2);
  auto strip = [](std::string t, const fs::path& d) {
    t = t.substr(t.find('\n') + 1);  // the line with the wall time
    t = t.substr(t.find('\n') + 1);
    return t.substr(0, t.find("outputs in " + d.string()));
  };
  EXPECT_EQ(strip(r1.out, a), strip(r2.out, b));
  EXPECT_FALSE(fs::exists(a / "report.html"));
  EXPECT_FALSE(fs::exists(a / "report-data"));
}

// When the records exceed their cap the run is replayed for the chosen clients: the same
// messages, the same page.
TEST(CliReport, ReplayAfterTheCapGivesTheSamePage) {
  auto s = dhcpsim::scenario::load_scenario(scenario("quickstart"));
  ASSERT_TRUE(s.has_value());
  fs::path a = fresh_dir("cap-a"), b = fresh_dir("cap-b");
  for (const auto& [dir, cap] :
       {std::pair{a, std::size_t(1) << 20}, std::pair{b, std::size_t(20)}}) {
    dhcpsim::cli::RunRequest req;
    req.scenario = &*s;
    req.seed = 1;
    req.until = dhcpsim::core::minutes(10);
    req.out_dir = dir.string();
    req.keep_report_data = true;
    req.follow = {"pc-7"};
    req.scenario_text = "{}\n";
    req.report_record_cap = cap;
    auto r = dhcpsim::cli::run_scenario(req);
    ASSERT_TRUE(r.error.empty()) << r.error;
  }
  const json ra = json::parse(slurp(a / "report-data/run.json"));
  const json rb = json::parse(slurp(b / "report-data/run.json"));
  EXPECT_EQ(ra["message_records"]["replayed"], false);
  EXPECT_EQ(rb["message_records"]["replayed"], true);
  EXPECT_EQ(ra["chosen"], rb["chosen"]);
  const std::string ma = slurp(a / "report-data/messages.jsonl");
  EXPECT_EQ(ma, slurp(b / "report-data/messages.jsonl"));
  EXPECT_GT(lines_of(ma).size(), 20u);
  ASSERT_EQ(cli({"report", a.string()}).code, 0);
  ASSERT_EQ(cli({"report", b.string()}).code, 0);
  EXPECT_EQ(slurp(a / "report.html"), slurp(b / "report.html"));
}

// The chosen clients: the followed host, the slowest three, each with its reasons; the
// ladder of every chosen DHCP client has its messages.
TEST(CliReport, ChosenClientsAndFollow) {
  fs::path d = fresh_dir("follow");
  // --follow takes one host each time, also before the scenario; it implies --report.
  Cli r = cli({"run", "--follow", "pc-12", scenario("quickstart"), "--out", d.string(), "--until",
               "10m", "--follow", "printer-1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json run = json::parse(slurp(d / "report-data/run.json"));
  ASSERT_GE(run["chosen"].size(), 4u);
  EXPECT_EQ(run["chosen"][0]["client"], "pc-12");
  EXPECT_EQ(run["chosen"][0]["reasons"][0], "followed (--follow)");
  EXPECT_EQ(run["chosen"][1]["client"], "printer-1");
  EXPECT_EQ(run["chosen"][1]["messages"], 0);
  int slowest = 0;
  for (const auto& c : run["chosen"])
    for (const auto& why : c["reasons"]) slowest += why == "among the slowest to get an address";
  EXPECT_EQ(slowest, 3);
  // The slowest's time to address is the summary's maximum.
  const json summary = json::parse(slurp(d / "summary.json"));
  double max_tta = 0;
  for (const auto& c : run["chosen"])
    if (c["time_to_address_s"].is_number())
      max_tta = std::max(max_tta, c["time_to_address_s"].get<double>());
  EXPECT_DOUBLE_EQ(max_tta, summary["groups"]["pc"]["time_to_address_s"]["max"].get<double>());
  const auto msgs = lines_of(slurp(d / "report-data/messages.jsonl"));
  std::map<std::string, int> per_client;
  for (const auto& m : msgs) ++per_client[m["client"].get<std::string>()];
  EXPECT_EQ(per_client["pc-12"], 8);  // one DORA, sent and received
  EXPECT_EQ(per_client.count("printer-1"), 0u);
  const std::string page = slurp(d / "report.html");
  EXPECT_NE(page.find("data-client=\"pc-12\" data-sent=\"4\""), std::string::npos);
  EXPECT_NE(page.find("data-client=\"printer-1\" data-sent=\"0\""), std::string::npos);
  EXPECT_EQ(run["followed_missing"], json::array());
}

// The clients with a DECLINE or a NAK are chosen, with those reasons.
TEST(CliReport, ProblemClientsAreChosen) {
  fs::path d = fresh_dir("decline");
  ASSERT_EQ(cli({"run", scenario("static-in-pool"), "--out", d.string(), "--until", "20m",
                 "--report", "--quiet", "--set", "/hosts/1/dhcp/probe_on_ack=true"})
                .code,
            0);
  const json run = json::parse(slurp(d / "report-data/run.json"));
  int declined = 0;
  for (const auto& c : run["chosen"])
    for (const auto& why : c["reasons"]) declined += why == "sent a DHCPDECLINE";
  EXPECT_GE(declined, 1);
  EXPECT_NE(slurp(d / "report-data/messages.jsonl").find("\"type\":\"DHCPDECLINE\""),
            std::string::npos);
  // The scenario as run carries the override.
  EXPECT_NE(slurp(d / "report-data/scenario.json").find("\"probe_on_ack\": true"),
            std::string::npos);

  fs::path o = fresh_dir("nak");
  ASSERT_EQ(
      cli({"run", scenario("server-outage"), "--out", o.string(), "--report", "--quiet"}).code, 0);
  const json r2 = json::parse(slurp(o / "report-data/run.json"));
  EXPECT_EQ(r2["clients_with_problems"], 30);  // every client got a NAK
  int naks = 0;
  for (const auto& c : r2["chosen"])
    for (const auto& why : c["reasons"]) naks += why == "received a DHCPNAK";
  // The first eight with a problem, and the slowest three (who got a NAK too).
  EXPECT_EQ(naks, static_cast<int>(r2["chosen"].size()));
  EXPECT_GE(naks, 8);
  EXPECT_LE(naks, 11);
  // A relayed ladder: the page's ladders name the standby server.
  EXPECT_NE(slurp(o / "report.html").find("DHCPNAK"), std::string::npos);
}

// Bad --follow, missing tools, no report data: exit 2 with a clear message, nothing
// written.
TEST(CliReport, ErrorsExitTwoAndWriteNothing) {
  fs::path d = fresh_dir("errors");
  Cli r = cli({"run", scenario("quickstart"), "--out", d.string(), "--follow", "pc-99"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--follow pc-99: the scenario quickstart has no host of that name"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(d));
  EXPECT_EQ(cli({"run", scenario("quickstart"), "--out", d.string(), "--follow", "nobody"}).code,
            2);
  // A churn host may arrive during the run: accepted, and reported missing if it did not.
  fs::path g = fresh_dir("churn-follow");
  ASSERT_EQ(cli({"run", scenario("guest-wifi-short-lease"), "--out", g.string(), "--until", "10m",
                 "--follow", "guest-99999", "--quiet"})
                .code,
            0);
  EXPECT_EQ(json::parse(slurp(g / "report-data/run.json"))["followed_missing"][0], "guest-99999");
  {
    ScopedEnv env("DHCPSIM_CHARTJS", "/nonexistent/chart.min.js");
    Cli m = cli({"run", scenario("quickstart"), "--out", d.string(), "--report"});
    EXPECT_EQ(m.code, 2);
    EXPECT_NE(m.err.find("libjs-chart.js"), std::string::npos) << m.err;
    EXPECT_FALSE(fs::exists(d));
  }
  {
    ScopedEnv env("DHCPSIM_DOT", "/nonexistent/dot");
    Cli m = cli({"run", scenario("quickstart"), "--out", d.string(), "--report"});
    EXPECT_EQ(m.code, 2);
    EXPECT_NE(m.err.find("graphviz"), std::string::npos) << m.err;
    EXPECT_FALSE(fs::exists(d));
    Cli c = cli({"compare", scenario("quickstart"), scenario("office-dhcp"), "--out", d.string(),
                 "--report"});
    EXPECT_EQ(c.code, 2);
    EXPECT_FALSE(fs::exists(d));
  }
  {
    // dot fails: no report.html, exit 2.
    ScopedEnv env("DHCPSIM_DOT", "/bin/false");
    Cli m = cli({"run", scenario("quickstart"), "--out", d.string(), "--until", "1m", "--report"});
    EXPECT_EQ(m.code, 2);
    EXPECT_NE(m.err.find("failed"), std::string::npos) << m.err;
    EXPECT_FALSE(fs::exists(d / "report.html"));
    EXPECT_FALSE(fs::exists(d / "report.html.part"));
  }
  fs::path empty = fresh_dir("empty");
  fs::create_directories(empty);
  Cli e = cli({"report", empty.string()});
  EXPECT_EQ(e.code, 2);
  EXPECT_NE(e.err.find("no report data"), std::string::npos) << e.err;
  EXPECT_EQ(cli({"run", scenario("quickstart"), "--replications", "2", "--report"}).code, 2);
}

// compare --report and sweep --report write their pages, and `dhcpsim report` rebuilds
// them byte for byte.
TEST(CliReport, CompareAndSweepReports) {
  fs::path c = fresh_dir("compare");
  Cli r = cli({"compare", scenario("office-manual"), scenario("office-dhcp"), "--out", c.string(),
               "--until", "10m", "--report"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report: "), std::string::npos);
  const std::string page = slurp(c / "report.html");
  EXPECT_NE(page.find("Comparison: office-manual vs office-dhcp"), std::string::npos);
  EXPECT_NE(page.find("chart-bars-hosts"), std::string::npos);
  EXPECT_NE(page.find("chart-over-bound"), std::string::npos);
  ASSERT_EQ(cli({"report", c.string()}).code, 0);
  EXPECT_EQ(slurp(c / "report.html"), page);
  // A directory reused for a run: its report is the run's from then on.
  ASSERT_EQ(cli({"run", scenario("quickstart"), "--out", c.string(), "--until", "5m", "--report",
                 "--quiet"})
                .code,
            0);
  EXPECT_FALSE(fs::exists(c / "report-data/compare.json"));
  const std::string run_page = slurp(c / "report.html");
  EXPECT_NE(run_page.find("<h1>quickstart</h1>"), std::string::npos);
  ASSERT_EQ(cli({"report", c.string()}).code, 0);
  EXPECT_EQ(slurp(c / "report.html"), run_page);

  fs::path s = fresh_dir("sweep");
  fs::create_directories(s);
  std::ofstream(s / "sweep.json") << R"({"base": ")" << scenario("guest-wifi-short-lease") << R"(",
    "parameters": [{"pointer": "/dhcp_servers/0/subnets/0/lease", "values": ["15m", "2h"]}],
    "replications": 2, "until": "30m"})";
  Cli w = cli({"sweep", (s / "sweep.json").string(), "--out", (s / "o").string(), "--report",
               "--jobs", "2"});
  ASSERT_EQ(w.code, 0) << w.err;
  const json doc = json::parse(slurp(s / "o/report-data/sweep.json"));
  EXPECT_EQ(doc["points"].size(), 2u);
  EXPECT_EQ(doc["metrics"].size(), 5u);
  EXPECT_EQ(doc["points"][0]["values"]["/hosts/blocked"]["n"], 2);
  const std::string spage = slurp(s / "o/report.html");
  EXPECT_NE(spage.find("Sweep: sweep"), std::string::npos);
  ASSERT_EQ(cli({"report", (s / "o").string()}).code, 0);
  EXPECT_EQ(slurp(s / "o/report.html"), spage);
}
