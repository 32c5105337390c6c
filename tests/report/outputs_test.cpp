#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/stats.hpp"
#include "dhcpsim/report/summary.hpp"
#include "report_fixture.hpp"

using namespace dhcpsim::report_testing;
using namespace dhcpsim::core::literals;
namespace report = dhcpsim::report;
using Json = nlohmann::ordered_json;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Json small_summary(int seed, double p50) {
  Json s = Json::object();
  s["scenario"] = {{"name", "x"}, {"seed", seed}};
  s["hosts"] = {{"total", 3}, {"time_to_address_s", {{"p50", p50}}}};
  s["groups"] = {{"a,b", {{"hosts", 3}}}};
  s["wall"] = {{"seconds", 1.5}};
  return s;
}

}  // namespace

// A successful write leaves the file under its final name and no ".part" behind.
TEST(Outputs, AtomicWriteLeavesNoPart) {
  ScratchDir dir("atomic");
  Json s = small_summary(1, 0.25);
  auto r = report::write_summary_json(dir.str(), s);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(*r, dir.str() + "/summary.json");
  EXPECT_EQ(dir.files(), std::vector<std::string>{"summary.json"});
  EXPECT_EQ(slurp(dir.path / "summary.json"), s.dump(2) + "\n");
  EXPECT_EQ(Json::parse(slurp(dir.path / "summary.json")), s);
  // Overwriting is atomic too.
  s["hosts"]["total"] = 4;
  ASSERT_TRUE(report::write_summary_json(dir.str(), s).has_value());
  EXPECT_EQ(Json::parse(slurp(dir.path / "summary.json"))["hosts"]["total"], 4);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"summary.json"});
}

// A write that fails returns an error and leaves nothing: no directory, or a final name
// that cannot be replaced (a directory is in the way).
TEST(Outputs, FailedWriteLeavesNothing) {
  ScratchDir dir("fail");
  auto missing = report::write_summary_json((dir.path / "nope").string(), Json::object());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("summary.json.part"), std::string::npos) << missing.error();
  EXPECT_TRUE(dir.files().empty());

  std::filesystem::create_directories(dir.path / "timeseries.csv" / "inside");
  Office o(1, 0);
  auto& m = o.start(1_s, Time::zero() + 2_s);
  o.sim.run_until(Time::zero() + 2_s);
  m.finish(o.sim.now());
  auto blocked = report::write_timeseries_csv(dir.str(), m);
  ASSERT_FALSE(blocked.has_value());
  EXPECT_NE(blocked.error().find("rename"), std::string::npos) << blocked.error();
  EXPECT_EQ(dir.files(), std::vector<std::string>{"timeseries.csv"});  // only the directory
  EXPECT_TRUE(std::filesystem::is_directory(dir.path / "timeseries.csv"));
}

// events.jsonl: one JSON object per record of every kind, renamed by finish(); a run
// abandoned leaves no file.
TEST(Outputs, EventsJsonl) {
  ScratchDir dir("events");
  {
    Office o(2, 1);
    report::EventsJsonlSink sink(o.net, dir.str());
    o.net.tracer().subscribe(&sink);
    auto& m = o.start(1_s, Time::zero() + 10_s);
    o.sim.run_until(Time::zero() + 10_s);
    m.finish(o.sim.now());
    EXPECT_EQ(dir.files(), std::vector<std::string>{"events.jsonl.part"});
    auto r = sink.finish();
    ASSERT_TRUE(r.has_value()) << r.error();
    o.net.tracer().unsubscribe(&sink);
    EXPECT_EQ(dir.files(), std::vector<std::string>{"events.jsonl"});
    const std::string text = slurp(dir.path / "events.jsonl");
    std::istringstream in(text);
    std::string line;
    uint64_t n = 0;
    bool saw_frame = false, saw_dhcp = false;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      ASSERT_TRUE(j.contains("kind") && j.contains("t_ns"));
      saw_frame = saw_frame || j["kind"] == "frame_sent";
      saw_dhcp = saw_dhcp || j["kind"] == "dhcp_message";
      ++n;
    }
    EXPECT_EQ(n, sink.lines());
    EXPECT_GT(n, 20u);
    EXPECT_TRUE(saw_frame && saw_dhcp);
  }
  ScratchDir dir2("events-abandon");
  {
    Office o(1, 0);
    report::EventsJsonlSink sink(o.net, dir2.str());
    o.net.tracer().subscribe(&sink);
    o.net.start();
    o.sim.run_until(Time::zero() + 5_s);
    o.net.tracer().unsubscribe(&sink);
    sink.abandon();
    EXPECT_TRUE(dir2.files().empty());
  }
  {
    // Destroyed without finish(): the same.
    Office o(1, 0);
    report::EventsJsonlSink sink(o.net, dir2.str());
    o.net.tracer().subscribe(&sink);
    o.net.start();
    o.sim.run_until(Time::zero() + 5_s);
    o.net.tracer().unsubscribe(&sink);
  }
  EXPECT_TRUE(dir2.files().empty());
  // An unwritable directory: the error comes out of finish().
  Office o(1, 0);
  report::EventsJsonlSink bad(o.net, (dir2.path / "missing").string());
  auto r = bad.finish();
  EXPECT_FALSE(r.has_value());
}

