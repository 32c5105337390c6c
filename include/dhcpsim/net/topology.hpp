#pragma once
// The network's shape as a Boost.Graph: segments and nodes (hosts, routers) are vertices,
// interfaces (attachments) are edges. Nothing outside `net` sees the graph type: callers
// use the queries below.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "dhcpsim/net/ids.hpp"
#include "dhcpsim/wire/address.hpp"

namespace dhcpsim::net {

enum class VertexKind : uint8_t { kSegment, kHost, kRouter };

/// How Topology::write_graphviz draws the graph for people. Hosts with the same fold key
/// on the same segment become one vertex (a million hosts must not become a million
/// vertices); every label callback is optional (default: the object's name).
struct GraphvizView {
  static constexpr uint32_t kNoFold = 0xffffffffu;
  /// Hosts with equal keys (other than kNoFold) on one segment are drawn as one vertex.
  std::function<uint32_t(NodeId)> fold_key;
  /// The label of a host vertex standing for `count` hosts, the first of which is `first`.
  std::function<std::string(NodeId first, uint64_t count)> host_label;
  std::function<std::string(NodeId)> router_label;
  std::function<std::string(SegmentId)> segment_label;
  /// A router interface's edge (default: the interface's name).
  std::function<std::string(IfaceId, const std::string& iface_name)> router_iface_label;
};

class Topology {
 public:
  Topology();
  ~Topology();
  Topology(Topology&&) noexcept;
  Topology& operator=(Topology&&) noexcept;

  void add_segment(SegmentId id, const std::string& name);
  void add_node(NodeId id, VertexKind kind, const std::string& name);
  /// Records an attachment. An invalid or unknown segment id is recorded as an error
  /// ("router 'r1' interface 'eth2' is on an unknown segment") for check().
  void add_interface(NodeId node, IfaceId iface, SegmentId segment, const std::string& iface_name,
                     const wire::Ipv4Prefix* router_subnet = nullptr);

  /// Every problem found, as sentences naming the objects: interfaces on unknown
  /// segments, routers whose connected subnets overlap on different segments, segments
  /// with nothing attached, segments that no router connects to the rest.
  std::vector<std::string> check() const;

  std::vector<SegmentId> segments_of(NodeId node) const;
  std::vector<NodeId> nodes_on(SegmentId segment) const;
  std::vector<NodeId> routers_on(SegmentId segment) const;
  std::size_t vertex_count() const;
  std::size_t edge_count() const;

  /// Graphviz text of the graph (boost::write_graphviz on a filtered view of it): segments,
  /// routers and hosts, hosts folded as `view` says. Vertex ids are the graph's own vertex
  /// indices, so the text is the same for the same network.
  void write_graphviz(std::ostream& os, const GraphvizView& view = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dhcpsim::net
