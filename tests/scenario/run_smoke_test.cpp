#include <gtest/gtest.h>

#include "dhcpsim/scenario/parse.hpp"
#include "dhcpsim/scenario/run.hpp"

using namespace dhcpsim;
using namespace dhcpsim::scenario;

// The quickstart scenario loads, builds and runs: every PC ends bound, printers keep
// their static addresses.
TEST(ScenarioRun, QuickstartRuns) {
  auto s = load_scenario(std::string(DHCPSIM_SOURCE_DIR) + "/scenarios/quickstart.json");
  ASSERT_TRUE(s.has_value()) << s.error().front().to_string();
  ScenarioRun run(*s);
  run.run();
  EXPECT_EQ(run.reached(), core::Time::zero() + core::hours(1));
  const auto& net = run.network();
  int bound = 0;
  for (const auto& g : run.groups()) {
    if (g.name != "pc") continue;
    for (auto id : g.hosts) bound += net.host(id).ip.source == net::AddressSource::kDhcp && !net.host(id).ip.address.is_zero();
  }
  EXPECT_EQ(bound, 20);
  EXPECT_EQ(net.host(*net.find_node("printer-1")).ip.address.to_string(), "192.168.1.10");
}
