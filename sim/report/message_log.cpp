#include "dhcpsim/report/message_log.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::report {

using namespace dhcpsim::net;

std::vector<std::string> reason_texts(uint8_t reasons) {
  std::vector<std::string> out;
  if (reasons & kReasonFollowed) out.push_back("followed (--follow)");
  if (reasons & kReasonSlowest) out.push_back("among the slowest to get an address");
  if (reasons & kReasonNoAddress) out.push_back("never got an address");
  if (reasons & kReasonNak) out.push_back("received a DHCPNAK");
  if (reasons & kReasonDecline) out.push_back("sent a DHCPDECLINE");
  if (reasons & kReasonAcdConflict) out.push_back("its address conflict detection saw a conflict");
  if (reasons & kReasonConflict) out.push_back("held an address another host held too");
  return out;
}

MessageRecorder::MessageRecorder(const Network& network, std::size_t cap)
    : network_(network), cap_(cap) {}

void MessageRecorder::restrict_to(const std::vector<NodeId>& clients) {
  restricted_ = true;
  for (NodeId n : clients) {
    if (n.value >= wanted_.size()) wanted_.resize(std::size_t(n.value) + 1, 0);
    wanted_[n.value] = 1;
  }
}

uint64_t MessageRecorder::subscriptions() const {
  return kind_bit(RecordKind::kDhcpMessage) | kind_bit(RecordKind::kConflictStart) |
         kind_bit(RecordKind::kConflictDetected);
}

void MessageRecorder::flag(uint32_t node, uint8_t bits) {
  if (node >= flags_.size()) {
    // Churned hosts arrive one by one: grow geometrically.
    flags_.resize(std::max<std::size_t>(std::size_t(node) + 1, flags_.size() + flags_.size() / 2),
                  0);
  }
  const bool had_problem = (flags_[node] & kProblemReasons) != 0;
  flags_[node] |= bits;
  if (!had_problem && (bits & kProblemReasons) != 0) problem_order_.push_back(NodeId(node));
}

void MessageRecorder::keep(const MessageEvent& e) {
  if (restricted_) {
    if (e.client < wanted_.size() && wanted_[e.client]) events_.push_back(e);
    return;
  }
  if (overflowed_) return;
  if (events_.size() >= cap_) {
    // Over the cap: keep nothing more, and give the memory back; the caller replays the
    // run for the chosen clients.
    overflowed_ = true;
    std::vector<MessageEvent>().swap(events_);
    return;
  }
  events_.push_back(e);
}

void MessageRecorder::on_record(const Record& record) {
  switch (kind_of(record)) {
    case RecordKind::kDhcpMessage: {
      const auto& r = *std::get_if<DhcpMessageRecord>(&record);
      if (r.message == nullptr) return;
      const wire::DhcpMessage& m = *r.message;
      const uint64_t mac = m.client_mac().to_u64();
      MessageEvent e;
      e.time_ns = r.time.ns();
      e.node = r.node.value;
      e.xid = m.xid;
      e.src_ip = r.src_ip.value();
      e.dst_ip = r.dst_ip.value();
      e.role = static_cast<uint8_t>(r.role);
      e.sent = r.sent;
      if (auto t = m.message_type()) {
        const auto v = static_cast<uint8_t>(*t);
        if (v >= 1 && v <= 8) e.type = v;
      }
      if (auto sid = m.options.server_id()) e.server_id = sid->value();
      if (m.op == wire::DhcpMessage::kBootReply) {
        e.addr = m.yiaddr.value();
      } else if (auto req = m.options.requested_ip()) {
        e.addr = req->value();
      } else {
        e.addr = m.ciaddr.value();
      }
      const auto type = static_cast<wire::DhcpMessageType>(e.type);
      if (r.role == DhcpRole::kClient) {
        if (r.sent) {
          client_of_mac_[mac] = r.node.value;
          flag(r.node.value, kClientFlag);
          if (type == wire::DhcpMessageType::Decline) flag(r.node.value, kReasonDecline);
        } else {
          // A client reads every DHCP reply on its link: keep only those meant for it.
          auto it = client_of_mac_.find(mac);
          if (it == client_of_mac_.end() || it->second != r.node.value) return;
          if (type == wire::DhcpMessageType::Nak) flag(r.node.value, kReasonNak);
        }
        e.client = r.node.value;
      } else {
        auto it = client_of_mac_.find(mac);
        if (it == client_of_mac_.end()) return;
        e.client = it->second;
      }
      keep(e);
      return;
    }
    case RecordKind::kConflictStart: {
      // Ground truth: the interfaces holding the address now.
      const auto& r = *std::get_if<ConflictStart>(&record);
      const Segment& s = network_.segment(r.segment);
      for (IfaceId i : s.owners_of(r.ip)) {
        const NodeId n = network_.iface(i).node;
        if (network_.node_kind(n) == NodeKind::kHost) flag(n.value, kReasonConflict);
      }
      return;
    }
    case RecordKind::kConflictDetected: {
      const auto& r = *std::get_if<ConflictDetected>(&record);
      if (r.by == Detector::kAcd && network_.node_kind(r.node) == NodeKind::kHost)
        flag(r.node.value, kReasonAcdConflict);
      return;
    }
    default:
      return;
  }
}

