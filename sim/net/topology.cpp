#include "dhcpsim/net/topology.hpp"

#include <algorithm>
#include <map>
#include <ostream>

// GCC 12 reports a false -Wuninitialized inside Boost.Graph's named_graph.hpp (a
// boost::optional returned by value) when add_vertex is instantiated; it is not ours.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/graphviz.hpp>

namespace dhcpsim::net {

namespace {
struct VertexProp {
  VertexKind kind = VertexKind::kSegment;
  uint32_t id = 0;  // SegmentId or NodeId value
};
struct EdgeProp {
  uint32_t iface = 0;
};
// Edges in a vector (not the default list): a million attachments cost 16 bytes each.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, VertexProp, EdgeProp,
                                    boost::no_property, boost::vecS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;
}  // namespace

struct Topology::Impl {
  Graph g;
  std::vector<Vertex> seg_vertex;   // by SegmentId
  std::vector<Vertex> node_vertex;  // by NodeId
  std::vector<std::string> seg_names;
  std::vector<std::string> node_names;
  std::vector<VertexKind> node_kinds;
  std::vector<std::string> errors;
  struct RouterSubnet {
    NodeId router;
    IfaceId iface;
    std::string iface_name;
    SegmentId segment;
    wire::Ipv4Prefix prefix;
  };
  std::vector<RouterSubnet> router_subnets;
  static constexpr Vertex kNone = ~Vertex(0);
};

Topology::Topology() : impl_(std::make_unique<Impl>()) {}
Topology::~Topology() = default;
Topology::Topology(Topology&&) noexcept = default;
Topology& Topology::operator=(Topology&&) noexcept = default;

void Topology::add_segment(SegmentId id, const std::string& name) {
  if (impl_->seg_vertex.size() <= id.value) {
    impl_->seg_vertex.resize(id.value + 1, Impl::kNone);
    impl_->seg_names.resize(id.value + 1);
  }
  impl_->seg_vertex[id.value] = boost::add_vertex(VertexProp{VertexKind::kSegment, id.value}, impl_->g);
  impl_->seg_names[id.value] = name;
}

void Topology::add_node(NodeId id, VertexKind kind, const std::string& name) {
  if (impl_->node_vertex.size() <= id.value) {
    impl_->node_vertex.resize(id.value + 1, Impl::kNone);
    impl_->node_names.resize(id.value + 1);
    impl_->node_kinds.resize(id.value + 1, VertexKind::kHost);
  }
  impl_->node_vertex[id.value] = boost::add_vertex(VertexProp{kind, id.value}, impl_->g);
  impl_->node_names[id.value] = name;
  impl_->node_kinds[id.value] = kind;
}

void Topology::add_interface(NodeId node, IfaceId iface, SegmentId segment,
                             const std::string& iface_name, const wire::Ipv4Prefix* router_subnet) {
  const std::string& node_name = impl_->node_names.at(node.value);
  const char* what = impl_->node_kinds.at(node.value) == VertexKind::kRouter ? "router" : "host";
  if (!segment.valid() || segment.value >= impl_->seg_vertex.size() ||
      impl_->seg_vertex[segment.value] == Impl::kNone) {
    impl_->errors.push_back(std::string(what) + " '" + node_name + "' interface '" + iface_name +
                            "' is on an unknown segment");
    return;
  }
  // Routers' edges run router -> segment, hosts' segment -> host (the graph is undirected;
  // the order only makes Graphviz rank routers, segments and hosts left to right).
  const Vertex n = impl_->node_vertex[node.value], sv = impl_->seg_vertex[segment.value];
  if (impl_->node_kinds[node.value] == VertexKind::kRouter)
    boost::add_edge(n, sv, EdgeProp{iface.value}, impl_->g);
  else
    boost::add_edge(sv, n, EdgeProp{iface.value}, impl_->g);
  if (router_subnet != nullptr)
    impl_->router_subnets.push_back({node, iface, iface_name, segment, *router_subnet});
}

std::vector<std::string> Topology::check() const {
  std::vector<std::string> errors = impl_->errors;
  const Graph& g = impl_->g;
  // Two routers (or one router's two interfaces) connecting overlapping subnets on
  // different segments: packets for the overlap cannot be routed unambiguously.
  const auto& rs = impl_->router_subnets;
  for (std::size_t a = 0; a < rs.size(); ++a) {
    for (std::size_t b = a + 1; b < rs.size(); ++b) {
      if (rs[a].segment == rs[b].segment) continue;
      if (!rs[a].prefix.overlaps(rs[b].prefix)) continue;
      errors.push_back("router '" + impl_->node_names[rs[a].router.value] + "' interface '" +
                       rs[a].iface_name + "' (" + rs[a].prefix.to_string() + " on segment '" +
                       impl_->seg_names[rs[a].segment.value] + "') overlaps router '" +
                       impl_->node_names[rs[b].router.value] + "' interface '" + rs[b].iface_name +
                       "' (" + rs[b].prefix.to_string() + " on segment '" +
                       impl_->seg_names[rs[b].segment.value] + "')");
    }
  }
  // Segments nothing is attached to, and segments that no router joins to the rest.
  std::vector<int> component(boost::num_vertices(g));
  int n = boost::num_vertices(g) == 0 ? 0 : boost::connected_components(g, component.data());
  std::vector<std::size_t> component_segments(static_cast<std::size_t>(n), 0);
  for (std::size_t s = 0; s < impl_->seg_vertex.size(); ++s) {
    Vertex v = impl_->seg_vertex[s];
    if (v == Impl::kNone) continue;
    if (boost::degree(v, g) == 0) {
      errors.push_back("segment '" + impl_->seg_names[s] + "' has nothing attached to it");
      continue;
    }
    component_segments[component[v]]++;
  }
  if (n > 1) {
    // The main network is the component with the most segments (ties: the lowest id).
    int main = 0;
    for (int c = 1; c < n; ++c)
      if (component_segments[c] > component_segments[main]) main = c;
    std::string main_example;
    for (std::size_t s = 0; s < impl_->seg_vertex.size(); ++s) {
      Vertex v = impl_->seg_vertex[s];
      if (v != Impl::kNone && component[v] == main) {
        main_example = impl_->seg_names[s];
        break;
      }
    }
    for (std::size_t s = 0; s < impl_->seg_vertex.size(); ++s) {
      Vertex v = impl_->seg_vertex[s];
      if (v == Impl::kNone || boost::degree(v, g) == 0 || component[v] == main) continue;
      errors.push_back("segment '" + impl_->seg_names[s] + "' cannot be reached from segment '" +
                       main_example + "': no router connects them");
    }
  }
  return errors;
}

std::vector<SegmentId> Topology::segments_of(NodeId node) const {
  std::vector<SegmentId> out;
  const Graph& g = impl_->g;
  for (auto [e, end] = boost::out_edges(impl_->node_vertex.at(node.value), g); e != end; ++e)
    out.push_back(SegmentId(g[boost::target(*e, g)].id));
  return out;
}

std::vector<NodeId> Topology::nodes_on(SegmentId segment) const {
  std::vector<NodeId> out;
  const Graph& g = impl_->g;
  for (auto [e, end] = boost::out_edges(impl_->seg_vertex.at(segment.value), g); e != end; ++e)
    out.push_back(NodeId(g[boost::target(*e, g)].id));
  return out;
}

std::vector<NodeId> Topology::routers_on(SegmentId segment) const {
  std::vector<NodeId> out;
  for (NodeId n : nodes_on(segment))
    if (impl_->node_kinds[n.value] == VertexKind::kRouter) out.push_back(n);
  return out;
}

std::size_t Topology::vertex_count() const { return boost::num_vertices(impl_->g); }
std::size_t Topology::edge_count() const { return boost::num_edges(impl_->g); }

namespace {

/// A Graphviz quoted string: quotes and backslashes escaped (a backslash starts an escape
/// like \N in a label), line breaks as \n (boost::escape_dot_string keeps them raw).
std::string dot_label(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out + "\"";
}

}  // namespace

void Topology::write_graphviz(std::ostream& os, const GraphvizView& view) const {
  const Graph& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);
  // Fold: the first host (lowest vertex) of each (key, segment) stands for all of them.
  std::vector<uint8_t> keep(n, 1);
  std::vector<uint64_t> count(n, 1);
  if (view.fold_key) {
    std::map<std::pair<uint32_t, uint32_t>, Vertex> first;
    for (Vertex v = 0; v < n; ++v) {
      if (g[v].kind != VertexKind::kHost) continue;
      const uint32_t key = view.fold_key(NodeId(g[v].id));
      if (key == GraphvizView::kNoFold) continue;
      auto [e, end] = boost::out_edges(v, g);
      const uint32_t seg = e == end ? ~uint32_t(0) : g[boost::target(*e, g)].id;
      auto [it, fresh] = first.emplace(std::make_pair(key, seg), v);
      if (!fresh) {
        keep[v] = 0;
        ++count[it->second];
      }
    }
  }
  std::map<uint32_t, const Impl::RouterSubnet*> router_ifaces;
  for (const auto& rs : impl_->router_subnets) router_ifaces[rs.iface.value] = &rs;

