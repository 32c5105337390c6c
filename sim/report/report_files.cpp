// The report's files and tools: report-data/, Chart.js, Graphviz's dot, report.html.

#include "dhcpsim/report/report_files.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "dhcpsim/report/html_report.hpp"

extern char** environ;

namespace dhcpsim::report {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::string path_in(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

tl::expected<Json, std::string> read_json(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded()) return tl::unexpected(path + ": not valid JSON");
  return j;
}

/// Removes the other kinds' report-data files, so that `dhcpsim report` on a directory
/// reused for another command builds the report of the latest one.
void remove_other_kinds(const std::string& rd, const std::string& keep) {
  std::error_code ec;
  for (const char* name : {"run.json", "compare.json", "sweep.json"})
    if (keep != name) fs::remove(path_in(rd, name), ec);
}

}  // namespace

tl::expected<ReportTools, std::string> find_report_tools() {
  ReportTools t;
  const char* chartjs = std::getenv("DHCPSIM_CHARTJS");
  t.chartjs = chartjs != nullptr && *chartjs != '\0' ? chartjs : kDefaultChartJs;
  if (::access(t.chartjs.c_str(), R_OK) != 0)
    return tl::unexpected("--report needs Chart.js, which is not installed (no " + t.chartjs +
                          "): install Debian's libjs-chart.js (apt-get install libjs-chart.js, "
                          "or run tools/install-deps)");
  const char* dot = std::getenv("DHCPSIM_DOT");
  if (dot != nullptr && *dot != '\0') {
    t.dot = dot;
  } else {
    const char* path = std::getenv("PATH");
    std::string p = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= p.size()) {
      const std::size_t end = std::min(p.find(':', start), p.size());
      const std::string d = p.substr(start, end - start);
      const std::string candidate = (d.empty() ? std::string(".") : d) + "/dot";
      if (::access(candidate.c_str(), X_OK) == 0) {
        t.dot = candidate;
        break;
      }
      start = end + 1;
    }
  }
  if (t.dot.empty() || ::access(t.dot.c_str(), X_OK) != 0)
    return tl::unexpected(std::string("--report needs Graphviz's dot, which is not installed") +
                          (t.dot.empty() ? " (not on PATH)" : " (no " + t.dot + ")") +
                          ": install Debian's graphviz (apt-get install graphviz, or run "
                          "tools/install-deps)");
  return t;
}

tl::expected<std::string, std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected("cannot read " + path + ": " + std::strerror(errno));
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return tl::unexpected("cannot read " + path);
  return s;
}

tl::expected<std::string, std::string> run_dot(const ReportTools& tools,
                                               const std::string& dot_file) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return tl::unexpected(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::string a0 = tools.dot, a1 = "-Tsvg", a2 = dot_file;
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, tools.dot.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return tl::unexpected("cannot run " + tools.dot + ": " + std::strerror(rc));
  }
  std::string svg;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n > 0) {
      svg.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return tl::unexpected(tools.dot + " -Tsvg " + dot_file + " failed (" +
                          (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                             : std::string("killed")) +
                          ")");
  if (svg.find("<svg") == std::string::npos)
    return tl::unexpected(tools.dot + " -Tsvg " + dot_file + " wrote no SVG");
  return svg;
}

tl::expected<std::vector<std::string>, std::string> write_run_report_data(
    const std::string& dir, const RunReportData& data) {
  const std::string rd = path_in(dir, "report-data");
  std::error_code ec;
  fs::create_directories(rd, ec);
  if (ec) return tl::unexpected("cannot create " + rd + ": " + ec.message());
  remove_other_kinds(rd, "run.json");
  std::vector<std::string> written;
  const std::pair<const char*, std::string> files[] = {
      {"run.json", data.run.dump(2) + "\n"},
      {"scenario.json", data.scenario_json},
      {"topology.dot", data.topology_dot},
      {"messages.jsonl", data.messages_jsonl},
  };
  for (const auto& [name, content] : files) {
    auto w = write_file_atomic(path_in(rd, name), content);
    if (!w) {
      for (const auto& f : written) fs::remove(f, ec);
      return tl::unexpected(w.error());
    }
    written.push_back(*w);
  }
  return written;
}

