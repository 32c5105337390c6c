// The HTML report pages: a run, a comparison, a sweep. Pure functions of their inputs.

#include "dhcpsim/report/html_report.hpp"
#include "dhcpsim/report/text_lines.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "dhcpsim/report/stats.hpp"

namespace dhcpsim::report {

using Json = nlohmann::ordered_json;

namespace {

// ---- small helpers ----------------------------------------------------------------------

/// A CSV table of numbers with a header (timeseries.csv).
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;

  std::optional<std::size_t> index(std::string_view name) const {
    for (std::size_t k = 0; k < header.size(); ++k)
      if (header[k] == name) return k;
    return std::nullopt;
  }
  std::vector<double> column(std::size_t k) const {
    std::vector<double> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(k < r.size() ? r[k] : 0.0);
    return out;
  }
};

/// One CSV line split into fields (RFC 4180 quoting).
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> out;
  std::string f;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        f += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        f += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(f));
      f.clear();
    } else if (c != '\r') {
      f += c;
    }
  }
  out.push_back(std::move(f));
  return out;
}

tl::expected<Table, std::string> parse_table(std::string_view text, const std::string& name) {
  Table t;
  TextLines lines(text);
  while (auto line = lines.next()) {
    auto fields = csv_fields(*line);
    if (t.header.empty()) {
      t.header = std::move(fields);
      continue;
    }
    if (fields.size() != t.header.size())
      return tl::unexpected(fmt::format("{} line {}: {} fields, the header has {}", name, lines.number(),
                                        fields.size(), t.header.size()));
    std::vector<double> row;
    row.reserve(fields.size());
    for (const auto& f : fields) {
      double v = 0;
      auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec != std::errc() || p != f.data() + f.size())
        return tl::unexpected(fmt::format("{} line {}: '{}' is not a number", name, lines.number(), f));
      row.push_back(v);
    }
    t.rows.push_back(std::move(row));
  }
  if (t.header.empty() || t.header.front() != "t_s")
    return tl::unexpected(name + ": no header starting with t_s");
  return t;
}

