#pragma once
// The network's topology as Graphviz text for people (reports): segments with their
// subnets, routers with their interface addresses, DHCP server and relay roles, and hosts
// folded into one vertex per (group, segment) with a count.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dhcpsim/net/ids.hpp"

namespace dhcpsim::net {

class Network;

/// What the network does not know about its hosts: which group each belongs to and which
/// DHCP server (by the scenario's name) runs on which node.
struct TopologyFold {
  static constexpr uint32_t kNoGroup = 0xffffffffu;
  std::vector<uint32_t> group_of_node;  // by NodeId value; kNoGroup / past the end: alone
  std::vector<std::string> group_names;
  std::vector<std::pair<std::string, NodeId>> servers;
};

/// Graphviz text (Topology::write_graphviz on the network's own graph): the same network
/// and fold give the same text.
std::string topology_graphviz(const Network& network, const TopologyFold& fold);

}  // namespace dhcpsim::net
