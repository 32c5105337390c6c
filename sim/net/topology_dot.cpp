#include "dhcpsim/net/topology_dot.hpp"

#include <sstream>

#include "dhcpsim/net/network.hpp"

namespace dhcpsim::net {

std::string topology_graphviz(const Network& network, const TopologyFold& fold) {
  auto server_names = [&](NodeId node) {
    std::string out;
    for (const auto& [name, n] : fold.servers)
      if (n == node) out += "\nDHCP server " + name;
    return out;
  };
  auto group_of = [&](NodeId node) {
    return node.value < fold.group_of_node.size() ? fold.group_of_node[node.value]
                                                  : TopologyFold::kNoGroup;
  };
  GraphvizView view;
  view.fold_key = [&](NodeId node) {
    const uint32_t g = group_of(node);
    // A host running a DHCP server is drawn on its own, whatever its group.
    if (g == TopologyFold::kNoGroup || network.host(node).service != Host::kNoService)
      return GraphvizView::kNoFold;
    return g;
  };
  view.host_label = [&](NodeId first, uint64_t count) {
    const uint32_t g = group_of(first);
    std::string label;
    if (count > 1 && g < fold.group_names.size())
      label = fold.group_names[g] + "\n" + std::to_string(count) + " hosts";
    else
      label = network.node_name(first);
    return label + server_names(first);
  };
  view.router_label = [&](NodeId node) {
    std::string label = network.node_name(node) + "\nrouter";
    if (network.router(node).relay) label += ", DHCP relay";
    return label + server_names(node);
  };
  view.segment_label = [&](SegmentId id) {
    const SegmentConfig& c = network.segment(id).config;
    return c.subnet ? c.name + "\n" + c.subnet->to_string() : c.name;
  };
  view.router_iface_label = [&](IfaceId iface, const std::string& name) {
    const Interface& i = network.iface(iface);
    if (i.address.is_zero()) return name;
    return name + " " + i.address.to_string() + "/" + std::to_string(i.prefix_len);
  };
  std::ostringstream os;
  network.topology().write_graphviz(os, view);
  return os.str();
}

}  // namespace dhcpsim::net