WriteResult write_report_data_json(const std::string& dir, const std::string& name,
                                   const Json& doc) {
  const std::string rd = path_in(dir, "report-data");
  std::error_code ec;
  fs::create_directories(rd, ec);
  if (ec) return tl::unexpected("cannot create " + rd + ": " + ec.message());
  remove_other_kinds(rd, name);
  return write_file_atomic(path_in(rd, name), doc.dump(2) + "\n");
}

WriteResult write_report(const std::string& dir, const ReportTools& tools) {
  auto chartjs = read_text_file(tools.chartjs);
  if (!chartjs) return tl::unexpected(chartjs.error());
  ReportAssets assets{std::move(*chartjs)};
  const std::string rd = path_in(dir, "report-data");
  HtmlResult html;
  if (fs::exists(path_in(rd, "run.json"))) {
    RunReportInput in;
    auto summary = read_json(path_in(dir, "summary.json"));
    if (!summary) return tl::unexpected(summary.error());
    in.summary = std::move(*summary);
    auto run = read_json(path_in(rd, "run.json"));
    if (!run) return tl::unexpected(run.error());
    in.run = std::move(*run);
    for (auto [target, file] : {std::pair{&in.timeseries_csv, path_in(dir, "timeseries.csv")},
                                std::pair{&in.scenario_text, path_in(rd, "scenario.json")},
                                std::pair{&in.messages_jsonl, path_in(rd, "messages.jsonl")}}) {
      auto text = read_text_file(file);
      if (!text) return tl::unexpected(text.error());
      *target = std::move(*text);
    }
    auto svg = run_dot(tools, path_in(rd, "topology.dot"));
    if (!svg) return tl::unexpected(svg.error());
    in.topology_svg = std::move(*svg);
    html = render_run_report(in, assets);
  } else if (fs::exists(path_in(rd, "compare.json"))) {
    CompareReportInput in;
    auto meta = read_json(path_in(rd, "compare.json"));
    if (!meta) return tl::unexpected(meta.error());
    in.meta = std::move(*meta);
    auto summaries = read_json(path_in(dir, "compare.json"));
    if (!summaries) return tl::unexpected(summaries.error());
    const Json& variants = in.meta.contains("variants") ? in.meta["variants"] : Json();
    if (!variants.is_array() || !summaries->contains("variants"))
      return tl::unexpected(rd + "/compare.json: no variants");
    for (const auto& v : variants) {
      CompareVariantInput cv;
      cv.label = v.value("label", std::string());
      const Json& all = (*summaries)["variants"];
      if (!all.contains(cv.label))
        return tl::unexpected(path_in(dir, "compare.json") + ": no variant '" + cv.label + "'");
      cv.summary = all[cv.label];
      auto ts =
          read_text_file(path_in(path_in(dir, v.value("dir", std::string())), "timeseries.csv"));
      if (!ts) return tl::unexpected(ts.error());
      cv.timeseries_csv = std::move(*ts);
      in.variants.push_back(std::move(cv));
    }
    html = render_compare_report(in, assets);
  } else if (fs::exists(path_in(rd, "sweep.json"))) {
    auto sweep = read_json(path_in(rd, "sweep.json"));
    if (!sweep) return tl::unexpected(sweep.error());
    html = render_sweep_report(*sweep, assets);
  } else {
    return tl::unexpected(dir +
                          " has no report data (report-data/run.json, compare.json or "
                          "sweep.json): make it with `dhcpsim run|compare|sweep ... --report`");
  }
  if (!html) return tl::unexpected(html.error());
  return write_file_atomic(path_in(dir, "report.html"), *html);
}

}  // namespace dhcpsim::report