// compare.json, runs.csv and points.csv: one row per run with its parameters and seed,
// one per point with means and 95 % half-widths, in stable column order.
TEST(Outputs, CompareRunsAndPoints) {
  ScratchDir dir("sweep");
  std::vector<report::LabelledJson> variants = {{"before", small_summary(1, 1.0)},
                                                {"after", small_summary(1, 2.0)}};
  ASSERT_TRUE(report::write_compare_json(dir.str(), variants).has_value());
  const Json cmp = Json::parse(slurp(dir.path / "compare.json"));
  EXPECT_EQ(cmp["variants"].begin().key(), "before");
  EXPECT_EQ(cmp["variants"]["after"]["hosts"]["time_to_address_s"]["p50"], 2.0);

  std::vector<report::RunRow> runs;
  std::vector<Json> at_point[2];
  for (int point = 0; point < 2; ++point)
    for (int seed = 1; seed <= 3; ++seed) {
      Json s = small_summary(seed, point * 10 + seed);
      runs.push_back({{point == 0 ? "60s" : "1h", "x,y"}, uint64_t(seed), s});
      at_point[point].push_back(s);
    }
  ASSERT_TRUE(report::write_runs_csv(dir.str(), {"lease", "note"}, runs).has_value());
  const std::string rcsv = slurp(dir.path / "runs.csv");
  EXPECT_EQ(rcsv,
            "lease,note,seed,hosts.total,hosts.time_to_address_s.p50,\"groups.a,b.hosts\"\n"
            "60s,\"x,y\",1,3,1.0,3\n"
            "60s,\"x,y\",2,3,2.0,3\n"
            "60s,\"x,y\",3,3,3.0,3\n"
            "1h,\"x,y\",1,3,11.0,3\n"
            "1h,\"x,y\",2,3,12.0,3\n"
            "1h,\"x,y\",3,3,13.0,3\n");

  std::vector<report::PointRow> points;
  for (int point = 0; point < 2; ++point)
    points.push_back(
        {{point == 0 ? "60s" : "1h"}, report::aggregate_replications(at_point[point])});
  ASSERT_TRUE(report::write_points_csv(dir.str(), {"lease"}, points,
                                       {"hosts.time_to_address_s.p50", "hosts.total"})
                  .has_value());
  const std::string pcsv = slurp(dir.path / "points.csv");
  // Values 1,2,3: mean 2, sd 1, t(0.975, 2) = 4.302653, half-width 4.302653 / sqrt(3).
  const double hw = report::student_t_quantile(0.975, 2) / std::sqrt(3.0);
  EXPECT_NEAR(hw, 2.484138, 1e-6);
  const std::string hw_text = Json(hw).dump();
  EXPECT_EQ(pcsv,
            "lease,replications,hosts.time_to_address_s.p50.mean,hosts.time_to_address_s.p50.ci95,"
            "hosts.total.mean,hosts.total.ci95\n"
            "60s,3,2.0," +
                hw_text +
                ",3.0,0.0\n"
                "1h,3,12.0," +
                hw_text + ",3.0,0.0\n");
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"compare.json", "points.csv", "runs.csv"}));
}

// numeric_leaves leaves out "scenario" and "wall"; csv_field quotes per RFC 4180.
TEST(Outputs, LeavesAndCsvFields) {
  const auto leaves = report::numeric_leaves(small_summary(9, 0.5));
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[0].first, "hosts.total");
  EXPECT_EQ(leaves[1].second, 0.5);
  EXPECT_EQ(report::csv_field("plain"), "plain");
  EXPECT_EQ(report::csv_field("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(report::csv_field("a\nb"), "\"a\nb\"");
}