std::vector<ChosenClient> choose_clients(const MessageRecorder& recorder,
                                         const MetricsCollector& metrics,
                                         const std::vector<NodeId>& followed,
                                         const ClientChoice& choice) {
  std::vector<ChosenClient> out;
  std::map<uint32_t, std::size_t> index;
  auto add = [&](NodeId n, uint8_t reason) {
    auto [it, fresh] = index.emplace(n.value, out.size());
    if (fresh) out.push_back({n, 0});
    out[it->second].reasons |= reason;
  };
  for (NodeId n : followed) add(n, kReasonFollowed);

  // The slowest: the longest time to an address first, ties by node id.
  const Network& net = recorder.network();
  std::vector<std::pair<int64_t, uint32_t>> slow;
  std::vector<std::pair<int64_t, uint32_t>> never;  // (first boot, node)
  for (uint32_t v = 0; v < net.node_count(); ++v) {
    const NodeId n(v);
    if (!recorder.dhcp_client(n)) continue;
    if (auto d = metrics.time_to_address(n)) {
      slow.emplace_back(d->ns(), v);
    } else if (!metrics.first_address(n)) {
      auto boot = metrics.first_boot(n);
      never.emplace_back(boot ? boot->ns() : INT64_MAX, v);
    }
  }
  const std::size_t k = std::min(choice.slowest, slow.size());
  std::partial_sort(slow.begin(), slow.begin() + static_cast<std::ptrdiff_t>(k), slow.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second < b.second;
                    });
  for (std::size_t i = 0; i < k; ++i) add(NodeId(slow[i].second), kReasonSlowest);
  const std::size_t m = std::min(choice.never, never.size());
  std::partial_sort(never.begin(), never.begin() + static_cast<std::ptrdiff_t>(m), never.end());
  for (std::size_t i = 0; i < m; ++i) add(NodeId(never[i].second), kReasonNoAddress);

  std::size_t problems = 0;
  for (NodeId n : recorder.problem_order()) {
    if (problems >= choice.problems) break;
    if (!recorder.dhcp_client(n)) continue;
    add(n, 0);
    ++problems;
  }
  for (auto& c : out) c.reasons |= recorder.problems(c.node);
  return out;
}

std::size_t clients_with_problems(const MessageRecorder& recorder) {
  std::size_t n = 0;
  for (NodeId node : recorder.problem_order())
    if (recorder.dhcp_client(node)) ++n;
  return n;
}

std::string messages_jsonl(const std::vector<MessageEvent>& events, const Network& network,
                           const std::vector<ChosenClient>& chosen, std::size_t max_per_client,
                           std::vector<std::pair<std::size_t, std::size_t>>* kept) {
  std::map<uint32_t, std::size_t> index;
  for (std::size_t i = 0; i < chosen.size(); ++i) index.emplace(chosen[i].node.value, i);
  std::vector<std::pair<std::size_t, std::size_t>> counts(chosen.size(), {0, 0});
  std::string out;
  for (const MessageEvent& e : events) {
    auto it = index.find(e.client);
    if (it == index.end()) continue;
    auto& [written, left_out] = counts[it->second];
    if (written >= max_per_client) {
      ++left_out;
      continue;
    }
    ++written;
    nlohmann::ordered_json j;
    j["t_ns"] = e.time_ns;
    j["client"] = network.node_name(NodeId(e.client));
    j["node"] = network.node_name(NodeId(e.node));
    j["role"] = to_string(static_cast<DhcpRole>(e.role));
    j["sent"] = e.sent;
    j["type"] = e.type == 0 ? std::string("BOOTP") : wire::dhcp_message_type_name(e.type);
    j["xid"] = fmt::format("0x{:08x}", e.xid);
    j["src"] = wire::Ipv4Address(e.src_ip).to_string();
    j["dst"] = wire::Ipv4Address(e.dst_ip).to_string();
    if (e.server_id != 0) j["server_id"] = wire::Ipv4Address(e.server_id).to_string();
    if (e.addr != 0) j["addr"] = wire::Ipv4Address(e.addr).to_string();
    out += j.dump();
    out += '\n';
  }
  if (kept != nullptr) *kept = std::move(counts);
  return out;
}

}  // namespace dhcpsim::report