  auto vertex_kept = [&keep](Vertex v) { return keep[v] != 0; };
  auto edge_kept = [&](const boost::graph_traits<Graph>::edge_descriptor& e) {
    return keep[boost::source(e, g)] != 0 && keep[boost::target(e, g)] != 0;
  };
  using EdgePred = std::function<bool(const boost::graph_traits<Graph>::edge_descriptor&)>;
  using VertexPred = std::function<bool(Vertex)>;
  boost::filtered_graph<Graph, EdgePred, VertexPred> shown(g, EdgePred(edge_kept),
                                                           VertexPred(vertex_kept));

  auto vertex_writer = [&](std::ostream& out, Vertex v) {
    const VertexProp& p = g[v];
    std::string label;
    const char* attrs = "";
    switch (p.kind) {
      case VertexKind::kSegment:
        label = view.segment_label ? view.segment_label(SegmentId(p.id)) : impl_->seg_names[p.id];
        attrs = "shape=ellipse, style=filled, fillcolor=\"#e8f0fe\"";
        break;
      case VertexKind::kHost:
        label = view.host_label ? view.host_label(NodeId(p.id), count[v]) : impl_->node_names[p.id];
        attrs = count[v] > 1 ? "shape=box3d" : "shape=box";
        break;
      case VertexKind::kRouter:
        label = view.router_label ? view.router_label(NodeId(p.id)) : impl_->node_names[p.id];
        attrs = "shape=box, style=\"rounded,filled\", fillcolor=\"#fff4d6\"";
        break;
    }
    out << "[label=" << dot_label(label) << ", " << attrs << "]";
  };
  auto edge_writer = [&](std::ostream& out, const boost::graph_traits<Graph>::edge_descriptor& e) {
    auto it = router_ifaces.find(g[e].iface);
    if (it == router_ifaces.end()) return;
    const std::string label =
        view.router_iface_label ? view.router_iface_label(it->second->iface, it->second->iface_name)
                                : it->second->iface_name;
    out << "[label=" << dot_label(label) << "]";
  };
  auto graph_writer = [](std::ostream& out) {
    out << "graph [rankdir=LR, nodesep=0.25, ranksep=0.6, fontname=\"Helvetica\"];\n"
        << "node [fontname=\"Helvetica\", fontsize=10];\n"
        << "edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  };
  boost::write_graphviz(os, shown, vertex_writer, edge_writer, graph_writer);
}

}  // namespace dhcpsim::net