/// A number for the embedded JSON: integers as integers.
Json jnum(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::floor(v) && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

Json jarray(const std::vector<double>& xs) {
  Json a = Json::array();
  for (double x : xs) a.push_back(jnum(x));
  return a;
}

/// A summary value for a table: integers plainly, others with 3 decimals, "mean ± ci" for
/// an aggregate, "-" when absent.
std::string cell(const Json& v) {
  auto plain = [](const Json& x) -> std::string {
    if (x.is_number_integer() || x.is_number_unsigned()) return x.dump();
    if (x.is_number_float()) {
      const double d = x.get<double>();
      if (d == std::floor(d) && std::fabs(d) < 1e15)
        return fmt::format("{}", static_cast<int64_t>(d));
      return fmt::format("{:.3f}", d);
    }
    if (x.is_boolean()) return x.get<bool>() ? "yes" : "no";
    if (x.is_string()) return x.get<std::string>();
    return "-";
  };
  if (is_estimate(v)) {
    std::string s = plain(v["mean"]);
    if (v.contains("ci95") && v["ci95"].is_number()) s += " ± " + plain(v["ci95"]);
    return s;
  }
  return plain(v);
}

const Json& at_pointer(const Json& j, const std::string& pointer) {
  static const Json kNull;
  try {
    Json::json_pointer p(pointer);
    return j.contains(p) ? j.at(p) : kNull;
  } catch (const std::exception&) {
    return kNull;
  }
}

/// A metric's value: the number, or an aggregate's mean (null when absent).
Json metric_value(const Json& summary, const std::string& pointer) {
  const Json& v = at_pointer(summary, pointer);
  if (is_estimate(v)) return v["mean"].is_number() ? v["mean"] : Json(nullptr);
  if (v.is_number()) return v;
  return nullptr;
}
Json metric_ci(const Json& summary, const std::string& pointer) {
  const Json& v = at_pointer(summary, pointer);
  if (is_estimate(v) && v.contains("ci95") && v["ci95"].is_number()) return v["ci95"];
  return nullptr;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The embedded JSON: '<' escaped, so no "</script>" or "<!--" can end or confuse it.
std::string script_json(const Json& j) {
  const std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

/// Chart.js's version from its banner ("Chart.js v3.9.1"), or "".
std::string chartjs_version(const std::string& source) {
  const auto p = source.find("Chart.js v");
  if (p == std::string::npos || p > 200) return "";
  const auto end = source.find_first_of(" \n\r*", p + 10);
  return source.substr(p + 10, end == std::string::npos ? std::string::npos : end - p - 10);
}

/// Inline script text: "</script" cannot appear in a script element.
std::string script_text(const std::string& code) {
  std::string out;
  out.reserve(code.size());
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '<' && i + 1 < code.size() && code[i + 1] == '/' &&
        code.compare(i + 2, 6, "script") == 0) {
      out += "<\\/";
      ++i;
      continue;
    }
    out += code[i];
  }
  return out;
}

struct ChartSpec {
  Json j;
  std::string note;
};

ChartSpec chart(const std::string& id, const std::string& title, const std::string& kind,
                const std::string& type, const std::string& x_type, const std::string& x_title,
                const std::string& y_title) {
  ChartSpec c;
  c.j = Json::object();
  c.j["id"] = id;
  c.j["title"] = title;
  c.j["kind"] = kind;
  c.j["type"] = type;
  c.j["x_type"] = x_type;
  c.j["x_title"] = x_title;
  c.j["y_title"] = y_title;
  c.j["datasets"] = Json::array();
  return c;
}

Json dataset(const std::string& label, Json y) {
  Json d = Json::object();
  d["label"] = label;
  d["y"] = std::move(y);
  return d;
}

const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
std::string color(std::size_t k) {
  return kPalette[k % (sizeof kPalette / sizeof kPalette[0])];
}

std::string chart_cards(const std::vector<ChartSpec>& charts) {
  std::string s = "<div class=\"grid\">\n";
  for (const auto& c : charts) {
    s += fmt::format(
        "<div class=\"card\" id=\"card-{0}\"><h3>{1}</h3><div class=\"chart\"><canvas "
        "id=\"chart-{0}\" "
        "role=\"img\" aria-label=\"{1}\"></canvas></div>",
        html_escape(c.j["id"].get<std::string>()), html_escape(c.j["title"].get<std::string>()));
    if (!c.note.empty()) s += "<p class=\"note\">" + html_escape(c.note) + "</p>";
    s += "</div>\n";
  }
  return s + "</div>\n";
}

Json charts_json(const std::vector<ChartSpec>& charts) {
  Json a = Json::array();
  for (const auto& c : charts) a.push_back(c.j);
  return a;
}

// The page's script: builds every chart from the embedded specs, with Chart.js, then
// lists what it drew in window.dhcpsimCharts. Error bars (95 % confidence intervals) are a
// small plugin: Chart.js 3 has no error-bar chart type.
constexpr const char* kPageScript = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dhcpsim-data').textContent);
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
                 '#7f7f7f', '#bcbd22', '#17becf'];
  function timeUnit(max) {
    if (max >= 3 * 3600) return [3600, 'h'];
    if (max >= 180) return [60, 'min'];
    return [1, 's'];
  }
  function round3(v) { return Math.round(v * 1000) / 1000; }
  // A tick step of 1, 2, 5, 10, 15, 20, 30, 60, ... units giving at most 8 ticks.
  function niceStep(range) {
    var steps = [1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 600, 1200];
    for (var i = 0; i < steps.length; i++) if (range / steps[i] <= 8) return steps[i];
    return Math.ceil(range / 8);
  }
  var errorBars = {
    id: 'dhcpsimErrorBars',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, drawn = 0;
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.errorBars || !chart.isDatasetVisible(i)) return;
        var meta = chart.getDatasetMeta(i), scale = chart.scales[meta.yAxisID];
        ctx.save();
        ctx.strokeStyle = ds.borderColor;
        ctx.lineWidth = 1.5;
        meta.data.forEach(function (el, j) {
          var e = ds.errorBars[j], v = ds.data[j];
          if (e === null || e === undefined || v === null || v === undefined) return;
          var y = typeof v === 'object' ? v.y : v;
          if (y === null || !isFinite(el.x)) return;
          var top = scale.getPixelForValue(y + e), bottom = scale.getPixelForValue(y - e);
          ctx.beginPath();
          ctx.moveTo(el.x, top); ctx.lineTo(el.x, bottom);
          ctx.moveTo(el.x - 5, top); ctx.lineTo(el.x + 5, top);
          ctx.moveTo(el.x - 5, bottom); ctx.lineTo(el.x + 5, bottom);
          ctx.stroke();
          drawn++;
        });
        ctx.restore();
      });
      chart.$dhcpsimErrorBars = drawn;
    }
  };
  var charts = data.charts.map(function (spec) {
    var linear = spec.x_type === 'linear';
    var xmax = 0, ymax = null;
    var datasets = spec.datasets.map(function (d, i) {
      var color = d.color || palette[i % palette.length];
      var xs = d.x || spec.x;
      var points = d.y.map(function (y, k) {
        if (linear && xs[k] > xmax) xmax = xs[k];
        if (y !== null && d.ci && d.ci[k] !== null) ymax = Math.max(ymax === null ? 0 : ymax, y + d.ci[k]);
        return linear ? {x: xs[k], y: y} : y;
      });
      return {
        label: d.label, data: points, borderColor: color,
        backgroundColor: spec.type === 'bar' ? color + 'b3' : color,
        borderDash: d.dash ? [6, 4] : [], borderWidth: d.dash ? 1.2 : 1.8,
        stepped: d.stepped || false, pointRadius: spec.points ? 3 : 0, pointHoverRadius: 4,
        errorBars: d.ci || null, hideInLegend: !!d.no_legend, fill: false
      };
    });
    var unit = spec.x_time ? timeUnit(xmax) : null;
    var x = {type: linear ? 'linear' : 'category',
             title: {display: true, text: spec.x_title + (unit ? ' (' + unit[1] + ')' : '')}};
    if (unit) {
      x.max = xmax;
      x.ticks = {stepSize: niceStep(xmax / unit[0]) * unit[0],
                 callback: function (v) { return round3(v / unit[0]); }};
    }
    if (linear) x.min = 0;
    var y = {beginAtZero: true, title: {display: true, text: spec.y_title}};
    if (spec.y_max !== undefined) y.max = spec.y_max;
    if (ymax !== null) y.suggestedMax = ymax;
    return new Chart(document.getElementById('chart-' + spec.id), {
      type: spec.type,
      data: {labels: linear ? undefined : spec.x, datasets: datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: {mode: linear ? 'nearest' : 'index', intersect: false, axis: 'x'},
        plugins: {
          legend: {display: spec.legend !== false, labels: {boxWidth: 14, filter: function (item, cd) {
            return !cd.datasets[item.datasetIndex].hideInLegend; }}},
          tooltip: {callbacks: {title: function (items) {
            if (!items.length) return '';
            return linear ? spec.x_title + ' ' + round3(items[0].parsed.x) : items[0].label; }}}
        },
        scales: {x: x, y: y}
      },
      plugins: [errorBars]
    });
  });
  window.dhcpsimCharts = charts.map(function (chart, n) {
    return {
      id: data.charts[n].id, kind: data.charts[n].kind,
      datasets: chart.data.datasets.map(function (d) { return d.data.length; }),
      placed: chart.data.datasets.map(function (d, i) {
        return chart.getDatasetMeta(i).data.filter(function (el) {
          return isFinite(el.x) && isFinite(el.y); }).length; }),
      error_bars: chart.$dhcpsimErrorBars || 0
    };
  });
})();
)JS";

constexpr const char* kStyle = R"CSS(
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
       background: #f4f6f8; color: #1d232a; font-size: 14px; }
