#include "dhcpsim/report/records_json.hpp"

#include <cstdio>

#include "dhcpsim/proto/neighbour_cache.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::report {

using nlohmann::json;
using namespace dhcpsim::net;

namespace {

std::string hash_hex(std::span<const std::byte> bytes) {
  // FNV-1a of the frame: traces compare frames without carrying their bytes.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (std::byte b : bytes) {
    h ^= uint8_t(b);
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

struct Visitor {
  const Network& net;
  json& j;

  std::string node(NodeId id) const { return id.valid() ? net.node_name(id) : std::string(); }
  std::string seg(SegmentId id) const { return id.valid() ? net.segment(id).config.name : std::string(); }
  std::string iface_owner(IfaceId id) const { return id.valid() ? net.node_name(net.iface(id).node) : std::string(); }

  void operator()(const FrameSent& r) {
    j["segment"] = seg(r.segment);
    j["node"] = iface_owner(r.iface);
    j["frame"] = r.frame_id;
    j["bytes"] = r.bytes.size();
    j["digest"] = hash_hex(r.bytes);
  }
  void operator()(const FrameDelivered& r) {
    j["segment"] = seg(r.segment);
    j["node"] = iface_owner(r.iface);
    j["frame"] = r.frame_id;
  }
  void operator()(const FrameDropped& r) {
    j["segment"] = seg(r.segment);
    j["node"] = iface_owner(r.iface);
    j["frame"] = r.frame_id;
    j["reason"] = to_string(r.reason);
  }
  void operator()(const ArpCacheChange& r) {
    j["node"] = node(r.node);
    j["ip"] = r.ip.to_string();
    j["old_mac"] = r.old_mac.to_string();
    j["new_mac"] = r.new_mac.to_string();
    j["old_state"] = proto::to_string(static_cast<proto::NudState>(r.old_state));
    j["new_state"] = proto::to_string(static_cast<proto::NudState>(r.new_state));
    j["flip"] = r.flip;
  }
  void operator()(const AddressChange& r) {
    j["node"] = node(r.node);
    j["ip"] = r.ip.to_string();
    j["prefix_len"] = r.prefix_len;
    j["source"] = to_string(r.source);
    j["added"] = r.added;
  }
  void operator()(const ProbeResult& r) {
    j["node"] = node(r.node);
    j["probe"] = to_string(r.kind);
    j["target"] = r.target.to_string();
    j["seq"] = r.seq;
    j["outcome"] = to_string(r.outcome);
    if (r.outcome == ProbeOutcome::kOk) j["rtt_ns"] = r.rtt.ns();
  }
  void operator()(const ConflictStart& r) {
    j["segment"] = seg(r.segment);
    j["ip"] = r.ip.to_string();
    j["holders"] = r.holders;
  }
  void operator()(const ConflictEnd& r) {
    j["segment"] = seg(r.segment);
    j["ip"] = r.ip.to_string();
    j["lasted_ns"] = r.lasted.ns();
  }
  void operator()(const ConflictDetected& r) {
    j["node"] = node(r.node);
    j["ip"] = r.ip.to_string();
    j["other_mac"] = r.other_mac.to_string();
    j["by"] = to_string(r.by);
  }
  void operator()(const AcdEvent& r) {
    j["node"] = node(r.node);
    j["ip"] = r.ip.to_string();
    j["what"] = to_string(r.what);
  }
  void operator()(const DhcpMessageRecord& r) {
    j["node"] = node(r.node);
    j["role"] = to_string(r.role);
    j["direction"] = r.sent ? "sent" : "received";
    j["src_ip"] = r.src_ip.to_string();
    j["dst_ip"] = r.dst_ip.to_string();
    if (r.message != nullptr) {
      const wire::DhcpMessage& m = *r.message;
      auto type = m.message_type();
      j["type"] = type ? wire::to_string(*type) : "BOOTP";
      char xid[11];
      std::snprintf(xid, sizeof xid, "0x%08x", m.xid);
      j["xid"] = xid;
      j["chaddr"] = m.client_mac().to_string();
      j["ciaddr"] = m.ciaddr.to_string();
      j["yiaddr"] = m.yiaddr.to_string();
      j["giaddr"] = m.giaddr.to_string();
      if (auto sid = m.options.server_id()) j["server_id"] = sid->to_string();
      if (auto req = m.options.requested_ip()) j["requested_ip"] = req->to_string();
    }
  }
  void operator()(const DhcpClientState& r) {
    j["node"] = node(r.node);
    j["from"] = r.from;
    j["to"] = r.to;
  }
  void operator()(const LeaseChange& r) {
    j["node"] = node(r.node);
    j["change"] = to_string(r.kind);
    j["ip"] = r.ip.to_string();
    j["server"] = r.server.to_string();
    j["lease_ns"] = r.lease_time.ns();
  }
  void operator()(const ServerLease& r) {
    j["node"] = node(r.server);
    j["change"] = to_string(r.kind);
    j["ip"] = r.ip.to_string();
    j["client"] = r.client.to_string();
    j["pool"] = r.pool;
  }
  void operator()(const RelayEvent& r) {
    j["node"] = node(r.router);
    j["direction"] = r.to_server ? "to_server" : "to_client";
    j["giaddr"] = r.giaddr.to_string();
    j["peer"] = r.peer.to_string();
    j["xid"] = r.xid;
  }
  void operator()(const ServerDrop& r) {
    j["node"] = node(r.server);
    j["queue_length"] = r.queue_length;
  }
  void operator()(const NodeEvent& r) {
    j["node"] = node(r.node);
    j["event"] = to_string(r.kind);
  }
};

}  // namespace

json record_to_json(const Record& record, const Network& network) {
  json j;
  std::visit([&](const auto& r) { j["t_ns"] = r.time.ns(); }, record);
  j["kind"] = to_string(kind_of(record));
  std::visit(Visitor{network, j}, record);
  return j;
}

}  // namespace dhcpsim::report
