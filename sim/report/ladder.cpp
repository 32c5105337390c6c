// The message ladder (sequence chart) of one client, drawn as SVG from its message records.

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "dhcpsim/report/html_report.hpp"
#include "dhcpsim/report/text_lines.hpp"

namespace dhcpsim::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string fixed_seconds(int64_t ns, int decimals) {
  decimals = std::clamp(decimals, 0, 9);
  const bool negative = ns < 0;
  const uint64_t a = negative ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
  uint64_t scale = 1;
  for (int k = 0; k < 9 - decimals; ++k) scale *= 10;
  // Round half up at the last kept decimal.
  const uint64_t units = (a + scale / 2) / scale;
  uint64_t per_second = 1;
  for (int k = 0; k < decimals; ++k) per_second *= 10;
  std::string s = fmt::format("{}{}", negative ? "-" : "", units / per_second);
  if (decimals > 0) s += fmt::format(".{:0{}}", units % per_second, decimals);
  return s;
}

tl::expected<std::vector<LadderMessage>, std::string> parse_messages_jsonl(std::string_view text) {
  std::vector<LadderMessage> out;
  TextLines lines(text);
  while (auto line = lines.next()) {
    nlohmann::json j = nlohmann::json::parse(*line, nullptr, false);
    auto str = [&](const char* key) {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (!j.is_object() || !j.contains("t_ns") || !j["t_ns"].is_number_integer() ||
        !j.contains("sent") || !j["sent"].is_boolean() || str("client").empty() ||
        str("node").empty() || str("role").empty())
      return tl::unexpected(fmt::format("messages.jsonl line {}: not a message record", lines.number()));
    LadderMessage m;
    m.t_ns = j["t_ns"].get<int64_t>();
    m.client = str("client");
    m.node = str("node");
    m.role = str("role");
    m.sent = j["sent"].get<bool>();
    m.type = str("type");
    m.xid = str("xid");
    m.src = str("src");
    m.dst = str("dst");
    m.server_id = str("server_id");
    m.addr = str("addr");
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

// RFC 2131 §3.1: the messages a client sends (towards the servers).
bool is_request(const std::string& type) {
  return type == "DHCPDISCOVER" || type == "DHCPREQUEST" || type == "DHCPDECLINE" ||
         type == "DHCPRELEASE" || type == "DHCPINFORM";
}

const char* type_color(const std::string& type) {
  if (type == "DHCPDISCOVER") return "#1f77b4";
  if (type == "DHCPOFFER") return "#2ca02c";
  if (type == "DHCPREQUEST") return "#9467bd";
  if (type == "DHCPACK") return "#17803d";
  if (type == "DHCPNAK") return "#d62728";
  if (type == "DHCPDECLINE") return "#ff7f0e";
  if (type == "DHCPRELEASE") return "#7f7f7f";
  if (type == "DHCPINFORM") return "#17becf";
  return "#444444";
}

struct Arrow {
  std::size_t from = 0;
  int64_t t_ns = 0;
  const LadderMessage* msg = nullptr;
  bool broadcast = false;
  bool consumed = false;                            // a unicast message is received once
  std::vector<std::pair<std::size_t, int64_t>> to;  // (column, time received)
};

constexpr int64_t kMatchWindowNs = 10'000'000'000;  // 10 s
constexpr int kLeft = 120;                          // the time axis
constexpr int kColumn = 290;                        // between lifelines: room for a label
constexpr int kHeader = 56;
constexpr int kRow = 26;
constexpr int kStub = 70;  // a message nobody received

}  // namespace

std::string ladder_svg(const std::string& client, const std::vector<LadderMessage>& messages,
                       const std::map<std::string, std::string>& server_names, LadderStats* stats) {
  // Participants: the client, then relays, then servers, each by name (the same order in
  // every ladder of a page).
  struct Participant {
    std::string node;
    std::string role;
  };
  std::vector<Participant> cols{{client, "client"}};
  for (const char* role : {"relay", "server"}) {
    std::set<std::string> nodes;
    for (const auto& m : messages)
      if (m.role == role) nodes.insert(m.node);
    for (const auto& n : nodes) cols.push_back({n, role});
  }
  auto column_of = [&](const LadderMessage& m) -> std::size_t {
    if (m.role == "client") return 0;
    for (std::size_t c = 1; c < cols.size(); ++c)
      if (cols[c].node == m.node && cols[c].role == m.role) return c;
    return 0;
  };
  // The addresses each participant sent from (to aim a message nobody received).
  std::map<std::string, std::size_t> column_of_ip;

  std::vector<Arrow> arrows;
  std::size_t unmatched = 0;
  auto match = [&](const LadderMessage& m, std::size_t col, bool at_relay) -> Arrow* {
    for (auto it = arrows.rbegin(); it != arrows.rend(); ++it) {
      Arrow& a = *it;
      if (m.t_ns - a.t_ns > kMatchWindowNs) break;
      // The same message: type, xid and server identifier (option 54, which relays keep).
      if (a.from == col || a.msg->type != m.type || a.msg->xid != m.xid ||
          a.msg->server_id != m.server_id)
        continue;
      if (!a.broadcast && a.consumed) continue;
      if (at_relay) {
        if (a.msg->role != (is_request(m.type) ? "client" : "server")) continue;
      } else if (a.msg->src != m.src || a.msg->dst != m.dst) {
        continue;  // the same IP packet: same source and destination
      }
      return &a;
    }
    return nullptr;
  };
  auto receive = [&](Arrow* a, std::size_t col, int64_t t) {
    for (const auto& [c, when] : a->to)
      if (c == col) return;  // a duplicated frame: one arrowhead
    a->to.emplace_back(col, t);
    if (!a->broadcast) a->consumed = true;
  };
  for (const auto& m : messages) {
    const std::size_t col = column_of(m);
    const bool relay_send = m.role == "relay" && m.sent;
    if (!m.sent || relay_send) {
      // A relay records only what it forwards: its forwarding is its reception.
      if (Arrow* a = match(m, col, relay_send))
        receive(a, col, m.t_ns);
      else if (!m.sent)
        ++unmatched;
    }
    if (m.sent) {
      Arrow a;
      a.from = col;
      a.t_ns = m.t_ns;
      a.msg = &m;
      a.broadcast = m.dst == "255.255.255.255";
      arrows.push_back(std::move(a));
      if (!m.src.empty() && m.src != "0.0.0.0") column_of_ip.emplace(m.src, col);
    }
  }

  const int width = kLeft + static_cast<int>(cols.size() - 1) * kColumn + kStub + 40 + 60;
  const int height = kHeader + static_cast<int>(arrows.size()) * kRow + 24;
  auto x_of = [](std::size_t col) { return kLeft + 60 + static_cast<int>(col) * kColumn; };

  std::string s;
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" "
      "data-client=\"{2}\" data-messages=\"{3}\">\n",
      width, height, html_escape(client), arrows.size());
  // Lifelines with their headers.
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const int x = x_of(c);
    std::string title = cols[c].node;
    std::string sub = cols[c].role;
    if (cols[c].role == "server") {
      auto it = server_names.find(cols[c].node);
      if (it != server_names.end() && it->second != cols[c].node) {
        title = it->second;
        sub = "server on " + cols[c].node;
      }
    }
    s += fmt::format(
        "<g class=\"lifeline\" data-node=\"{0}\" data-role=\"{1}\"><rect x=\"{2}\" y=\"6\" "
        "width=\"170\" height=\"34\" rx=\"4\" fill=\"{3}\" stroke=\"#888\"/>"
        "<text x=\"{4}\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">{5}</text>"
        "<text x=\"{4}\" y=\"34\" text-anchor=\"middle\" fill=\"#555\">{6}</text>"
        "<line x1=\"{4}\" y1=\"40\" x2=\"{4}\" y2=\"{7}\" stroke=\"#bbb\" stroke-dasharray=\"3 "
        "3\"/></g>\n",
        html_escape(cols[c].node), html_escape(cols[c].role), x - 85,
        c == 0 ? "#e8f0fe" : (cols[c].role == "relay" ? "#fff4d6" : "#e6f4ea"), x,
        html_escape(title), html_escape(sub), height - 8);
  }
  s += fmt::format("<text x=\"8\" y=\"{}\" fill=\"#555\">virtual time</text>\n", kHeader - 6);

  std::size_t delivered = 0;
  for (std::size_t r = 0; r < arrows.size(); ++r) {
    const Arrow& a = arrows[r];
    const LadderMessage& m = *a.msg;
    const int y = kHeader + static_cast<int>(r) * kRow + 16;
    const int x0 = x_of(a.from);
    const char* color = type_color(m.type);
    std::string label = m.type;
    if (!m.addr.empty()) label += " " + m.addr;
    label += "  xid " + m.xid;
    if (a.broadcast) label += "  (broadcast)";
    const char* dash = a.broadcast ? " stroke-dasharray=\"6 3\"" : "";
    s += fmt::format(
        "<g class=\"msg{}\" data-type=\"{}\" data-t-ns=\"{}\" data-receivers=\"{}\">"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{} s</text>",
        a.broadcast ? " broadcast" : "", html_escape(m.type), a.t_ns, a.to.size(), kLeft, y + 4,
        fixed_seconds(a.t_ns, 6));
    if (a.to.empty()) {
      // Nobody received it: towards the addressee if known, else off to the side.
      int x1 = x0 + (a.from + 1 < cols.size() || a.from == 0 ? kStub : -kStub);
      if (auto it = column_of_ip.find(m.dst); it != column_of_ip.end() && it->second != a.from)
        x1 = x_of(it->second) + (it->second > a.from ? -24 : 24);
      else if (a.broadcast && a.from == 0 && cols.size() > 1)
        x1 = x_of(cols.size() - 1) + kStub;
      s += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"{}/>"
          "<path class=\"lost\" d=\"M{},{} L{},{} M{},{} L{},{}\" stroke=\"#d62728\" "
          "stroke-width=\"2\"/>",
          x0, y, x1, y, color, dash, x1 - 4, y - 4, x1 + 4, y + 4, x1 + 4, y - 4, x1 - 4, y + 4);
      s += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{} — not received</text>",
          (x0 + x1) / 2, y - 4, color, html_escape(label));
    } else {
      ++delivered;
      int lo = x0, hi = x0;
      for (const auto& [c, t] : a.to) {
        lo = std::min(lo, x_of(c));
        hi = std::max(hi, x_of(c));
      }
      s += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"{}/>",
          lo, y, hi, y, color, dash);
      for (const auto& [c, t] : a.to) {
        const int x = x_of(c);
        const int dir = x > x0 ? 1 : -1;
        s += fmt::format("<path d=\"M{},{} L{},{} L{},{} Z\" fill=\"{}\"/>", x, y, x - dir * 8,
                         y - 4, x - dir * 8, y + 4, color);
        const int64_t delay_us = (t - a.t_ns) / 1000;
        if (delay_us >= 1000)
          s += fmt::format(
              "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" fill=\"#777\" font-size=\"9\">+{}.{:03} "
              "ms</text>",
              x + dir * 4, y + 12, dir > 0 ? "start" : "end", delay_us / 1000, delay_us % 1000);
      }
      const int mid = a.to.size() == 1 ? (x0 + x_of(a.to.front().first)) / 2 : (lo + hi) / 2;
      s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>", mid,
                       y - 4, color, html_escape(label));
    }
    s += "</g>\n";
  }
  s += "</svg>\n";
  if (stats != nullptr) {
    stats->arrows = arrows.size();
    stats->delivered = delivered;
    stats->unmatched_receives = unmatched;
    stats->participants = cols.size();
  }
  return s;
}

}  // namespace dhcpsim::report
