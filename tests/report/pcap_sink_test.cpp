#include <gtest/gtest.h>

#include "dhcpsim/report/pcap_sink.hpp"
#include "dhcpsim/wire/pcap.hpp"
#include "report_fixture.hpp"

using namespace dhcpsim::report_testing;
namespace report = dhcpsim::report;

// Segments whose names come out alike as file names ("a b", "a_b", "a/b") each get their
// own capture: the first keeps the name, later ones add their segment index. Which one
// keeps the plain name follows segment order, not which segment sent first.
TEST(PcapSink, SegmentsWithAlikeNamesGetTheirOwnFiles) {
  ScratchDir dir("pcap-names");
  dhcpsim::core::Simulation sim(1);
  Network net(sim);
  auto profile = std::make_shared<HostProfile>();
  std::vector<NodeId> hosts;
  const char* names[] = {"a b", "a_b", "a/b", "a_b-1"};
  for (int k = 0; k < 4; ++k) {
    SegmentConfig sc;
    sc.name = names[k];
    const SegmentId seg = net.add_segment(sc);
    HostConfig hc;
    hc.name = "h" + std::to_string(k);
    hc.segment = seg;
    hc.mac = mac(uint64_t(k) + 1);
    hc.profile = profile;
    hc.static_ip = StaticIpConfig{ip("10.0.0.1") + uint32_t(k), ip("255.255.255.0"), Ipv4Address(), Ipv4Address()};
    hosts.push_back(net.add_host(hc));
  }
  report::PcapSink sink(net, dir.str());
  net.tracer().subscribe(&sink);
  net.start();
  sim.run_until(Time::zero() + dhcpsim::core::milliseconds(1));
  // The last segment sends first: names must not depend on that. Segment k sends k + 1 ARPs.
  for (int k = 3; k >= 0; --k)
    for (int n = 0; n <= k; ++n) net.arping(hosts[k], ip("10.0.0.200"));
  sim.run_until(Time::zero() + dhcpsim::core::milliseconds(2));
  net.tracer().unsubscribe(&sink);
  auto written = sink.finish();
  ASSERT_TRUE(written.has_value()) << written.error();
  EXPECT_EQ(dir.files(), (std::vector<std::string>{"a_b-1-3.pcap", "a_b-1.pcap", "a_b-2.pcap", "a_b.pcap"}));
  // Each file holds its own segment's frames: segment k sent k + 1 requests.
  const std::pair<const char*, std::size_t> expected[] = {
      {"a_b.pcap", 1}, {"a_b-1.pcap", 2}, {"a_b-2.pcap", 3}, {"a_b-1-3.pcap", 4}};
  for (const auto& [file, frames] : expected) {
    auto reader = dhcpsim::wire::PcapReader::open((dir.path / file).string());
    ASSERT_TRUE(reader.has_value()) << file;
    std::size_t n = 0;
    while (reader->next()) ++n;
    EXPECT_EQ(n, frames) << file;
  }
}
