#pragma once
// Run metrics gathered from the trace: a sink that keeps per-host facts in flat arrays
// (first boot, first usable address, DHCP client state) and run totals (DHCP messages by
// type, conflicts detected, leaves without an address), and samples a time series at
// fixed bucket boundaries through events it schedules itself (observing only: the events
// read state and change nothing in the model).
//
// Cost: one switch per record, no allocation per record, no map in the hot path; per node
// 18 bytes (a million hosts: 18 MiB). Group membership and server names are not known to
// the network: they come in through `Grouping`, filled by whoever built the network.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dhcpsim/core/event_queue.hpp"
#include "dhcpsim/core/memory.hpp"
#include "dhcpsim/core/simulation.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/net/ids.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/net/records.hpp"

namespace dhcpsim::report {

inline constexpr uint32_t kNoGroup = 0xffffffffu;

/// A group of hosts as the scenario named it.
struct Group {
  std::string name;
  std::string method;  // "static", "dhcp", "manual", "none", "churn"
};

/// Which host belongs to which group, and which node runs which named DHCP server.
struct Grouping {
  std::vector<Group> groups;
  /// By NodeId.value; kNoGroup (or an index past the end) for routers and ungrouped nodes.
  std::vector<uint32_t> group_of_node;
  /// Server name -> the node running it (a router or a host).
  std::vector<std::pair<std::string, net::NodeId>> servers;

  uint32_t group_of(net::NodeId node) const {
    return node.value < group_of_node.size() ? group_of_node[node.value] : kNoGroup;
  }
  /// Records `node` as a member of `group` (grows the table; for hosts added at run time).
  void set_group(net::NodeId node, uint32_t group);
  /// The name of the server running on `node`, if one was given.
  const std::string* server_name(net::NodeId node) const;
};

/// The sampled time series: one row per bucket, sampled at the bucket's end.
struct TimeSeries {
  /// Column names after "t_s" (see MetricsCollector::attach for the list).
  std::vector<std::string> columns;
  std::vector<core::Time> times;  // the end of each bucket
  std::vector<int64_t> values;    // times.size() rows of columns.size() values, row-major

  std::size_t rows() const { return times.size(); }
  int64_t at(std::size_t row, std::size_t column) const {
    return values[row * columns.size() + column];
  }
  std::optional<std::size_t> column(std::string_view name) const;
  /// The whole column `name` (empty if there is no such column).
  std::vector<int64_t> series(std::string_view name) const;
};

/// A run's length / 1000, at least 1 s (the default time-series bucket).
core::Duration default_bucket(core::Duration run_length);

class MetricsCollector : public net::TraceSink {
 public:
  /// Index 0 of the message arrays: any type other than 1..8, or no option 53 (BOOTP).
  static constexpr std::size_t kMessageTypes = 9;
  static constexpr std::size_t kDetectors = 4;  // net::Detector values

  /// `network` and `grouping` must outlive the collector. Subscribe it to the network's
  /// tracer (`network.tracer().subscribe(&collector)`) before the run starts.
  MetricsCollector(const net::Network& network, const Grouping& grouping);
  ~MetricsCollector() override;
  MetricsCollector(const MetricsCollector&) = delete;
  MetricsCollector& operator=(const MetricsCollector&) = delete;

  uint64_t subscriptions() const override;
  void on_record(const net::Record& r) override;

  /// Samples the time series at now + bucket, now + 2 bucket, ... and at `end` (a last,
  /// shorter bucket when the run's length is no multiple of `bucket`): ceil((end - now) /
  /// bucket) rows. One sampling event is pending at a time, so the queue is never empty
  /// before `end` (`end` must be finite). Columns, in this order:
  ///   bound, waiting, blocked,
  ///   leases:<server>/<subnet prefix>/<first>-<last>   per server, subnet, pool (sorted)
  ///   msg:DHCPDISCOVER .. msg:DHCPINFORM, msg:other    sent in the bucket
  ///   relayed                                          relay forwards in the bucket
  ///   conflicts_now                                    ground truth, at the sample
  ///   detected:acd, detected:ping_check, detected:decline, detected:link_local_acd
  ///                                                    in the bucket
  ///   server_drops                                     receive-queue drops in the bucket
  ///   conflict_starts                                  ground-truth conflicts begun in the
  ///                                                    bucket (an address becoming held twice)
  /// `bound`: DHCP clients in BOUND, RENEWING or REBINDING; `waiting`: booted DHCP clients
  /// in INIT, SELECTING, REQUESTING, PROBING, INIT-REBOOT, REBOOTING or DECLINED (not
  /// bound, not stopped, not informing, not gone); `blocked`: churn clients that left
  /// because their patience ran out without an address (the churn model's verdict),
  /// cumulative. Servers are those running when attach() is called.
  void attach(core::Simulation& sim, core::Duration bucket, core::Time end);
  /// Stops sampling; if the last row is older than `now`, adds a row at `now` (a run that
  /// stopped before its end). Idempotent.
  void finish(core::Time now);

  const TimeSeries& timeseries() const { return series_; }
  core::Duration bucket() const { return bucket_; }

