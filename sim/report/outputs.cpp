#include "dhcpsim/report/outputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "dhcpsim/report/html_report.hpp"
#include "dhcpsim/report/records_json.hpp"
#include "dhcpsim/report/stats.hpp"

namespace dhcpsim::report {

using Json = nlohmann::ordered_json;

namespace {

std::string join(const std::string& dir, const char* name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

void remove_quietly(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

namespace fs = std::filesystem;

/// `p` in one spelling, for comparing paths written with another (relative, "a//b").
std::string same_path(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return (ec ? p.lexically_normal() : c).string();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(p, ec));
}

void remove_if_empty(const fs::path& d) {
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(d, ec)) && fs::is_empty(d, ec) && !ec) fs::remove(d, ec);
}

/// Whether the file at `p` begins as dhcpsim writes its `name` (a user's own file of that
/// name, in a directory given as --out, is never taken for an old output).
bool written_by_dhcpsim(const fs::path& p, std::string_view name) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[512];
  const std::size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  const std::string_view head(buf, n);
  if (name == "summary.json") return head.starts_with("{\n  \"scenario\": {");
  if (name == "timeseries.csv") return head.starts_with("t_s,");
  if (name == "events.jsonl")
    return head.starts_with("{\"") && head.find("\"kind\":") != std::string_view::npos &&
           head.find("\"t_ns\":") != std::string_view::npos;
  if (name == "report.html")
    return head.starts_with("<!DOCTYPE html>") &&
           head.find(kReportGeneratorMeta) != std::string_view::npos;
  if (name.ends_with(".pcap")) return head.starts_with("\x4d\x3c\xb2\xa1");  // nanosecond pcap
  return true;  // report-data/: dhcpsim's own directory
}

void remove_stale_in(const fs::path& dir, const std::vector<std::string>& written, bool replications) {
  auto stale = [&](const fs::path& p) {
    return is_file(p) && !std::binary_search(written.begin(), written.end(), same_path(p)) &&
           written_by_dhcpsim(p, p.filename().string());
  };
  std::error_code ec;
  for (const char* name : {"summary.json", "timeseries.csv", "events.jsonl", "report.html"})
    if (stale(dir / name)) fs::remove(dir / name, ec);
  const fs::path pcap = dir / "pcap";
  if (fs::is_directory(fs::symlink_status(pcap, ec))) {
    std::vector<fs::path> old;
    for (const auto& e : fs::directory_iterator(pcap, ec))
      if (e.path().extension() == ".pcap" && stale(e.path())) old.push_back(e.path());
    for (const auto& p : old) fs::remove(p, ec);
    remove_if_empty(pcap);
  }
  const fs::path rd = dir / "report-data";
  for (const char* name : {"run.json", "scenario.json", "compare.json", "sweep.json", "topology.dot",
                           "messages.jsonl"})
    if (stale(rd / name)) fs::remove(rd / name, ec);
  remove_if_empty(rd);
  if (!replications) return;
  const fs::path reps = dir / "replications";
  if (!fs::is_directory(fs::symlink_status(reps, ec))) return;
  std::vector<fs::path> seeds;
  for (const auto& e : fs::directory_iterator(reps, ec)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory(ec) && !e.is_symlink(ec) && n.size() > 5 && n.starts_with("seed-") &&
        std::all_of(n.begin() + 5, n.end(), [](char c) { return c >= '0' && c <= '9'; }))
      seeds.push_back(e.path());
  }
  for (const auto& d : seeds) {
    remove_stale_in(d, written, false);
    remove_if_empty(d);
  }
  remove_if_empty(reps);
}

