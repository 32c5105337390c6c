#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dhcpsim/report/stats.hpp"

namespace report = dhcpsim::report;
using Json = nlohmann::ordered_json;

// Mean, sample sd and the Student-t 95 % half-width on 1..5: mean 3, sd sqrt(2.5) =
// 1.5811, t(0.975, 4) = 2.776445, half-width 2.776445 * 1.5811 / sqrt(5) = 1.96324
// (1.963 to three decimals).
TEST(Stats, ConfidenceIntervalOnKnownNumbers) {
  const std::vector<double> xs = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(report::mean(xs), 3.0);
  EXPECT_NEAR(report::sample_sd(xs), 1.5811388, 1e-6);
  EXPECT_NEAR(report::student_t_quantile(0.975, 4), 2.776445, 1e-6);
  EXPECT_NEAR(report::student_t_quantile(0.975, 1), 12.706205, 1e-6);
  EXPECT_NEAR(report::student_t_quantile(0.975, 1e6), 1.959966, 1e-5);
  auto hw = report::ci95_half_width(xs);
  ASSERT_TRUE(hw.has_value());
  EXPECT_NEAR(*hw, 2.776445 * std::sqrt(2.5) / std::sqrt(5.0), 1e-6);
  EXPECT_NEAR(*hw, 1.96324, 1e-5);
  const report::Estimate e = report::estimate(xs);
  EXPECT_EQ(e.n, 5u);
  EXPECT_DOUBLE_EQ(e.mean, 3.0);
  EXPECT_NEAR(*e.ci95, 1.96324, 1e-5);
}

// One value: sd 0 and no interval; no values: mean 0; equal values: sd exactly 0.
TEST(Stats, DegenerateSamples) {
  const std::vector<double> one = {4.2};
  const report::Estimate e = report::estimate(one);
  EXPECT_EQ(e.n, 1u);
  EXPECT_EQ(e.mean, 4.2);
  EXPECT_EQ(e.sd, 0.0);
  EXPECT_FALSE(e.ci95.has_value());
  EXPECT_EQ(report::mean(std::vector<double>{}), 0.0);
  const std::vector<double> same = {0.1, 0.1, 0.1};
  EXPECT_EQ(report::mean(same), 0.1);
  EXPECT_EQ(report::sample_sd(same), 0.0);
  EXPECT_EQ(*report::ci95_half_width(same), 0.0);
}

// Nearest rank: the value at rank ceil(p/100 * n) (the textbook example 15 20 35 40 50).
TEST(Stats, NearestRankPercentile) {
  const std::vector<int64_t> v = {15, 20, 35, 40, 50};
  EXPECT_EQ(*report::nearest_rank(v, 5), 15);
  EXPECT_EQ(*report::nearest_rank(v, 30), 20);
  EXPECT_EQ(*report::nearest_rank(v, 40), 20);
  EXPECT_EQ(*report::nearest_rank(v, 50), 35);
  EXPECT_EQ(*report::nearest_rank(v, 100), 50);
  EXPECT_EQ(*report::nearest_rank(v, 0), 15);
  std::vector<int64_t> ten(10);
  for (int k = 0; k < 10; ++k) ten[k] = k + 1;
  EXPECT_EQ(*report::nearest_rank(ten, 90), 9);  // exactly rank 9, not 10
  EXPECT_EQ(*report::nearest_rank(ten, 99), 10);
  EXPECT_EQ(*report::nearest_rank(ten, 10), 1);
  EXPECT_FALSE(report::nearest_rank(std::vector<int64_t>{}, 50).has_value());
  const std::vector<double> d = {0.5, 1.5};
  EXPECT_EQ(*report::nearest_rank(d, 50), 0.5);
  EXPECT_EQ(*report::nearest_rank(d, 51), 1.5);
}

// Replications: numeric leaves become {mean, sd, ci95, n}; nulls are skipped; equal
// strings stay, differing ones are listed; seeds are listed, walls kept per run.
TEST(Stats, AggregateReplications) {
  std::vector<Json> runs;
  for (int k = 1; k <= 5; ++k) {
    Json s = Json::object();
    s["scenario"] = {{"name", "office"}, {"seed", 100 + k}, {"program_version", "1.0"}};
    s["run"] = {{"stop_reason", k == 5 ? "stopped" : "end"}, {"events_executed", k}};
    s["hosts"] = {{"total", 10}, {"tta", {{"p50", k == 3 ? Json(nullptr) : Json(double(k))}}}};
    s["list"] = Json::array({k, 2 * k});
    s["flag"] = true;
    s["wall"] = {{"seconds", 0.1 * k}};
    runs.push_back(s);
  }
  const Json a = report::aggregate_replications(runs);
  EXPECT_EQ(a.begin().key(), "replications");
  EXPECT_EQ(a["replications"], 5);
  EXPECT_EQ(a["scenario"]["name"], "office");
  EXPECT_EQ(a["scenario"]["program_version"], "1.0");
  EXPECT_EQ(a["scenario"]["seeds"], Json::array({101, 102, 103, 104, 105}));
  EXPECT_FALSE(a["scenario"].contains("seed"));
  EXPECT_EQ(a["run"]["stop_reason"]["differs"],
            Json::array({"end", "end", "end", "end", "stopped"}));
  const Json& ev = a["run"]["events_executed"];
  ASSERT_TRUE(report::is_estimate(ev));
  EXPECT_EQ(ev["mean"], 3.0);
  EXPECT_NEAR(ev["sd"].get<double>(), 1.5811388, 1e-6);
  EXPECT_NEAR(ev["ci95"].get<double>(), 1.96324, 1e-5);
  EXPECT_EQ(ev["n"], 5);
  EXPECT_EQ(a["hosts"]["total"]["mean"], 10.0);
  EXPECT_EQ(a["hosts"]["total"]["sd"], 0.0);
  EXPECT_EQ(a["hosts"]["tta"]["p50"]["n"], 4);       // the null run is skipped
  EXPECT_EQ(a["hosts"]["tta"]["p50"]["mean"], 3.0);  // (1 + 2 + 4 + 5) / 4
  EXPECT_EQ(a["list"][1]["mean"], 6.0);
  EXPECT_EQ(a["flag"], true);
  ASSERT_TRUE(a["wall"].is_array());
  EXPECT_EQ(a["wall"].size(), 5u);

  // One run: sd 0, no interval.
  const Json one = report::aggregate_replications(std::span<const Json>(runs.data(), 1));
  EXPECT_EQ(one["run"]["events_executed"]["sd"], 0.0);
  EXPECT_TRUE(one["run"]["events_executed"]["ci95"].is_null());
  EXPECT_EQ(one["run"]["events_executed"]["n"], 1);
}
