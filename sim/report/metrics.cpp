#include "dhcpsim/report/metrics.hpp"

#include <algorithm>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/proto/dhcp_client.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::report {

using namespace dhcpsim::net;

// ---- Grouping ------------------------------------------------------------------------

void Grouping::set_group(NodeId node, uint32_t group) {
  if (node.value >= group_of_node.size())
    group_of_node.resize(std::size_t(node.value) + 1, kNoGroup);
  group_of_node[node.value] = group;
}

const std::string* Grouping::server_name(NodeId node) const {
  for (const auto& [name, n] : servers)
    if (n == node) return &name;
  return nullptr;
}

// ---- TimeSeries ------------------------------------------------------------------------

std::optional<std::size_t> TimeSeries::column(std::string_view name) const {
  for (std::size_t k = 0; k < columns.size(); ++k)
    if (columns[k] == name) return k;
  return std::nullopt;
}

std::vector<int64_t> TimeSeries::series(std::string_view name) const {
  std::vector<int64_t> out;
  auto c = column(name);
  if (!c) return out;
  out.reserve(rows());
  for (std::size_t r = 0; r < rows(); ++r) out.push_back(at(r, *c));
  return out;
}

core::Duration default_bucket(core::Duration run_length) {
  return std::max(core::seconds(1), run_length / 1000);
}

// ---- MetricsCollector ------------------------------------------------------------------

MetricsCollector::MetricsCollector(const Network& network, const Grouping& grouping)
    : network_(network), grouping_(grouping) {
  if (network.node_count() > 0) ensure(static_cast<uint32_t>(network.node_count() - 1));
}

MetricsCollector::~MetricsCollector() {
  // A sampling event still pending refers to this object: take it back (finish() does so
  // too, after which the simulation is no longer touched here).
  if (sim_ != nullptr && !finished_ && pending_.valid()) sim_->cancel(pending_);
}

uint64_t MetricsCollector::subscriptions() const {
  return kind_bit(RecordKind::kNodeEvent) | kind_bit(RecordKind::kAddressChange) |
         kind_bit(RecordKind::kDhcpClientState) | kind_bit(RecordKind::kDhcpMessage) |
         kind_bit(RecordKind::kConflictStart) | kind_bit(RecordKind::kConflictEnd) |
         kind_bit(RecordKind::kConflictDetected) | kind_bit(RecordKind::kServerDrop) |
         kind_bit(RecordKind::kLeaseChange);
}

const char* MetricsCollector::message_type_name(std::size_t index) {
  if (index >= 1 && index <= 8) return wire::to_string(static_cast<wire::DhcpMessageType>(index));
  return "other";
}

void MetricsCollector::ensure(uint32_t node) {
  if (node < nodes_.size()) return;
  // Hosts added at run time (churn) arrive one by one: grow geometrically.
  std::size_t n = std::max<std::size_t>(std::size_t(node) + 1, nodes_.size() + nodes_.size() / 2);
  NodeStat fresh;
  fresh.state = static_cast<uint8_t>(proto::DhcpClientState::Stopped);
  nodes_.resize(n, fresh);
}

MetricsCollector::Cat MetricsCollector::category(uint32_t node) const {
  if (nodes_[node].flags & kLeft) return Cat::kNone;
  switch (static_cast<proto::DhcpClientState>(nodes_[node].state)) {
    case proto::DhcpClientState::Bound:
    case proto::DhcpClientState::Renewing:
    case proto::DhcpClientState::Rebinding:
      return Cat::kBound;
    case proto::DhcpClientState::Init:
    case proto::DhcpClientState::Selecting:
    case proto::DhcpClientState::Requesting:
    case proto::DhcpClientState::Probing:
    case proto::DhcpClientState::InitReboot:
    case proto::DhcpClientState::Rebooting:
    case proto::DhcpClientState::Declined:
      return Cat::kWaiting;
    case proto::DhcpClientState::Stopped:
    case proto::DhcpClientState::Informing:
      return Cat::kNone;
  }
  return Cat::kNone;
}

void MetricsCollector::recount(Cat before, Cat after) {
  if (before == after) return;
  if (before == Cat::kBound) --bound_now_;
  if (before == Cat::kWaiting) --waiting_now_;
  if (after == Cat::kBound) peak_bound_ = std::max(peak_bound_, ++bound_now_);
  if (after == Cat::kWaiting) peak_waiting_ = std::max(peak_waiting_, ++waiting_now_);
}