/// "12", "0.5", "3600.000000001": seconds from integer nanoseconds, exact, trailing zeros
/// trimmed.
std::string seconds_text(int64_t ns) {
  const bool negative = ns < 0;
  const uint64_t a = negative ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
  std::string s = fmt::format("{}{}", negative ? "-" : "", a / 1'000'000'000u);
  uint64_t frac = a % 1'000'000'000u;
  if (frac != 0) {
    std::string f = fmt::format("{:09}", frac);
    while (!f.empty() && f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}

/// A double for a CSV cell: shortest text that reads back to the same value.
std::string number_text(double v) {
  return Json(v).dump();
}

void walk(const Json& j, const std::string& path,
          std::vector<std::pair<std::string, const Json*>>& out) {
  if (is_estimate(j) || j.is_number()) {
    out.emplace_back(path, &j);
    return;
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      walk(*it, path.empty() ? it.key() : path + "." + it.key(), out);
  } else if (j.is_array()) {
    for (std::size_t k = 0; k < j.size(); ++k) walk(j[k], path + "." + std::to_string(k), out);
  }
}

/// Numeric or aggregated leaves outside "scenario", "wall" (and "replications").
std::vector<std::pair<std::string, const Json*>> metric_leaves(const Json& summary) {
  std::vector<std::pair<std::string, const Json*>> out;
  if (!summary.is_object()) return out;
  for (auto it = summary.begin(); it != summary.end(); ++it) {
    if (it.key() == "scenario" || it.key() == "wall" || it.key() == "replications") continue;
    walk(*it, it.key(), out);
  }
  return out;
}

/// Column names: `wanted` if given, else the union over `leaves` in first-seen order.
std::vector<std::string> metric_columns(
    const std::vector<std::vector<std::pair<std::string, const Json*>>>& leaves,
    const std::vector<std::string>& wanted) {
  if (!wanted.empty()) return wanted;
  std::vector<std::string> cols;
  std::map<std::string, bool> seen;
  for (const auto& row : leaves)
    for (const auto& [name, value] : row)
      if (seen.emplace(name, true).second) cols.push_back(name);
  return cols;
}

const Json* find_leaf(const std::vector<std::pair<std::string, const Json*>>& row,
                      const std::string& name) {
  for (const auto& [n, v] : row)
    if (n == name) return v;
  return nullptr;
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

WriteResult write_file_atomic(const std::string& path, std::string_view content) {
  const std::string part = path + ".part";
  std::FILE* f = std::fopen(part.c_str(), "wb");
  if (f == nullptr) return tl::unexpected("cannot write " + part + ": " + std::strerror(errno));
  bool ok = content.empty() || std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = std::fflush(f) == 0 && ok;
  ok = std::ferror(f) == 0 && ok;
  const int saved = errno;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    remove_quietly(part);
    return tl::unexpected("cannot write " + part + ": " +
                          std::strerror(saved != 0 ? saved : errno));
  }
  std::error_code ec;
  std::filesystem::rename(part, path, ec);
  if (ec) {
    remove_quietly(part);
    return tl::unexpected("cannot rename " + part + " to " + path + ": " + ec.message());
  }
  return path;
}

WriteResult write_summary_json(const std::string& dir, const Json& summary) {
  return write_file_atomic(join(dir, "summary.json"), summary.dump(2) + "\n");
}

std::string timeseries_csv(const TimeSeries& series) {
  std::string out = "t_s";
  for (const std::string& c : series.columns) out += "," + csv_field(c);
  out += '\n';
  const std::size_t width = series.columns.size();
  for (std::size_t r = 0; r < series.rows(); ++r) {
    out += seconds_text(series.times[r].ns());
    for (std::size_t c = 0; c < width; ++c) {
      out += ',';
      out += std::to_string(series.values[r * width + c]);
    }
    out += '\n';
  }
  return out;
}

WriteResult write_timeseries_csv(const std::string& dir, const MetricsCollector& metrics) {
  return write_file_atomic(join(dir, "timeseries.csv"), timeseries_csv(metrics.timeseries()));
}

WriteResult write_compare_json(const std::string& dir, const std::vector<LabelledJson>& variants) {
  Json doc = Json::object();
  Json v = Json::object();
  for (const auto& [label, j] : variants) {
    std::string key = label;
    while (v.contains(key)) key += "'";
    v[key] = j;
  }
  doc["variants"] = std::move(v);
  return write_file_atomic(join(dir, "compare.json"), doc.dump(2) + "\n");
}

std::vector<std::pair<std::string, double>> numeric_leaves(const Json& summary) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [name, v] : metric_leaves(summary)) {
    if (is_estimate(*v)) {
      if ((*v)["mean"].is_number()) out.emplace_back(name, (*v)["mean"].get<double>());
    } else {
      out.emplace_back(name, v->get<double>());
    }
  }
  return out;
}

WriteResult write_runs_csv(const std::string& dir, const std::vector<std::string>& param_names,
                           const std::vector<RunRow>& runs,
                           const std::vector<std::string>& metrics) {
  std::vector<std::vector<std::pair<std::string, const Json*>>> leaves;
  leaves.reserve(runs.size());
  for (const RunRow& r : runs) leaves.push_back(metric_leaves(r.summary));
  const std::vector<std::string> cols = metric_columns(leaves, metrics);

  std::string out;
  for (const std::string& p : param_names) out += csv_field(p) + ",";
  out += "seed";
  for (const std::string& c : cols) out += "," + csv_field(c);
  out += '\n';
  for (std::size_t k = 0; k < runs.size(); ++k) {
    for (std::size_t p = 0; p < param_names.size(); ++p)
      out += csv_field(p < runs[k].params.size() ? runs[k].params[p] : std::string()) + ",";
    out += std::to_string(runs[k].seed);
    for (const std::string& c : cols) {
      out += ',';
      const Json* v = find_leaf(leaves[k], c);
      if (v == nullptr) continue;
      if (is_estimate(*v)) v = &(*v)["mean"];
      if (v->is_number_integer() || v->is_number_unsigned())
        out += v->dump();
      else if (v->is_number())
        out += number_text(v->get<double>());
    }
    out += '\n';
  }
  return write_file_atomic(join(dir, "runs.csv"), out);
}

WriteResult write_points_csv(const std::string& dir, const std::vector<std::string>& param_names,
                             const std::vector<PointRow>& points,
                             const std::vector<std::string>& metrics) {
  std::vector<std::vector<std::pair<std::string, const Json*>>> leaves;
  leaves.reserve(points.size());
  for (const PointRow& p : points) leaves.push_back(metric_leaves(p.aggregate));
  const std::vector<std::string> cols = metric_columns(leaves, metrics);

  std::string out;
  for (const std::string& p : param_names) out += csv_field(p) + ",";
  out += "replications";
  for (const std::string& c : cols)
    out += "," + csv_field(c + ".mean") + "," + csv_field(c + ".ci95");
  out += '\n';
  for (std::size_t k = 0; k < points.size(); ++k) {
    for (std::size_t p = 0; p < param_names.size(); ++p)
      out += csv_field(p < points[k].params.size() ? points[k].params[p] : std::string()) + ",";
    const Json& reps =
        points[k].aggregate.is_object() && points[k].aggregate.contains("replications")
            ? points[k].aggregate["replications"]
            : Json();
    if (reps.is_number()) out += reps.dump();
    for (const std::string& c : cols) {
      const Json* v = find_leaf(leaves[k], c);
      std::string mean, ci;
      if (v != nullptr && is_estimate(*v)) {
        if ((*v)["mean"].is_number()) mean = number_text((*v)["mean"].get<double>());
        if ((*v)["ci95"].is_number()) ci = number_text((*v)["ci95"].get<double>());
      } else if (v != nullptr && v->is_number()) {
        mean = number_text(v->get<double>());  // a plain summary: one run, no interval
      }
      out += "," + mean + "," + ci;
    }
    out += '\n';
  }
  return write_file_atomic(join(dir, "points.csv"), out);
}

// ---- events.jsonl --------------------------------------------------------------------------

EventsJsonlSink::EventsJsonlSink(const net::Network& network, std::string directory)
    : network_(network), path_(join(directory, "events.jsonl")) {
  const std::string part = path_ + ".part";
  file_ = std::fopen(part.c_str(), "wb");
  if (file_ == nullptr) error_ = "cannot write " + part + ": " + std::strerror(errno);
}

EventsJsonlSink::~EventsJsonlSink() {
  if (!done_) abandon();
}

void EventsJsonlSink::on_record(const net::Record& r) {
  if (file_ == nullptr || !error_.empty()) return;
  line_ = record_to_json(r, network_).dump();
  line_ += '\n';
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
    error_ = "cannot write " + path_ + ".part: " + std::strerror(errno);
    return;
  }
  ++lines_;
}