  // ---- per node (NodeId.value) --------------------------------------------------------
  bool booted(net::NodeId n) const { return flag(n, kBooted); }
  std::optional<core::Time> first_boot(net::NodeId n) const;
  std::optional<core::Time> first_address(net::NodeId n) const;
  /// From the first boot to the first usable (static or DHCP) address.
  std::optional<core::Duration> time_to_address(net::NodeId n) const;
  bool had_link_local(net::NodeId n) const { return flag(n, kLinkLocalEver); }
  bool has_address_now(net::NodeId n) const { return flag(n, kUsableNow); }
  bool gave_up(net::NodeId n) const { return flag(n, kGaveUp); }
  bool left(net::NodeId n) const { return flag(n, kLeft); }
  /// Left the network while holding no usable address.
  bool blocked(net::NodeId n) const { return flag(n, kBlocked); }

  // ---- totals ---------------------------------------------------------------------------
  /// DHCP messages sent by clients and servers, by type (index 0: other / BOOTP).
  const std::array<uint64_t, kMessageTypes>& messages_sent() const { return msg_total_; }
  /// Messages a relay agent forwarded (not new messages).
  uint64_t relayed() const { return relayed_total_; }
  uint64_t detected(net::Detector d) const { return detected_total_[static_cast<std::size_t>(d)]; }
  uint64_t conflict_starts() const { return conflict_starts_; }
  uint64_t conflicts_now() const { return conflicts_now_; }
  uint64_t peak_conflicts() const { return peak_conflicts_; }
  uint64_t server_drops() const { return server_drops_total_; }
  uint64_t bound_now() const { return bound_now_; }
  uint64_t waiting_now() const { return waiting_now_; }
  uint64_t peak_bound() const { return peak_bound_; }
  uint64_t peak_waiting() const { return peak_waiting_; }
  uint64_t blocked_total() const { return blocked_total_; }
  /// Hosts that left while holding no usable address (blocked ones and any others).
  uint64_t left_without_address() const { return left_without_address_; }
  uint64_t gave_up_total() const { return gave_up_total_; }
  uint64_t leaves() const { return leaves_total_; }
  /// Client lease changes by net::LeaseChangeKind (acquired, renewed, lost, released).
  const std::array<uint64_t, 4>& lease_changes() const { return lease_changes_; }

  /// "DHCPDISCOVER" .. "DHCPINFORM" for 1..8, "other" for 0.
  static const char* message_type_name(std::size_t index);

 private:
  enum Flag : uint8_t {
    kBooted = 1,
    kUsableNow = 2,
    kLinkLocalEver = 4,
    kGaveUp = 8,
    kLeft = 16,
    kBlocked = 32,
  };
  enum class Cat : uint8_t { kNone, kWaiting, kBound };

  bool flag(net::NodeId n, uint8_t f) const {
    return n.value < nodes_.size() && (nodes_[n.value].flags & f) != 0;
  }
  void ensure(uint32_t node);
  Cat category(uint32_t node) const;
  void recount(Cat before, Cat after);
  void schedule_next();
  void sample(core::Time t);

  const net::Network& network_;
  const Grouping& grouping_;

  // per node
  /// Everything kept per node, in one record: a host's records touch one cache line, not
  /// four arrays (it matters at a million hosts).
  struct NodeStat {
    int64_t first_boot_ns = -1;  // -1: never
    int64_t first_addr_ns = -1;  // -1: never
    uint8_t state = 0;           // proto::DhcpClientState
    uint8_t flags = 0;
  };
  core::BigVector<NodeStat> nodes_;  // a million nodes touched at random: huge pages

  // totals
  std::array<uint64_t, kMessageTypes> msg_total_{};
  std::array<uint64_t, kMessageTypes> msg_bucket_{};
  uint64_t relayed_total_ = 0;
  uint64_t relayed_bucket_ = 0;
  std::array<uint64_t, kDetectors> detected_total_{};
  std::array<uint64_t, kDetectors> detected_bucket_{};
  uint64_t conflict_starts_ = 0;
  uint64_t conflict_starts_bucket_ = 0;
  uint64_t conflicts_now_ = 0;
  uint64_t peak_conflicts_ = 0;
  uint64_t server_drops_total_ = 0;
  uint64_t server_drops_bucket_ = 0;
  uint64_t bound_now_ = 0;
  uint64_t waiting_now_ = 0;
  uint64_t peak_bound_ = 0;
  uint64_t peak_waiting_ = 0;
  uint64_t blocked_total_ = 0;
  uint64_t left_without_address_ = 0;
  uint64_t gave_up_total_ = 0;
  uint64_t leaves_total_ = 0;
  std::array<uint64_t, 4> lease_changes_{};

  // sampling
  struct LeaseColumn {
    uint32_t service;
    uint32_t subnet;
    uint32_t pool;
  };
  std::vector<LeaseColumn> lease_columns_;
  core::Simulation* sim_ = nullptr;
  core::EventId pending_;
  core::Duration bucket_ = core::Duration::zero();
  core::Time start_;
  core::Time end_;
  uint64_t next_row_ = 1;  // the next sample is at start_ + next_row_ * bucket_ (or end_)
  bool finished_ = false;
  TimeSeries series_;
};

}  // namespace dhcpsim::report