void MetricsCollector::on_record(const Record& record) {
  switch (kind_of(record)) {
    case RecordKind::kNodeEvent: {
      const auto& r = *std::get_if<NodeEvent>(&record);
      const uint32_t n = r.node.value;
      ensure(n);
      if (r.kind == NodeEventKind::kBoot) {
        nodes_[n].flags |= kBooted;
        if (nodes_[n].first_boot_ns < 0) nodes_[n].first_boot_ns = r.time.ns();
      } else if (r.kind == NodeEventKind::kLeave) {
        if (nodes_[n].flags & kLeft) break;
        const Cat before = category(n);
        nodes_[n].flags |= kLeft;
        ++leaves_total_;
        if (!(nodes_[n].flags & kUsableNow)) ++left_without_address_;
        recount(before, category(n));
      } else if (r.kind == NodeEventKind::kBlocked) {
        // The churn model's verdict: no address after the client's patience.
        if (!(nodes_[n].flags & kBlocked)) {
          nodes_[n].flags |= kBlocked;
          ++blocked_total_;
        }
      } else if (r.kind == NodeEventKind::kGaveUp) {
        if (!(nodes_[n].flags & kGaveUp)) ++gave_up_total_;
        nodes_[n].flags |= kGaveUp;
      }
      break;
    }
    case RecordKind::kAddressChange: {
      const auto& r = *std::get_if<AddressChange>(&record);
      const uint32_t n = r.node.value;
      ensure(n);
      // A removal carries the source of the caller, not of the address removed: tell
      // link-local addresses by their prefix (RFC 3927 §2.1: 169.254/16).
      const bool link_local =
          r.ip.is_link_local() || (r.added && r.source == AddressSource::kLinkLocal);
      if (link_local) {
        if (r.added) nodes_[n].flags |= kLinkLocalEver;
      } else if (r.added) {
        nodes_[n].flags |= kUsableNow;
        if (nodes_[n].first_addr_ns < 0) nodes_[n].first_addr_ns = r.time.ns();
      } else {
        nodes_[n].flags &= static_cast<uint8_t>(~kUsableNow);
      }
      break;
    }
    case RecordKind::kDhcpClientState: {
      const auto& r = *std::get_if<DhcpClientState>(&record);
      const uint32_t n = r.node.value;
      ensure(n);
      const Cat before = category(n);
      nodes_[n].state = r.to;
      recount(before, category(n));
      break;
    }
    case RecordKind::kDhcpMessage: {
      const auto& r = *std::get_if<DhcpMessageRecord>(&record);
      if (!r.sent) break;
      if (r.role == DhcpRole::kRelay) {
        ++relayed_total_;
        ++relayed_bucket_;
        break;
      }
      std::size_t type = 0;
      if (r.message != nullptr) {
        if (auto t = r.message->message_type()) {
          const auto v = static_cast<std::size_t>(*t);
          if (v >= 1 && v <= 8) type = v;
        }
      }
      ++msg_total_[type];
      ++msg_bucket_[type];
      break;
    }
    case RecordKind::kConflictStart:
      ++conflict_starts_;
      ++conflict_starts_bucket_;
      peak_conflicts_ = std::max(peak_conflicts_, ++conflicts_now_);
      break;
    case RecordKind::kConflictEnd:
      if (conflicts_now_ > 0) --conflicts_now_;
      break;
    case RecordKind::kConflictDetected: {
      const auto d = static_cast<std::size_t>(std::get_if<ConflictDetected>(&record)->by);
      if (d < kDetectors) {
        ++detected_total_[d];
        ++detected_bucket_[d];
      }
      break;
    }
    case RecordKind::kServerDrop:
      ++server_drops_total_;
      ++server_drops_bucket_;
      break;
    case RecordKind::kLeaseChange: {
      const auto k = static_cast<std::size_t>(std::get_if<LeaseChange>(&record)->kind);
      if (k < lease_changes_.size()) ++lease_changes_[k];
      break;
    }
    default:
      break;
  }
}

std::optional<core::Time> MetricsCollector::first_boot(NodeId n) const {
  if (n.value >= nodes_.size() || nodes_[n.value].first_boot_ns < 0) return std::nullopt;
  return core::Time::from_ns(nodes_[n.value].first_boot_ns);
}

std::optional<core::Time> MetricsCollector::first_address(NodeId n) const {
  if (n.value >= nodes_.size() || nodes_[n.value].first_addr_ns < 0) return std::nullopt;
  return core::Time::from_ns(nodes_[n.value].first_addr_ns);
}

std::optional<core::Duration> MetricsCollector::time_to_address(NodeId n) const {
  auto boot = first_boot(n);
  auto addr = first_address(n);
  if (!boot || !addr || *addr < *boot) return std::nullopt;
  return *addr - *boot;
}

// ---- time series -------------------------------------------------------------------------

