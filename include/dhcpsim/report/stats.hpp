#pragma once
// Small statistics for reports and replications: mean, sample standard deviation, the
// half-width of a 95 % confidence interval for the mean (Student's t), nearest-rank
// percentiles, and the aggregation of N run summaries of one scenario into one JSON of
// {mean, sd, ci95, n} per numeric metric.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <nlohmann/json.hpp>

namespace dhcpsim::report {

/// 0 for no values.
double mean(std::span<const double> xs);
/// Sample standard deviation (divisor n - 1); 0 for fewer than two values.
double sample_sd(std::span<const double> xs);
/// The p-quantile of Student's t distribution with `dof` degrees of freedom (dof >= 1,
/// 0 < p < 1), e.g. student_t_quantile(0.975, 4) = 2.776445.
double student_t_quantile(double p, double dof);
/// t(0.975, n-1) * sd / sqrt(n); nullopt for fewer than two values.
std::optional<double> ci95_half_width(std::span<const double> xs);

struct Estimate {
  double mean = 0.0;
  double sd = 0.0;
  std::optional<double> ci95;  // half-width; none for n < 2
  std::size_t n = 0;
};
Estimate estimate(std::span<const double> xs);

/// Nearest-rank percentile of values sorted ascending: the value at rank ceil(p/100 * n)
/// (rank 1 for p = 0). nullopt when there are none. 0 <= p <= 100.
std::optional<int64_t> nearest_rank(std::span<const int64_t> sorted, double p);
std::optional<double> nearest_rank(std::span<const double> sorted, double p);

/// Aggregates summaries of one scenario run with different seeds. The structure of the
/// first summary is kept; each numeric leaf (outside the top-level "wall") becomes
/// {"mean", "sd", "ci95" (null for n < 2), "n"} over the runs where it is a number (nulls
/// and absent values are skipped; all of them missing gives null). A non-numeric leaf is
/// kept when every run has the same value, else becomes {"differs": [value per run]}.
/// Arrays are aggregated element by element. Special keys: "scenario"."seed" becomes
/// "seeds" (the list), "wall" becomes the list of the runs' wall objects, and a top-level
/// "replications": N comes first.
nlohmann::ordered_json aggregate_replications(std::span<const nlohmann::ordered_json> summaries);

/// True for an aggregated leaf ({"mean","sd","ci95","n"}).
bool is_estimate(const nlohmann::ordered_json& j);

}  // namespace dhcpsim::report
