#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"
#include "dhcpsim/cli/app.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using dhcpsim::test::cli;
using dhcpsim::test::Cli;
using dhcpsim::test::slurp;

std::string quickstart() { return dhcpsim::test::scenario("quickstart"); }

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::path(::testing::TempDir()) / ("dhcpsim-cli-" + name);
  fs::remove_all(d);
  return d;
}

/// summary.json without its `wall` object (the only machine-dependent part).
json without_wall(const fs::path& summary) {
  json j = json::parse(slurp(summary));
  j.erase("wall");
  return j;
}

}  // namespace

// run writes summary.json and timeseries.csv (and events.jsonl, pcaps on request) and
// prints the table; the same seed gives byte-identical outputs, `wall` aside.
TEST(CliRun, OutputsAreDeterministic) {
  fs::path a = fresh_dir("det-a"), b = fresh_dir("det-b");
  for (const auto& d : {a, b}) {
    Cli r = cli({"run", quickstart(), "--out", d.string(), "--until", "10m", "--trace", "--pcap", "--quiet"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  EXPECT_EQ(without_wall(a / "summary.json"), without_wall(b / "summary.json"));
  for (const char* f : {"timeseries.csv", "events.jsonl", "pcap/office.pcap", "pcap/servers.pcap"}) {
    ASSERT_TRUE(fs::exists(a / f)) << f;
    EXPECT_EQ(slurp(a / f), slurp(b / f)) << f;
  }
  // A different seed changes the run.
  fs::path c = fresh_dir("det-c");
  ASSERT_EQ(cli({"run", quickstart(), "--out", c.string(), "--until", "10m", "--seed", "2", "--quiet"}).code, 0);
  EXPECT_NE(without_wall(a / "summary.json")["hosts"], without_wall(c / "summary.json")["hosts"]);
  // The seed and the version are in every summary; wall-clock values only under `wall`.
  json s = json::parse(slurp(a / "summary.json"));
  EXPECT_EQ(s["scenario"]["seed"], 1);
  EXPECT_TRUE(s.contains("wall"));
  EXPECT_TRUE(s["wall"].contains("seconds"));
}

// --json prints summary.json; the table is the default.
TEST(CliRun, JsonAndTable) {
  fs::path d = fresh_dir("json");
  Cli r = cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["scenario"]["name"], "quickstart");
  Cli t = cli({"run", quickstart(), "--out", d.string(), "--until", "5m"});
  ASSERT_EQ(t.code, 0);
  EXPECT_NE(t.out.find("scenario quickstart"), std::string::npos);
  EXPECT_NE(t.out.find("gw-dhcp"), std::string::npos);
}

// Bad input: exit 2, a message naming file and pointer, and no output created.
TEST(CliRun, BadInputExitsTwoAndWritesNothing) {
  fs::path d = fresh_dir("bad");
  Cli r = cli({"run", quickstart(), "--out", d.string(), "--set", "/hosts/3/count=0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("quickstart.json:/hosts/3/count: expected an integer from 1"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d));
  EXPECT_EQ(cli({"run", quickstart(), "--until", "ten minutes"}).code, 2);
  EXPECT_EQ(cli({"run", "/nonexistent.json"}).code, 2);
  EXPECT_EQ(cli({"run"}).code, 2);                       // CLI11: missing positional
  EXPECT_EQ(cli({"run", quickstart(), "--seed", "x"}).code, 2);  // CLI11: bad number
  EXPECT_EQ(cli({"frobnicate"}).code, 2);
  EXPECT_EQ(cli({"--version"}).code, 0);
  EXPECT_EQ(cli({"run", "--help"}).code, 0);
}

// --set changes the run (and is validated like a file).
TEST(CliRun, SetOverrides) {
  fs::path d = fresh_dir("set");
  Cli r = cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--json", "--set", "/hosts/3/count=5",
               "--set", "/dhcp_servers/0/subnets/0/lease=2h"});
  ASSERT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["groups"]["pc"]["hosts"], 5);
}

// validate checks files and runs nothing.
TEST(CliValidate, ReportsErrors) {
  Cli ok = cli({"validate", quickstart()});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("ok"), std::string::npos);
  fs::path bad = fs::path(::testing::TempDir()) / "bad-scenario.json";
  std::ofstream(bad) << R"({"duration": 60, "segments": []})";
  Cli r = cli({"validate", bad.string(), quickstart()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad-scenario.json:/duration: bare numbers are ambiguous"), std::string::npos) << r.err;
}

// Replications: seeds seed..seed+R-1, per-replication outputs, an aggregate with mean,
// sd and a Student-t 95% CI; the same whatever --jobs is.
TEST(CliRun, ReplicationsAreIndependentOfJobs) {
  fs::path a = fresh_dir("rep-a"), b = fresh_dir("rep-b");
  ASSERT_EQ(cli({"run", quickstart(), "--out", a.string(), "--until", "5m", "--replications", "3", "--jobs", "1", "--quiet"}).code, 0);
  ASSERT_EQ(cli({"run", quickstart(), "--out", b.string(), "--until", "5m", "--replications", "3", "--jobs", "3", "--quiet"}).code, 0);
  json ja = without_wall(a / "summary.json"), jb = without_wall(b / "summary.json");
  EXPECT_EQ(ja, jb);
  for (int s : {1, 2, 3}) EXPECT_TRUE(fs::exists(a / "replications" / ("seed-" + std::to_string(s)) / "summary.json"));
  // The aggregate of events_executed is the mean of the three runs' values.
  double sum = 0;
  std::vector<double> xs;
  for (int s : {1, 2, 3}) {
    json r = json::parse(slurp(a / "replications" / ("seed-" + std::to_string(s)) / "summary.json"));
    xs.push_back(r["run"]["events_executed"].get<double>());
    sum += xs.back();
  }
  const json& e = ja["run"]["events_executed"];
  EXPECT_DOUBLE_EQ(e["mean"].get<double>(), sum / 3);
  EXPECT_EQ(e["n"], 3);
  double m = sum / 3, ss = 0;
  for (double x : xs) ss += (x - m) * (x - m);
  const double sd = std::sqrt(ss / 2);
  EXPECT_NEAR(e["sd"].get<double>(), sd, 1e-9);
  EXPECT_NEAR(e["ci95"].get<double>(), 4.302652729911275 * sd / std::sqrt(3.0), 1e-6);  // t(0.975, 2)
}

// A run into a directory an earlier run used leaves only its own outputs there: what the
// earlier run wrote and this one did not (events.jsonl, pcaps, replications, the report)
// goes, and files dhcpsim does not write stay.
TEST(CliRun, StaleOutputsOfAnEarlierRunAreRemoved) {
  fs::path d = fresh_dir("stale");
  ASSERT_EQ(cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--trace", "--pcap", "--quiet"}).code, 0);
  ASSERT_TRUE(fs::exists(d / "events.jsonl"));
  ASSERT_TRUE(fs::exists(d / "pcap" / "office.pcap"));
  // Files that are not dhcpsim's: kept, even in pcap/ and report-data/.
  std::ofstream(d / "notes.txt") << "mine";
  std::ofstream(d / "pcap" / "notes.txt") << "mine";
  fs::create_directories(d / "report-data");
  std::ofstream(d / "report-data" / "run.json") << "{}";  // an old report's data
  std::ofstream(d / "report-data" / "extra.txt") << "mine";
  std::ofstream(d / "report.html") << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                                      "<meta name=\"generator\" content=\"dhcpsim\">\n</head></html>\n";

  // Another seed, no --trace, no --pcap: the old trace and captures go.
  ASSERT_EQ(cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--seed", "2", "--quiet"}).code, 0);
  EXPECT_TRUE(fs::exists(d / "summary.json"));
  EXPECT_TRUE(fs::exists(d / "timeseries.csv"));
  EXPECT_EQ(json::parse(slurp(d / "summary.json"))["scenario"]["seed"], 2);
  EXPECT_FALSE(fs::exists(d / "events.jsonl"));
  EXPECT_FALSE(fs::exists(d / "pcap" / "office.pcap"));
  EXPECT_FALSE(fs::exists(d / "pcap" / "servers.pcap"));
  EXPECT_FALSE(fs::exists(d / "report-data" / "run.json"));
  EXPECT_FALSE(fs::exists(d / "report.html"));
  EXPECT_EQ(slurp(d / "notes.txt"), "mine");
  EXPECT_EQ(slurp(d / "pcap" / "notes.txt"), "mine");
  EXPECT_EQ(slurp(d / "report-data" / "extra.txt"), "mine");

  // A file of one of these names that dhcpsim did not write is the user's: it stays.
  std::ofstream(d / "events.jsonl") << "my own log\n";
  std::ofstream(d / "report.html") << "<html>my own page</html>\n";
  ASSERT_EQ(cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--quiet"}).code, 0);
  EXPECT_EQ(slurp(d / "events.jsonl"), "my own log\n");
  EXPECT_EQ(slurp(d / "report.html"), "<html>my own page</html>\n");
  fs::remove(d / "events.jsonl");
  fs::remove(d / "report.html");

  // Replications into the same directory: no top-level time series any more (the
  // aggregate has none); then three replications after five: seeds 4 and 5 go.
  ASSERT_EQ(cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--replications", "5", "--quiet"}).code, 0);
  EXPECT_FALSE(fs::exists(d / "timeseries.csv"));
  EXPECT_TRUE(fs::exists(d / "replications" / "seed-5" / "timeseries.csv"));
  std::ofstream(d / "replications" / "seed-5" / "mine.txt") << "mine";
  ASSERT_EQ(cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--replications", "3", "--quiet"}).code, 0);
  EXPECT_TRUE(fs::exists(d / "replications" / "seed-3" / "summary.json"));
  EXPECT_FALSE(fs::exists(d / "replications" / "seed-4"));
  EXPECT_FALSE(fs::exists(d / "replications" / "seed-5" / "summary.json"));
  EXPECT_EQ(slurp(d / "replications" / "seed-5" / "mine.txt"), "mine");

  // A single run again: the replications' outputs go, the aggregate is replaced.
  ASSERT_EQ(cli({"run", quickstart(), "--out", d.string(), "--until", "5m", "--quiet"}).code, 0);
  EXPECT_FALSE(fs::exists(d / "replications" / "seed-1"));
  EXPECT_TRUE(fs::exists(d / "replications" / "seed-5" / "mine.txt"));
  EXPECT_TRUE(json::parse(slurp(d / "summary.json"))["run"]["events_executed"].is_number());
}

// sweep: a grid of values x replications; runs.csv one row per run, points.csv per point
// with CIs; rows in a fixed order whatever --jobs is.
TEST(CliSweep, GridAndCsv) {
  fs::path dir = fresh_dir("sweep");
  fs::create_directories(dir);
  fs::path file = dir / "sweep.json";
  std::ofstream(file) << R"({"base": ")" << quickstart() << R"(",
    "parameters": [{"pointer": "/dhcp_servers/0/subnets/0/lease", "values": ["10m", "1h"]},
                   {"pointer": "/hosts/3/count", "values": [5, 10]}],
    "replications": 2, "until": "15m", "metrics": ["/hosts/with_address", "/dhcp_messages/total"]})";
  ASSERT_EQ(cli({"sweep", file.string(), "--out", (dir / "o1").string(), "--jobs", "1", "--quiet"}).code, 0);
  ASSERT_EQ(cli({"sweep", file.string(), "--out", (dir / "o2").string(), "--jobs", "2", "--quiet"}).code, 0);
  std::string runs = slurp(dir / "o1" / "runs.csv");
  EXPECT_EQ(runs, slurp(dir / "o2" / "runs.csv"));
  EXPECT_EQ(slurp(dir / "o1" / "points.csv"), slurp(dir / "o2" / "points.csv"));
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 1 + 2 * 2 * 2);
  std::string points = slurp(dir / "o1" / "points.csv");
  EXPECT_EQ(std::count(points.begin(), points.end(), '\n'), 1 + 4);
  EXPECT_NE(points.find("/hosts/3/count"), std::string::npos);
  // `metrics` are JSON pointers; the CSV names their columns by the dotted path, with values.
  EXPECT_NE(points.find("hosts.with_address.mean,hosts.with_address.ci95,dhcp_messages.total.mean"), std::string::npos)
      << points;
  EXPECT_EQ(points.find(",,"), std::string::npos) << "no empty cells: " << points;
  // The table on stdout reads the same pointers.
  Cli table = cli({"sweep", file.string(), "--out", (dir / "o3").string(), "--jobs", "2"});
  EXPECT_EQ(table.code, 0) << table.err;
  std::ofstream(dir / "dotted.json") << R"({"base": ")" << quickstart() << R"(",
    "parameters": [{"pointer": "/hosts/3/count", "values": [5]}], "metrics": ["hosts.blocked"]})";
  Cli dotted = cli({"sweep", (dir / "dotted.json").string(), "--out", (dir / "o4").string()});
  EXPECT_EQ(dotted.code, 2);
  EXPECT_NE(dotted.err.find("/metrics/0"), std::string::npos) << dotted.err;
  EXPECT_FALSE(fs::exists(dir / "o4"));
  // The shorter lease sends more messages in 15 minutes (renewals at T1 = 5 min).
  Cli bad = cli({"sweep", (dir / "nope.json").string()});
  EXPECT_EQ(bad.code, 2);
  std::ofstream(dir / "bad.json") << R"({"base": "x.json", "parameters": [], "colour": 1})";
  Cli b2 = cli({"sweep", (dir / "bad.json").string()});
  EXPECT_EQ(b2.code, 2);
  EXPECT_NE(b2.err.find("bad.json:/colour: unknown key"), std::string::npos) << b2.err;
}

// compare: the same seed for each scenario, a side-by-side table and compare.json.
TEST(CliCompare, TableAndJson) {
  fs::path dir = fresh_dir("compare");
  fs::create_directories(dir);
  fs::path b = dir / "other.json";
  json doc = json::parse(slurp(quickstart()));
  doc["name"] = "quickstart-long-lease";
  doc["dhcp_servers"][0]["subnets"][0]["lease"] = "8h";
  std::ofstream(b) << doc.dump();
  Cli r = cli({"compare", quickstart(), b.string(), "--out", (dir / "o").string(), "--until", "20m"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("quickstart-long-lease"), std::string::npos);
  EXPECT_NE(r.out.find("DHCP messages"), std::string::npos);
  json cmp = json::parse(slurp(dir / "o" / "compare.json"));
  EXPECT_FALSE(cmp.empty());
  EXPECT_EQ(cli({"compare", quickstart()}).code, 2);
  // --replications has the same range as for run, checked before anything runs.
  for (const char* bad : {"0", "10001", "4000000000"}) {
    Cli c = cli({"compare", quickstart(), b.string(), "--out", (dir / "bad").string(), "--replications", bad});
    EXPECT_EQ(c.code, 2) << bad;
    EXPECT_NE(c.err.find("--replications must be 1 to 10000"), std::string::npos) << c.err;
    EXPECT_FALSE(fs::exists(dir / "bad")) << bad;
  }
}
