#pragma once
// A scenario made real: the Simulation and Network built from a validated Scenario, the
// timeline and churn processes scheduled, and a run loop with stop conditions.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dhcpsim/core/simulation.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/scenario/model.hpp"

namespace dhcpsim::scenario {

struct GroupRuntime {
  std::string name;
  ConfigMethod method = ConfigMethod::kNone;
  bool churn = false;
  std::vector<net::NodeId> hosts;  // for churn: every instance that arrived
};

struct ChurnStats {
  uint64_t arrivals = 0;
  uint64_t departures = 0;       // left after their stay
  uint64_t blocked = 0;          // left without an address after their patience
  uint64_t releases = 0;         // departures that sent a RELEASE
  uint64_t suppressed = 0;       // arrivals skipped: every device of the population present, or max reached
  uint64_t present_peak = 0;
};

struct RunSettings {
  std::optional<uint64_t> seed;        // overrides the scenario's seed
  std::optional<core::Duration> until;  // overrides the scenario's duration
};

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, RunSettings settings = {});
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  const Scenario& scenario() const { return scenario_; }
  uint64_t seed() const { return seed_; }
  core::Simulation& sim() { return *sim_; }
  net::Network& network() { return *network_; }
  const net::Network& network() const { return *network_; }
  core::Time planned_end() const { return end_; }
  const std::vector<GroupRuntime>& groups() const { return groups_; }
  /// Group index of every node (NodeId value), or kNoGroup for routers.
  std::vector<uint32_t> group_of_node() const;
  static constexpr uint32_t kNoGroup = 0xffffffffu;
  /// Server name -> node that runs it.
  const std::vector<std::pair<std::string, net::NodeId>>& servers() const { return servers_; }
  const std::vector<ChurnStats>& churn_stats() const { return churn_stats_; }

  /// Runs to the planned end or until the stop condition holds. `progress` is called
  /// every `progress_step` of virtual time (when given) with the time reached.
  void run(const std::function<void(core::Time)>& progress = {},
           core::Duration progress_step = core::Duration::zero());
  core::Time reached() const { return sim_->now(); }
  /// "duration", "all_bound" or "all_renewed".
  const std::string& stop_reason() const { return stop_reason_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const Scenario& scenario_;
  uint64_t seed_;
  core::Time end_;
  std::unique_ptr<core::Simulation> sim_;
  std::unique_ptr<net::Network> network_;
  std::vector<GroupRuntime> groups_;
  std::vector<std::pair<std::string, net::NodeId>> servers_;
  std::vector<ChurnStats> churn_stats_;
  std::string stop_reason_ = "duration";
};

}  // namespace dhcpsim::scenario
