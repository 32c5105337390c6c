#include <gtest/gtest.h>

#include <sstream>

#include "dhcpsim/net/topology_dot.hpp"
#include "net_fixture.hpp"

using namespace dhcpsim;
using namespace dhcpsim::testing;

namespace {

// Two segments joined by a relaying router; a DHCP server host and `n` laptops of one group
// on the client lan, two printers of another group.
struct Campus : RelayedNet {
  explicit Campus(int n) : RelayedNet("srv-1") {
    fold.group_names = {"server", "laptop", "printer"};
    fold.servers = {{"dhcpd", server}};
    set_group(server, 0);
    for (int k = 0; k < n; ++k) {
      HostConfig cc;
      cc.name = "laptop-" + std::to_string(k + 1);
      cc.segment = lan;
      cc.mac = mac(0x500 + k);
      cc.profile = dhcp_profile();
      set_group(net.add_host(cc), 1);
    }
    for (int k = 0; k < 2; ++k)
      set_group(host("printer-" + std::to_string(k + 1), lan, 0x300 + k,
                     k == 0 ? "10.0.1.10" : "10.0.1.11", "255.255.255.0", "10.0.1.1"),
                2);
  }
  void set_group(NodeId n, uint32_t g) {
    if (fold.group_of_node.size() <= n.value)
      fold.group_of_node.resize(n.value + 1, TopologyFold::kNoGroup);
    fold.group_of_node[n.value] = g;
  }
  TopologyFold fold;
};

/// Lines of Graphviz text that start with a vertex id followed by `after` ("[label=" for a
/// vertex, "--" for an edge). (No std::regex: GCC 12 warns inside it at -O2.)
std::size_t count_lines(const std::string& text, const std::string& after) {
  std::size_t n = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::size_t k = start;
    while (k < end && text[k] >= '0' && text[k] <= '9') ++k;
    if (k > start && text.compare(k, after.size(), after) == 0) ++n;
    start = end + 1;
  }
  return n;
}

}  // namespace

// The topology's Graphviz text folds a group's hosts on one segment into one vertex with
// their count, and labels segments with subnets and router interfaces with addresses.
TEST(TopologyDot, FoldsGroupsAndLabelsWhatMatters) {
  Campus c(500);
  const std::string dot = topology_graphviz(c.net, c.fold);
  // 2 segments, 1 router, the server host, 500 laptops as 1 vertex, 2 printers as 1.
  EXPECT_EQ(count_lines(dot, "[label="), 6u) << dot;
  // Edges: router x2, server, laptops, printers.
  EXPECT_EQ(count_lines(dot, "--"), 5u) << dot;
  EXPECT_NE(dot.find(R"(label="laptop\n500 hosts")"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(label="printer\n2 hosts")"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(label="lan-c\n10.0.1.0/24")"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(label="eth1 10.0.9.1/24")"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(label="r1\nrouter, DHCP relay")"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(label="srv-1\nDHCP server dhcpd")"), std::string::npos) << dot;
  EXPECT_EQ(dot.rfind("graph G {", 0), 0u) << dot;
  // The same network gives the same text; the graph itself still has every host.
  Campus again(500);
  EXPECT_EQ(topology_graphviz(again.net, again.fold), dot);
  EXPECT_EQ(c.net.topology().vertex_count(), 2u + 1u + 1u + 500u + 2u);
}

// Without a fold every host is its own vertex; names that need quoting are escaped.
TEST(TopologyDot, UnfoldedAndEscaped) {
  Campus c(3);
  c.fold.group_of_node.clear();
  const std::string dot = topology_graphviz(c.net, c.fold);
  EXPECT_EQ(count_lines(dot, "[label="), 2u + 1u + 1u + 3u + 2u);
  TestNet t;
  SegmentId s = t.segment("a \"quoted\" \\ lan", "10.0.0.0/24");
  t.host("h", s, 1, "10.0.0.5", "255.255.255.0", "10.0.0.1");
  const std::string q = topology_graphviz(t.net, {});
  EXPECT_NE(q.find(R"(label="a \"quoted\" \\ lan\n10.0.0.0/24")"), std::string::npos) << q;
}
