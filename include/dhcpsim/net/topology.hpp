#pragma once
// The network's shape as a Boost.Graph: segments and nodes (hosts, routers) are vertices,
// interfaces (attachments) are edges. Nothing outside `net` sees the graph type: callers
// use the queries below.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "dhcpsim/net/ids.hpp"
#include "dhcpsim/wire/address.hpp"

namespace dhcpsim::net {

enum class VertexKind : uint8_t { kSegment, kHost, kRouter };

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

  /// Graphviz text of the graph (boost::write_graphviz). Hosts may be folded into one
  /// vertex per (segment, group) by the caller's labeller; here each vertex is written.
  void write_graphviz(std::ostream& os) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dhcpsim::net