void MetricsCollector::attach(core::Simulation& sim, core::Duration bucket, core::Time end) {
  DHCPSIM_ASSERT(sim_ == nullptr, "a MetricsCollector is attached once");
  DHCPSIM_ASSERT(bucket > core::Duration::zero(), "the time-series bucket must be positive");
  DHCPSIM_ASSERT(end != core::Time::max() && end >= sim.now(),
                 "the time series needs a finite end");
  sim_ = &sim;
  bucket_ = bucket;
  start_ = sim.now();
  end_ = end;

  auto& cols = series_.columns;
  cols = {"bound", "waiting", "blocked"};
  for (uint32_t svc = 0; svc < network_.service_count(); ++svc) {
    const DhcpService& s = network_.service(svc);
    if (!s.engine) continue;
    const std::string* name = grouping_.server_name(s.node);
    const std::string server = name != nullptr ? *name : network_.node_name(s.node);
    const proto::DhcpServerConfig& cfg = s.engine->config();
    for (uint32_t sub = 0; sub < s.engine->subnet_count() && sub < cfg.subnets.size(); ++sub) {
      // The lease table numbers a subnet's pools in address order.
      std::vector<proto::AddressRange> pools = cfg.subnets[sub].pools;
      std::sort(pools.begin(), pools.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      const uint32_t count = s.engine->leases().pool_count(sub);
      for (uint32_t p = 0; p < count && p < pools.size(); ++p) {
        lease_columns_.push_back({svc, sub, p});
        cols.push_back("leases:" + server + "/" + cfg.subnets[sub].prefix.to_string() + "/" +
                       pools[p].first.to_string() + "-" + pools[p].last.to_string());
      }
    }
  }
  for (std::size_t t = 1; t < kMessageTypes; ++t)
    cols.push_back(std::string("msg:") + message_type_name(t));
  cols.push_back("msg:other");
  cols.push_back("relayed");
  cols.push_back("conflicts_now");
  for (auto d : {Detector::kAcd, Detector::kPingCheck, Detector::kDecline, Detector::kLinkLocalAcd})
    cols.push_back(std::string("detected:") + to_string(d));
  cols.push_back("server_drops");
  cols.push_back("conflict_starts");  // appended last: earlier columns keep their places
  // Counts from before the attachment belong to the first bucket.
  schedule_next();
}

void MetricsCollector::schedule_next() {
  if (finished_ || start_ >= end_) return;
  if (!series_.times.empty() && series_.times.back() >= end_) return;
  const int64_t full = (end_ - start_) / bucket_;  // whole buckets before the end
  const core::Time t = int64_t(next_row_) <= full ? start_ + bucket_ * int64_t(next_row_) : end_;
  pending_ = sim_->schedule_at(t, [this, t] {
    pending_ = core::EventId();
    sample(t);
    ++next_row_;
    if (t < end_) schedule_next();
  });
}

void MetricsCollector::sample(core::Time t) {
  auto& v = series_.values;
  series_.times.push_back(t);
  v.push_back(static_cast<int64_t>(bound_now_));
  v.push_back(static_cast<int64_t>(waiting_now_));
  v.push_back(static_cast<int64_t>(blocked_total_));
  for (const LeaseColumn& c : lease_columns_) {
    const DhcpService& s = network_.service(c.service);
    v.push_back(s.engine ? static_cast<int64_t>(s.engine->leases_in_use(c.subnet, c.pool)) : 0);
  }
  for (std::size_t t2 = 1; t2 < kMessageTypes; ++t2)
    v.push_back(static_cast<int64_t>(msg_bucket_[t2]));
  v.push_back(static_cast<int64_t>(msg_bucket_[0]));
  v.push_back(static_cast<int64_t>(relayed_bucket_));
  v.push_back(static_cast<int64_t>(conflicts_now_));
  for (uint64_t d : detected_bucket_) v.push_back(static_cast<int64_t>(d));
  v.push_back(static_cast<int64_t>(server_drops_bucket_));
  v.push_back(static_cast<int64_t>(conflict_starts_bucket_));
  DHCPSIM_ASSERT(v.size() == series_.times.size() * series_.columns.size(),
                 "time-series row width");
  msg_bucket_.fill(0);
  relayed_bucket_ = 0;
  detected_bucket_.fill(0);
  server_drops_bucket_ = 0;
  conflict_starts_bucket_ = 0;
}

void MetricsCollector::finish(core::Time now) {
  if (finished_ || sim_ == nullptr) {
    finished_ = true;
    return;
  }
  finished_ = true;
  if (pending_.valid()) sim_->cancel(pending_);
  pending_ = core::EventId();
  const core::Time last = series_.times.empty() ? start_ : series_.times.back();
  if (now > last) sample(now);
}

}  // namespace dhcpsim::report