WriteResult EventsJsonlSink::finish() {
  if (done_) return tl::unexpected(std::string("events.jsonl already finished"));
  if (!error_.empty()) {
    std::string e = error_;
    abandon();
    return tl::unexpected(e);
  }
  const std::string part = path_ + ".part";
  bool ok = std::fflush(file_) == 0 && std::ferror(file_) == 0;
  const int saved = errno;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) {
    abandon();
    return tl::unexpected("cannot write " + part + ": " +
                          std::strerror(saved != 0 ? saved : errno));
  }
  std::error_code ec;
  std::filesystem::rename(part, path_, ec);
  if (ec) {
    abandon();
    return tl::unexpected("cannot rename " + part + " to " + path_ + ": " + ec.message());
  }
  done_ = true;
  return path_;
}

void EventsJsonlSink::abandon() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  // Only the temporary file is ours: the final name exists only after a finish() that
  // succeeded (and then there is nothing to abandon).
  if (!done_) remove_quietly(path_ + ".part");
  done_ = true;
}

void remove_stale_run_outputs(const std::string& dir, const std::vector<std::string>& written) {
  std::vector<std::string> kept;
  kept.reserve(written.size());
  for (const auto& w : written) kept.push_back(same_path(w));
  std::sort(kept.begin(), kept.end());
  remove_stale_in(dir.empty() ? fs::path(".") : fs::path(dir), kept, true);
}

}  // namespace dhcpsim::report