header { background: #1f3b57; color: #fff; padding: 14px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 2px 0; color: #d7e2ee; max-width: 1100px; }
main { padding: 6px 28px 28px; max-width: 1500px; }
section { background: #fff; border: 1px solid #d9dee4; border-radius: 6px; margin: 14px 0; padding: 10px 16px; }
h2 { font-size: 17px; margin: 6px 0 10px; }
h3 { font-size: 14px; margin: 4px 0 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
.card { border: 1px solid #e4e8ec; border-radius: 5px; padding: 8px 10px; }
.chart { position: relative; height: 290px; }
.note { color: #58616b; font-size: 12.5px; margin: 6px 0 2px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #e6e9ec; padding: 3px 9px; text-align: right; white-space: nowrap; }
th { background: #f0f3f6; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
.facts td:first-child { color: #58616b; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; }
.kpi { border: 1px solid #e4e8ec; border-radius: 5px; padding: 6px 12px; min-width: 120px; }
.kpi b { display: block; font-size: 20px; }
.kpi span { color: #58616b; font-size: 12px; }
.scroll { overflow-x: auto; }
#topology svg { max-width: 100%; height: auto; }
.ladder-box { margin: 10px 0 18px; }
.ladder-box .scroll { max-height: 720px; overflow: auto; border: 1px solid #eef0f2; }
pre { background: #f6f8fa; padding: 8px; overflow: auto; max-height: 420px; font-size: 12px; }
footer { color: #58616b; font-size: 12px; padding: 0 28px 20px; }
)CSS";

std::string page(const std::string& title, const std::string& header_html, const std::string& body,
                 const Json& data, const ReportAssets& assets, const std::string& footer_extra) {
  std::string s;
  s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += kReportGeneratorMeta;
  s += "\n";
  s += "<title>" + html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n";
  const std::string version = chartjs_version(assets.chartjs);
  s += "<script>/* Chart.js " + version + " (MIT), from Debian's libjs-chart.js */\n" +
       script_text(assets.chartjs) + "\n</script>\n</head>\n<body>\n";
  s += "<header>" + header_html + "</header>\n<main>\n" + body + "</main>\n";
  s += "<footer>Made by dhcpsim with Chart.js " + html_escape(version) + footer_extra +
       ". Self-contained: this file fetches nothing.</footer>\n";
  s += "<script type=\"application/json\" id=\"dhcpsim-data\">" + script_json(data) + "</script>\n";
  s += "<script>" + script_text(kPageScript) + "</script>\n</body>\n</html>\n";
  return s;
}

std::string facts_table(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string s = "<table class=\"facts\">";
  for (const auto& [k, v] : rows)
    s += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>";
  return s + "</table>\n";
}

std::string kpi(const std::string& value, const std::string& what) {
  return "<div class=\"kpi\"><b>" + html_escape(value) + "</b><span>" + html_escape(what) +
         "</span></div>";
}

/// The parts of a leases column "leases:<server>/<a.b.c.d>/<len>/<first>-<last>".
struct PoolColumn {
  std::string server;
  std::string subnet;
  std::string range;
  uint64_t size = 0;
};
std::optional<PoolColumn> pool_column(const std::string& name) {
  if (name.rfind("leases:", 0) != 0) return std::nullopt;
  const std::string rest = name.substr(7);
  const auto r = rest.rfind('/');
  if (r == std::string::npos || r == 0) return std::nullopt;
  const auto l = rest.rfind('/', r - 1);
  if (l == std::string::npos || l == 0) return std::nullopt;
  const auto a = rest.rfind('/', l - 1);
  if (a == std::string::npos) return std::nullopt;
  PoolColumn p;
  p.server = rest.substr(0, a);
  p.subnet = rest.substr(a + 1, r - a - 1);
  p.range = rest.substr(r + 1);
  const auto dash = p.range.find('-');
  if (dash == std::string::npos) return std::nullopt;
  auto ip = [](std::string_view t) -> std::optional<uint32_t> {
    uint32_t v = 0;
    int parts = 0;
    while (!t.empty() && parts < 4) {
      const auto dot = t.find('.');
      std::string_view o = t.substr(0, dot);
      unsigned x = 0;
      auto [p2, ec] = std::from_chars(o.data(), o.data() + o.size(), x);
      if (ec != std::errc() || p2 != o.data() + o.size() || x > 255) return std::nullopt;
      v = (v << 8) | x;
      ++parts;
      t = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
    }
    if (parts != 4 || !t.empty()) return std::nullopt;
    return v;
  };
  auto first = ip(std::string_view(p.range).substr(0, dash));
  auto last = ip(std::string_view(p.range).substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  p.size = uint64_t(*last) - *first + 1;
  return p;
}

std::vector<double> cumulative(std::vector<double> xs) {
  double sum = 0;
  for (double& x : xs) {
    sum += x;
    x = sum;
  }
  return xs;
}

/// Where the time series come from: t_s and the columns by name.
struct Series {
  Table table;
  std::vector<double> t;
  std::vector<double> col(std::string_view name) const {
    auto k = table.index(name);
    return k ? table.column(*k) : std::vector<double>();
  }
  bool has(std::string_view name) const { return table.index(name).has_value(); }
  /// The sum of every column whose name starts with `prefix`.
  std::vector<double> sum_prefix(std::string_view prefix) const {
    std::vector<double> out(t.size(), 0.0);
    for (std::size_t k = 1; k < table.header.size(); ++k) {
      if (table.header[k].rfind(prefix, 0) != 0) continue;
      for (std::size_t r = 0; r < table.rows.size(); ++r) out[r] += table.rows[r][k];
    }
    return out;
  }
};

tl::expected<Series, std::string> series_of(const std::string& csv, const std::string& name) {
  auto t = parse_table(csv, name);
  if (!t) return tl::unexpected(t.error());
  Series s;
  s.table = std::move(*t);
  s.t = s.table.column(0);
  return s;
}

// More pools than this are drawn summed per server.
constexpr std::size_t kMaxPoolLines = 48;

const char* kMessageColumns[] = {"msg:DHCPDISCOVER", "msg:DHCPOFFER",  "msg:DHCPREQUEST",
                                 "msg:DHCPDECLINE",  "msg:DHCPACK",    "msg:DHCPNAK",
                                 "msg:DHCPRELEASE",  "msg:DHCPINFORM", "msg:other"};

std::string server_table(const Json& servers) {
  if (!servers.is_object() || servers.empty()) return "<p class=\"note\">No DHCP server.</p>\n";
  static const std::pair<const char*, const char*> cols[] = {{"node", "runs on"},
                                                             {"running_at_end", "running at end"},
                                                             {"pool_size", "pool"},
                                                             {"leases_at_end", "leases at end"},
                                                             {"peak_leases", "peak leases"},
                                                             {"received", "received"},
                                                             {"offers", "offers"},
                                                             {"acks", "acks"},
                                                             {"renewals", "renewals"},
                                                             {"naks", "naks"},
                                                             {"declines", "declines"},
                                                             {"releases", "releases"},
                                                             {"informs", "informs"},
                                                             {"exhausted", "pool exhausted"},
                                                             {"ping_checks", "ping checks"},
                                                             {"ping_conflicts", "ping conflicts"},
                                                             {"queue_drops", "queue drops"},
                                                             {"queue_peak", "queue peak"}};
  std::string s = "<div class=\"scroll\"><table id=\"servers-table\"><tr><th>server</th>";
  for (const auto& [k, label] : cols) s += "<th>" + html_escape(label) + "</th>";
  s += "</tr>";
  for (auto it = servers.begin(); it != servers.end(); ++it) {
    s += "<tr><td>" + html_escape(it.key()) + "</td>";
    for (const auto& [k, label] : cols)
      s += "<td>" + html_escape(cell(at_pointer(*it, std::string("/") + k))) + "</td>";
    s += "</tr>";
  }
  return s + "</table></div>\n";
}

std::string group_table(const Json& groups) {
  if (!groups.is_object() || groups.empty()) return "";
  std::string s =
      "<div class=\"scroll\"><table "
      "id=\"groups-table\"><tr><th>group</th><th>method</th><th>hosts</th>"
      "<th>got an address</th><th>with address at end</th><th>time to address p50 (s)</th>"
      "<th>p90 (s)</th><th>max (s)</th><th>blocked</th><th>gave up</th></tr>";
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    const Json& g = *it;
    s += "<tr><td>" + html_escape(it.key()) + "</td>";
    for (const char* p :
         {"/method", "/hosts", "/with_address", "/with_address_at_end", "/time_to_address_s/p50",
          "/time_to_address_s/p90", "/time_to_address_s/max", "/blocked", "/gave_up"})
      s += "<td>" + html_escape(cell(at_pointer(g, p))) + "</td>";
    s += "</tr>";
  }
  return s + "</table></div>\n";
}

/// The SVG element of Graphviz's output, without its XML prolog and doctype.
std::string inline_svg(const std::string& svg) {
  const auto p = svg.find("<svg");
  return p == std::string::npos ? std::string() : svg.substr(p);
}

/// "2.43.0" from Graphviz's "<!-- Generated by graphviz version 2.43.0 (0)".
std::string graphviz_version(const std::string& svg) {
  const std::string key = "Generated by graphviz version ";
  const auto p = svg.find(key);
  if (p == std::string::npos) return "";
  const auto end = svg.find_first_of(" \n", p + key.size());
  return svg.substr(p + key.size(),
                    end == std::string::npos ? std::string::npos : end - p - key.size());
}

}  // namespace

Json cdf_json(std::vector<int64_t> values_ns, std::size_t max_points) {
  std::sort(values_ns.begin(), values_ns.end());
  const std::size_t n = values_ns.size();
  Json j = Json::object();
  j["n"] = n;
  Json x = Json::array(), y = Json::array();
  if (n > 0 && max_points > 0) {
    const std::size_t points = std::min(n, max_points);
    for (std::size_t k = 1; k <= points; ++k) {
      // Rank ceil(k n / points): all ranks when points == n.
      const std::size_t rank = (k * n + points - 1) / points;
      x.push_back(static_cast<double>(values_ns[rank - 1]) / 1e9);
      y.push_back(static_cast<double>(rank) / static_cast<double>(n));
    }
  }
  j["x"] = std::move(x);
  j["y"] = std::move(y);
  return j;
}

// ---- a run ----------------------------------------------------------------------------------

HtmlResult render_run_report(const RunReportInput& in, const ReportAssets& assets) {
  auto series = series_of(in.timeseries_csv, "timeseries.csv");
  if (!series) return tl::unexpected(series.error());
  auto messages = parse_messages_jsonl(in.messages_jsonl);
  if (!messages) return tl::unexpected(messages.error());
  const Series& ts = *series;
  const Json& sum = in.summary;
  const Json& run = in.run;
  const Json x = jarray(ts.t);
  const std::string bucket = cell(at_pointer(sum, "/run/timeseries_bucket_s"));

  std::vector<ChartSpec> charts;
  // Leases in use per pool, with the pool's size as a dashed line of the same colour.
  {
    ChartSpec c = chart("leases", "Leases in use per pool", "timeseries", "line", "linear", "time",
                        "leases in use");
    c.j["x"] = x;
    c.j["x_time"] = true;
    struct Line {
      std::string label;
      std::vector<double> leases;
      uint64_t size = 0;
    };
    std::vector<Line> lines;
    for (std::size_t col = 1; col < ts.table.header.size(); ++col) {
      auto p = pool_column(ts.table.header[col]);
      if (p) lines.push_back({p->server + " " + p->range, ts.table.column(col), p->size});
    }
    const std::size_t pools = lines.size();
    if (pools > kMaxPoolLines) {
      // Hundreds of pools (a campus of many VLANs) would make an unreadable and heavy chart:
      // one line per server instead, its pools summed.
      std::vector<Line> per_server;
      std::map<std::string, std::size_t> index;
      for (std::size_t col = 1; col < ts.table.header.size(); ++col) {
        auto p = pool_column(ts.table.header[col]);
        if (!p) continue;
        auto [it, fresh] = index.emplace(p->server, per_server.size());
        if (fresh) per_server.push_back({p->server, std::vector<double>(ts.t.size(), 0.0), 0});
        Line& l = per_server[it->second];
        const auto v = ts.table.column(col);
        for (std::size_t r = 0; r < v.size(); ++r) l.leases[r] += v[r];
        l.size += p->size;
      }
      for (auto& l : per_server) l.label += " (all its pools)";
      lines = std::move(per_server);
    }
    std::size_t k = 0;
    for (const Line& l : lines) {
      Json d = dataset(l.label, jarray(l.leases));
      d["color"] = color(k);
      c.j["datasets"].push_back(std::move(d));
      Json size = dataset(l.label + " size",
                          jarray(std::vector<double>(ts.t.size(), static_cast<double>(l.size))));
      size["color"] = color(k);
      size["dash"] = true;
      size["no_legend"] = true;
      c.j["datasets"].push_back(std::move(size));
      ++k;
    }
    c.note = "Bound leases per pool at the end of each " + bucket +
             " s bucket; the dashed line of the same colour is the pool's size.";
    if (pools > kMaxPoolLines) c.note += fmt::format(" {} pools, summed per server.", pools);
    if (k > 8) {
      // A legend of dozens of pools would leave no room for the chart: names on hover.
      c.j["legend"] = false;
      c.note += fmt::format(" {} pools: point at a line for its name.", k);
    }
    if (k > 0) charts.push_back(std::move(c));
  }
  {
    ChartSpec c = chart("clients", "DHCP clients: bound, waiting, blocked", "timeseries", "line",
                        "linear", "time", "clients");
    c.j["x"] = x;
    c.j["x_time"] = true;
    c.j["datasets"].push_back(dataset("bound", jarray(ts.col("bound"))));
    c.j["datasets"].push_back(dataset("waiting for an address", jarray(ts.col("waiting"))));
    c.j["datasets"].push_back(
        dataset("blocked (left without one, total)", jarray(ts.col("blocked"))));
    c.note =
        "Bound: BOUND, RENEWING or REBINDING. Waiting: booted and asking. Blocked: clients that "
        "left after their patience without an address (cumulative).";
    charts.push_back(std::move(c));
  }
  {
    const Json& cdf = at_pointer(run, "/time_to_address");
    ChartSpec c = chart("tta", "Time to an address (CDF)", "cdf", "line", "linear",
                        "seconds from boot to the first address", "share of hosts");
    c.j["x"] = cdf.contains("x") ? cdf["x"] : Json::array();
    c.j["y_max"] = 1;
    Json d = dataset("hosts with an address", cdf.contains("y") ? cdf["y"] : Json::array());
    d["stepped"] = "after";
    c.j["datasets"].push_back(std::move(d));
    c.j["points"] = cdf.contains("x") && cdf["x"].size() <= 60;
    c.note = fmt::format(
        "{} hosts got an address (static or DHCP); share of them with an address "
        "after the time on the x axis.",
        cell(at_pointer(cdf, "/n")));
    charts.push_back(std::move(c));
  }
  {
    ChartSpec c = chart("messages", "DHCP messages per type", "timeseries", "line", "linear",
                        "time", "messages per " + bucket + " s");
    c.j["x"] = x;
    c.j["x_time"] = true;
    for (const char* m : kMessageColumns) {
      auto v = ts.col(m);
      if (v.empty() || std::all_of(v.begin(), v.end(), [](double d) { return d == 0; })) continue;
      std::string label = std::string(m).substr(4);
      c.j["datasets"].push_back(dataset(label, jarray(v)));
    }
    for (const char* extra : {"relayed", "server_drops"}) {
      auto v = ts.col(extra);
      if (v.empty() || std::all_of(v.begin(), v.end(), [](double d) { return d == 0; })) continue;
      Json d = dataset(std::string(extra) == "relayed" ? "forwarded by relays"
                                                       : "dropped at a server's full queue",
                       jarray(v));
      d["dash"] = true;
      c.j["datasets"].push_back(std::move(d));
    }
    c.note =
        "Messages sent by clients and servers in each bucket (a relay's forwarding is not a new "
        "message and is shown dashed).";
    if (!c.j["datasets"].empty()) charts.push_back(std::move(c));
  }
  {
    ChartSpec c = chart("conflicts", "Address conflicts: ground truth and what was detected",
                        "timeseries", "line", "linear", "time", "conflicts");
    c.j["x"] = x;
    c.j["x_time"] = true;
    auto add = [&](const std::string& label, std::vector<double> v, bool dash) {
      Json d = dataset(label, jarray(v));
      if (dash) d["dash"] = true;
      c.j["datasets"].push_back(std::move(d));
    };
    add("held twice now (truth)", ts.col("conflicts_now"), false);
    if (ts.has("conflict_starts"))
      add("conflicts begun, total (truth)", cumulative(ts.col("conflict_starts")), false);
    add("detected by hosts: ACD, total", cumulative(ts.col("detected:acd")), true);
    add("detected by hosts: DECLINE, total", cumulative(ts.col("detected:decline")), true);
    add("detected by hosts: link-local ACD, total", cumulative(ts.col("detected:link_local_acd")),
        true);
    add("detected by servers: ping check, total", cumulative(ts.col("detected:ping_check")), true);
    c.note =
        "Solid: the simulator's ground truth (addresses held by two interfaces of one segment). "
        "Dashed: conflicts the hosts (RFC 5227 ACD, a DHCPDECLINE after an ARP probe) and the "
        "servers (ping check) noticed, cumulative.";
    charts.push_back(std::move(c));
  }

  // ---- the page ----
  const Json& sc = at_pointer(run, "/scenario");
  const std::string name = cell(at_pointer(sc, "/name"));
  std::string header = "<h1>" + html_escape(name) + "</h1>";
  const Json& description = at_pointer(sc, "/description");
  if (description.is_string() && !description.get<std::string>().empty())
    header += "<p>" + html_escape(description.get<std::string>()) + "</p>";
  header += "<p>seed " + html_escape(cell(at_pointer(sc, "/seed"))) + " · dhcpsim " +
            html_escape(cell(at_pointer(sc, "/program_version"))) + " · scenario file " +
            html_escape(cell(at_pointer(sc, "/file"))) + "</p>";

  std::string body;
  body += "<section id=\"overview\"><h2>Run</h2><div class=\"kpis\">";
  body += kpi(cell(at_pointer(sum, "/hosts/total")), "hosts");
  body += kpi(cell(at_pointer(sum, "/hosts/with_address")), "got an address");
  body +=
      kpi(cell(at_pointer(sum, "/hosts/time_to_address_s/p50")) + " s", "time to address, median");
  body += kpi(cell(at_pointer(sum, "/hosts/time_to_address_s/max")) + " s", "time to address, max");
  body += kpi(cell(at_pointer(sum, "/hosts/blocked")), "blocked");
  body += kpi(cell(at_pointer(sum, "/conflicts/ground_truth/addresses_conflicted")),
              "addresses held twice");
  body += kpi(cell(at_pointer(sum, "/dhcp_messages/total")), "DHCP messages");
  body += "</div>\n";
  body += facts_table({{"scenario", name},
                       {"seed", cell(at_pointer(sc, "/seed"))},
                       {"program version", cell(at_pointer(sc, "/program_version"))},
                       {"simulated time", cell(at_pointer(sum, "/run/simulated_time_s")) + " s"},
                       {"stopped because", cell(at_pointer(sum, "/run/stop_reason"))},
                       {"events executed", cell(at_pointer(sum, "/run/events_executed"))},
                       {"time-series bucket", bucket + " s"}});
  body +=
      "<p class=\"note\">Wall-clock figures (run time, memory) are in summary.json under "
      "\"wall\"; they are left out here so that the page is the same for the same run.</p>";
  body += "</section>\n";

  body += "<section id=\"topology\"><h2>Topology</h2>";
  body +=
      "<p class=\"note\">The simulator's own network graph, laid out by Graphviz: segments "
      "(ellipses, with their subnets), routers (with interface addresses, DHCP relay and server "
      "roles) and hosts, one box per group and segment with its count.</p>";
  body += "<div class=\"scroll\">" + inline_svg(in.topology_svg) + "</div></section>\n";

  body += "<section id=\"charts\"><h2>Over time</h2>" + chart_cards(charts) + "</section>\n";

  body += "<section id=\"servers\"><h2>DHCP servers</h2>" +
          server_table(at_pointer(sum, "/servers")) + "</section>\n";
  body += "<section id=\"groups\"><h2>Host groups</h2>" + group_table(at_pointer(sum, "/groups")) +
          "</section>\n";

  // Ladders.
  std::map<std::string, std::string> server_names;
  const Json& servers = at_pointer(run, "/servers");
  if (servers.is_object())
    for (auto it = servers.begin(); it != servers.end(); ++it)
      if (it->is_string()) server_names[it.key()] = it->get<std::string>();
  body += "<section id=\"ladders\"><h2>Message ladders</h2>";
  body +=
      "<p class=\"note\">Every DHCP message between a client, the relays and the servers, in "
      "virtual time (one row per message sent; dashed: broadcast; a cross: nobody received "
      "it; +ms: the time it waited, e.g. in a server's queue). Clients shown: the slowest to "
      "get an address, some that never got one, those with a DHCPNAK, a DHCPDECLINE or a "
      "conflict, and any named with --follow.";
  const Json& problems = at_pointer(run, "/clients_with_problems");
  if (problems.is_number())
    body += fmt::format(" {} clients had a NAK, DECLINE or conflict.", problems.get<uint64_t>());
  body += "</p>";
  const Json& missing = at_pointer(run, "/followed_missing");
  if (missing.is_array() && !missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m.get<std::string>();
    body +=
        "<p class=\"note\">Followed but never present in this run: " + html_escape(names) + ".</p>";
  }
  const Json& chosen = at_pointer(run, "/chosen");
  if (!chosen.is_array() || chosen.empty()) body += "<p class=\"note\">No client to show.</p>";
  if (chosen.is_array()) {
    for (const auto& c : chosen) {
      const std::string client = c.value("client", std::string());
      std::vector<LadderMessage> mine;
      std::size_t sent = 0;
      for (const auto& m : *messages)
        if (m.client == client) {
          mine.push_back(m);
          if (m.sent) ++sent;
        }
      std::string reasons;
      if (c.contains("reasons"))
        for (const auto& r : c["reasons"])
          reasons += (reasons.empty() ? "" : "; ") + r.get<std::string>();
      body += fmt::format("<div class=\"ladder-box\" data-client=\"{}\" data-sent=\"{}\">",
                          html_escape(client), sent);
      body += "<h3>" + html_escape(client);
      if (c.contains("mac")) body += " <small>" + html_escape(cell(c["mac"])) + "</small>";
      body += "</h3><p class=\"note\">" + html_escape(reasons);
      const Json& tta = at_pointer(c, "/time_to_address_s");
      body += tta.is_number() ? "; address after " + html_escape(cell(tta)) + " s" : "; no address";
      if (c.contains("segment")) body += "; segment " + html_escape(cell(c["segment"]));
      const Json& left = at_pointer(c, "/left_out");
      if (left.is_number() && left.get<uint64_t>() > 0)
        body += fmt::format("; its first {} messages are drawn, {} more are not",
                            cell(at_pointer(c, "/messages")), left.get<uint64_t>());
      body += ".</p>";
      if (mine.empty()) {
        body += "<p class=\"note\">No DHCP message (not a DHCP client, or it never booted).</p>";
      } else {
        body += "<div class=\"scroll\">" + ladder_svg(client, mine, server_names) + "</div>";
      }
      body += "</div>\n";
    }
  }
  body += "</section>\n";

  body +=
      "<section id=\"scenario\"><h2>Scenario</h2><details><summary>The scenario as run "
      "(after --set)</summary><pre>" +
      html_escape(in.scenario_text) + "</pre></details></section>\n";

  Json data = Json::object();
  data["kind"] = "run";
  data["charts"] = charts_json(charts);
  const std::string gv = graphviz_version(in.topology_svg);
  return page("dhcpsim report: " + name + ", seed " + cell(at_pointer(sc, "/seed")), header, body,
              data, assets, gv.empty() ? std::string() : " and Graphviz " + gv);
}

// ---- a comparison ---------------------------------------------------------------------------

namespace {

struct MetricGroup {
  const char* id;
  const char* title;
  const char* y_title;
  std::vector<std::pair<const char*, const char*>> metrics;  // (label, pointer)
};

const std::vector<MetricGroup>& compare_groups() {
  static const std::vector<MetricGroup> groups = {
      {"hosts",
       "Hosts",
       "hosts",
       {{"hosts", "/hosts/total"},
        {"got an address", "/hosts/with_address"},
        {"with an address at the end", "/hosts/with_address_at_end"},
        {"blocked", "/hosts/blocked"}}},
      {"tta",
       "Time to an address",
       "seconds",
       {{"p50", "/hosts/time_to_address_s/p50"},
        {"p90", "/hosts/time_to_address_s/p90"},
        {"max", "/hosts/time_to_address_s/max"}}},
      {"probes",
       "Probes answered",
       "share of the probes sent",
       {{"gateway", "/probes/gateway/ok_ratio"},
        {"peer", "/probes/peer/ok_ratio"},
        {"outside", "/probes/outside/ok_ratio"},
        {"DNS", "/probes/dns/ok_ratio"}}},
      {"trouble",
       "Trouble",
       "count",
       {{"replies to the wrong host", "/network/stray_replies"},
        {"ARP cache flips", "/network/arp_flips"},
        {"addresses held twice", "/conflicts/ground_truth/addresses_conflicted"},
        {"detected by ACD", "/conflicts/detected/acd"},
        {"by ping check", "/conflicts/detected/ping_check"},
        {"by DECLINE", "/conflicts/detected/decline"}}},
      {"dhcp",
       "DHCP messages",
       "messages",
       {{"total", "/dhcp_messages/total"},
        {"DISCOVER", "/dhcp_messages/DHCPDISCOVER"},
        {"NAK", "/dhcp_messages/DHCPNAK"},
        {"DECLINE", "/dhcp_messages/DHCPDECLINE"}}},
  };
  return groups;
}

}  // namespace

HtmlResult render_compare_report(const CompareReportInput& in, const ReportAssets& assets) {
  std::vector<ChartSpec> bars, overlays;
  for (const MetricGroup& g : compare_groups()) {
    ChartSpec c =
        chart(std::string("bars-") + g.id, g.title, "bars", "bar", "category", "", g.y_title);
    Json labels = Json::array();
    std::vector<std::string> kept;
    for (const auto& [label, ptr] : g.metrics) {
      bool any = false;
      for (const auto& v : in.variants) any |= !metric_value(v.summary, ptr).is_null();
      if (any) {
        labels.push_back(label);
        kept.push_back(ptr);
      }
    }
    if (kept.empty()) continue;
    c.j["x"] = labels;
    bool any_ci = false;
    for (std::size_t k = 0; k < in.variants.size(); ++k) {
      Json y = Json::array(), ci = Json::array();
      for (const auto& ptr : kept) {
        y.push_back(metric_value(in.variants[k].summary, ptr));
        ci.push_back(metric_ci(in.variants[k].summary, ptr));
        any_ci |= !ci.back().is_null();
      }
      Json d = dataset(in.variants[k].label, std::move(y));
      if (any_ci) d["ci"] = std::move(ci);
      c.j["datasets"].push_back(std::move(d));
    }
    if (any_ci)
      c.note = "Bars are means over the replications; whiskers, their 95 % confidence intervals.";
    bars.push_back(std::move(c));
  }

  std::vector<Series> series;
  for (const auto& v : in.variants) {
    auto s = series_of(v.timeseries_csv, v.label + "/timeseries.csv");
    if (!s) return tl::unexpected(s.error());
    series.push_back(std::move(*s));
  }
  struct Overlay {
    const char* id;
    const char* title;
    const char* y_title;
    std::function<std::vector<double>(const Series&)> values;
  };
  const std::vector<Overlay> overlay_defs = {
      {"bound", "DHCP clients bound", "clients", [](const Series& s) { return s.col("bound"); }},
      {"waiting", "DHCP clients waiting for an address", "clients",
       [](const Series& s) { return s.col("waiting"); }},
      {"blocked", "Clients blocked (total)", "clients",
       [](const Series& s) { return s.col("blocked"); }},
      {"leases", "Leases in use (all pools)", "leases",
       [](const Series& s) { return s.sum_prefix("leases:"); }},
      {"messages", "DHCP messages per second", "messages / s",
       [](const Series& s) {
         std::vector<double> v = s.sum_prefix("msg:");
         for (std::size_t r = 0; r < v.size(); ++r) {
           const double dt = s.t[r] - (r == 0 ? 0.0 : s.t[r - 1]);
           v[r] = dt > 0 ? v[r] / dt : 0.0;
         }
         return v;
       }},
      {"conflicts", "Addresses held twice now (truth)", "addresses",
       [](const Series& s) { return s.col("conflicts_now"); }},
  };
  for (const Overlay& o : overlay_defs) {
    ChartSpec c =
        chart(std::string("over-") + o.id, o.title, "overlay", "line", "linear", "time", o.y_title);
    c.j["x_time"] = true;
    for (std::size_t k = 0; k < in.variants.size(); ++k) {
      std::vector<double> v = o.values(series[k]);
      v.resize(series[k].t.size(), 0.0);
      Json d = dataset(in.variants[k].label, jarray(v));
      d["x"] = jarray(series[k].t);
      c.j["datasets"].push_back(std::move(d));
    }
    overlays.push_back(std::move(c));
  }

  std::string names;
  for (const auto& v : in.variants) names += (names.empty() ? "" : " vs ") + v.label;
  const Json& meta = in.meta;
  const uint64_t reps =
      at_pointer(meta, "/replications").is_number() ? meta["replications"].get<uint64_t>() : 1;
  std::string header = "<h1>Comparison: " + html_escape(names) + "</h1><p>seed " +
                       html_escape(cell(at_pointer(meta, "/seed")));
  if (reps > 1) header += fmt::format(" and the next {} (replications: {})", reps - 1, reps);
  header += " · dhcpsim " + html_escape(cell(at_pointer(meta, "/program_version"))) + "</p>";

  std::string body =
      "<section "
      "id=\"variants\"><h2>Scenarios</h2><table><tr><th>label</th><th>scenario</th><th>file</th></"
      "tr>";
  for (const auto& v : in.variants) {
    body += "<tr><td>" + html_escape(v.label) + "</td><td>" +
            html_escape(cell(at_pointer(v.summary, "/scenario/name"))) + "</td><td>" +
            html_escape(base_name(cell(at_pointer(v.summary, "/scenario/file")))) + "</td></tr>";
  }
  body += "</table></section>\n";
  body +=
      "<section id=\"bars\"><h2>Key metrics side by side</h2>" + chart_cards(bars) + "</section>\n";
  body += "<section id=\"overlays\"><h2>Over time</h2>";
  if (reps > 1)
    body +=
        "<p class=\"note\">Each line is the first replication (the first seed) of its "
        "scenario.</p>";
  body += chart_cards(overlays) + "</section>\n";

  std::vector<ChartSpec> all = bars;
  all.insert(all.end(), overlays.begin(), overlays.end());
  Json data = Json::object();
  data["kind"] = "compare";
  data["charts"] = charts_json(all);
  return page("dhcpsim comparison: " + names, header, body, data, assets, "");
}

// ---- a sweep ------------------------------------------------------------------------------------

namespace {

/// A person's name for a summary metric (the pointer itself when there is none).
std::string metric_label(const std::string& pointer) {
  static const std::map<std::string, std::string> names = {
      {"/hosts/with_address", "hosts that got an address"},
      {"/hosts/with_address_at_end", "hosts with an address at the end"},
      {"/hosts/blocked", "clients blocked (left without an address)"},
      {"/hosts/gave_up", "clients that gave up"},
      {"/hosts/time_to_address_s/p50", "time to an address, median (s)"},
      {"/hosts/time_to_address_s/p90", "time to an address, 90th percentile (s)"},
      {"/hosts/time_to_address_s/max", "time to an address, max (s)"},
      {"/conflicts/ground_truth/addresses_conflicted", "addresses held twice (ground truth)"},
      {"/conflicts/ground_truth/host_seconds", "host-seconds in conflict (ground truth)"},
      {"/dhcp_messages/total", "DHCP messages"},
      {"/network/stray_replies", "replies delivered to the wrong host"},
  };
  auto it = names.find(pointer);
  return it == names.end() ? pointer : it->second;
}

}  // namespace

HtmlResult render_sweep_report(const Json& sw, const ReportAssets& assets) {
  const Json& params = at_pointer(sw, "/parameters");
  const Json& metrics = at_pointer(sw, "/metrics");
  const Json& points = at_pointer(sw, "/points");
  if (!params.is_array() || params.empty() || !metrics.is_array() || !points.is_array())
    return tl::unexpected(std::string("sweep.json: parameters, metrics and points are required"));
  // x: the first parameter's values in sweep order; one line per combination of the others.
  std::vector<std::string> xs;
  std::vector<std::string> series_keys;
  std::map<std::string, std::map<std::string, const Json*>> cell_of;  // series -> x -> point
  for (const auto& p : points) {
    const Json& values = at_pointer(p, "/params");
    if (!values.is_array() || values.size() != params.size())
      return tl::unexpected(
          std::string("sweep.json: a point's params do not match the parameters"));
    const std::string x = values[0].get<std::string>();
    if (std::find(xs.begin(), xs.end(), x) == xs.end()) xs.push_back(x);
    std::string key;
    for (std::size_t k = 1; k < values.size(); ++k)
      key += (key.empty() ? "" : ", ") + params[k].get<std::string>() + " = " +
             values[k].get<std::string>();
    if (std::find(series_keys.begin(), series_keys.end(), key) == series_keys.end())
      series_keys.push_back(key);
    cell_of[key][x] = &p;
  }
  const uint64_t reps =
      at_pointer(sw, "/replications").is_number() ? sw["replications"].get<uint64_t>() : 1;
  std::vector<ChartSpec> charts;
  std::size_t id = 0;
  for (const auto& m : metrics) {
    const std::string metric = m.get<std::string>();
    const std::string label = metric_label(metric);
    ChartSpec c = chart(fmt::format("metric-{}", id++), label, "sweep", "line", "category",
                        params[0].get<std::string>(), label);
    c.j["x"] = xs;
    c.j["points"] = true;
    for (const auto& key : series_keys) {
      Json y = Json::array(), ci = Json::array();
      for (const auto& x : xs) {
        auto it = cell_of[key].find(x);
        const Json* v = it == cell_of[key].end() ? nullptr : &at_pointer(*it->second, "/values");
        const Json& e =
            v == nullptr || !v->is_object() || !v->contains(metric) ? Json() : (*v)[metric];
        y.push_back(e.is_object() && e.contains("mean") ? e["mean"] : Json(nullptr));
        ci.push_back(e.is_object() && e.contains("ci95") ? e["ci95"] : Json(nullptr));
      }
      Json d = dataset(key.empty() ? "mean" : key, std::move(y));
      d["ci"] = std::move(ci);
      c.j["datasets"].push_back(std::move(d));
    }
    c.note =
        (reps > 1
             ? fmt::format("Mean over {} replications per point; whiskers: 95 % "
                           "confidence interval of the mean (Student's t).",
                           reps)
             : std::string("One run per point (no replications, so no confidence interval).")) +
        " summary.json: " + metric;
    charts.push_back(std::move(c));
  }

  const std::string name = cell(at_pointer(sw, "/name"));
  std::string header = "<h1>Sweep: " + html_escape(name) + "</h1><p>base scenario " +
                       html_escape(cell(at_pointer(sw, "/base"))) + " · seed " +
                       html_escape(cell(at_pointer(sw, "/seed"))) +
                       fmt::format(" · {} replications per point", reps) + " · dhcpsim " +
                       html_escape(cell(at_pointer(sw, "/program_version"))) + "</p>";
  std::string body = "<section id=\"grid\"><h2>Grid</h2>";
  std::vector<std::pair<std::string, std::string>> facts;
  for (std::size_t k = 0; k < params.size(); ++k) {
    std::vector<std::string> seen;
    std::string values;
    for (const auto& p : points) {
      const std::string v = p["params"][k].get<std::string>();
      if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
      seen.push_back(v);
      values += (values.empty() ? "" : ", ") + v;
    }
    facts.emplace_back(params[k].get<std::string>(), values);
  }
  facts.emplace_back("points", std::to_string(points.size()));
  body += facts_table(facts) + "</section>\n";
  body += "<section id=\"charts\"><h2>Metrics against " +
          html_escape(params[0].get<std::string>()) + "</h2>" + chart_cards(charts) +
          "</section>\n";
  Json data = Json::object();
  data["kind"] = "sweep";
  data["charts"] = charts_json(charts);
  return page("dhcpsim sweep: " + name, header, body, data, assets, "");
}

}  // namespace dhcpsim::report
