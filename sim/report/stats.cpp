#include "dhcpsim/report/stats.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::report {

using Json = nlohmann::ordered_json;

double mean(std::span<const double> xs) {
  if (xs.empty()) return 0.0;
  // Equal values give exactly that value (no rounding residue in a "constant" metric).
  if (std::all_of(xs.begin(), xs.end(), [&](double x) { return x == xs[0]; })) return xs[0];
  double sum = 0.0;
  for (double x : xs) sum += x;
  return sum / static_cast<double>(xs.size());
}

double sample_sd(std::span<const double> xs) {
  if (xs.size() < 2) return 0.0;
  if (std::all_of(xs.begin(), xs.end(), [&](double x) { return x == xs[0]; })) return 0.0;
  const double m = mean(xs);
  double ss = 0.0;
  for (double x : xs) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(xs.size() - 1));
}

double student_t_quantile(double p, double dof) {
  DHCPSIM_ASSERT(dof >= 1.0 && p > 0.0 && p < 1.0, "Student's t quantile out of its domain");
  boost::math::students_t dist(dof);
  return boost::math::quantile(dist, p);
}

std::optional<double> ci95_half_width(std::span<const double> xs) {
  if (xs.size() < 2) return std::nullopt;
  const double n = static_cast<double>(xs.size());
  return student_t_quantile(0.975, n - 1.0) * sample_sd(xs) / std::sqrt(n);
}

Estimate estimate(std::span<const double> xs) {
  Estimate e;
  e.n = xs.size();
  e.mean = mean(xs);
  e.sd = sample_sd(xs);
  e.ci95 = ci95_half_width(xs);
  return e;
}

namespace {

std::size_t rank_index(std::size_t n, double p) {
  // ceil(p * n / 100), multiplied first so that whole results stay exact (90 * 10 / 100).
  const double r = std::ceil(p * static_cast<double>(n) / 100.0);
  std::size_t rank = r < 1.0 ? 1 : static_cast<std::size_t>(r);
  return std::min(rank, n) - 1;
}

}  // namespace

std::optional<int64_t> nearest_rank(std::span<const int64_t> sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  return sorted[rank_index(sorted.size(), p)];
}

std::optional<double> nearest_rank(std::span<const double> sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  return sorted[rank_index(sorted.size(), p)];
}

bool is_estimate(const Json& j) {
  return j.is_object() && j.size() == 4 && j.contains("mean") && j.contains("sd") &&
         j.contains("ci95") && j.contains("n");
}

namespace {

/// The same position in every run (null where a run lacks it).
Json aggregate_node(const std::vector<const Json*>& at);

Json estimate_json(const std::vector<double>& xs) {
  const Estimate e = estimate(xs);
  Json j = Json::object();
  j["mean"] = e.mean;
  j["sd"] = e.sd;
  j["ci95"] = e.ci95 ? Json(*e.ci95) : Json(nullptr);
  j["n"] = e.n;
  return j;
}

Json aggregate_node(const std::vector<const Json*>& at) {
  const Json* first = nullptr;
  for (const Json* j : at)
    if (j != nullptr && !j->is_null()) {
      first = j;
      break;
    }
  if (first == nullptr) return nullptr;

  if (first->is_number()) {
    std::vector<double> xs;
    bool other = false;
    for (const Json* j : at) {
      if (j == nullptr || j->is_null()) continue;
      if (j->is_number())
        xs.push_back(j->get<double>());
      else
        other = true;
    }
    if (!other) return estimate_json(xs);
  } else if (first->is_object()) {
    bool all_objects = true;
    for (const Json* j : at)
      if (j != nullptr && !j->is_null() && !j->is_object()) all_objects = false;
    if (all_objects) {
      Json out = Json::object();
      // Keys in first-seen order over the runs.
      std::vector<std::string> keys;
      for (const Json* j : at) {
        if (j == nullptr || !j->is_object()) continue;
        for (auto it = j->begin(); it != j->end(); ++it)
          if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
      }
      for (const std::string& k : keys) {
        std::vector<const Json*> sub;
        for (const Json* j : at) {
          const Json* v = nullptr;
          if (j != nullptr && j->is_object()) {
            auto it = j->find(k);
            if (it != j->end()) v = &*it;
          }
          sub.push_back(v);
        }
        out[k] = aggregate_node(sub);
      }
      return out;
    }
  } else if (first->is_array()) {
    bool same_shape = true;
    for (const Json* j : at)
      if (j != nullptr && !j->is_null() && (!j->is_array() || j->size() != first->size()))
        same_shape = false;
    if (same_shape) {
      Json out = Json::array();
      for (std::size_t k = 0; k < first->size(); ++k) {
        std::vector<const Json*> sub;
        for (const Json* j : at) sub.push_back(j != nullptr && j->is_array() ? &(*j)[k] : nullptr);
        out.push_back(aggregate_node(sub));
      }
      return out;
    }
  }
  // Strings, booleans and mixed kinds: kept when equal everywhere.
  bool equal = true;
  for (const Json* j : at)
    if (j == nullptr || *j != *first) equal = false;
  if (equal) return *first;
  Json values = Json::array();
  for (const Json* j : at) values.push_back(j != nullptr ? *j : Json(nullptr));
  Json out = Json::object();
  out["differs"] = std::move(values);
  return out;
}

}  // namespace

Json aggregate_replications(std::span<const Json> summaries) {
  Json out = Json::object();
  out["replications"] = summaries.size();
  if (summaries.empty()) return out;
  std::vector<const Json*> at;
  for (const Json& s : summaries) at.push_back(&s);

  std::vector<std::string> keys;
  for (const Json& s : summaries) {
    if (!s.is_object()) continue;
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (it.key() == "replications") continue;
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
    }
  }
  for (const std::string& key : keys) {
    std::vector<const Json*> sub;
    for (const Json* j : at) {
      const Json* v = nullptr;
      if (j->is_object()) {
        auto it = j->find(key);
        if (it != j->end()) v = &*it;
      }
      sub.push_back(v);
    }
    if (key == "wall") {
      Json walls = Json::array();
      for (const Json* v : sub) walls.push_back(v != nullptr ? *v : Json(nullptr));
      out["wall"] = std::move(walls);
      continue;
    }
    if (key == "scenario") {
      // The seed differs by design: list it instead of averaging it.
      Json seeds = Json::array();
      std::vector<Json> stripped;
      stripped.reserve(sub.size());
      for (const Json* v : sub) {
        Json s = v != nullptr ? *v : Json(nullptr);
        if (s.is_object() && s.contains("seed")) {
          seeds.push_back(s["seed"]);
          s.erase("seed");
        } else {
          seeds.push_back(nullptr);
        }
        stripped.push_back(std::move(s));
      }
      std::vector<const Json*> ptrs;
      for (const Json& s : stripped) ptrs.push_back(&s);
      Json agg = aggregate_node(ptrs);
      if (agg.is_object()) agg["seeds"] = std::move(seeds);
      out["scenario"] = std::move(agg);
      continue;
    }
    out[key] = aggregate_node(sub);
  }
  return out;
}

}  // namespace dhcpsim::report
