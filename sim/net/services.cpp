// Protocol services on hosts and routers above UDP (DHCP client, server, relay), and the
// nodes' reactions to link changes. The DHCP engines are attached by the DHCP layer.

#include "dhcpsim/net/network.hpp"

namespace dhcpsim::net {

void Network::udp_received(Host& h, const wire::DecodedFrame& decoded, const FrameRef& frame) {
  (void)h;
  (void)decoded;
  (void)frame;
}

void Network::router_udp(Router& r, IfaceId in, const wire::DecodedFrame& decoded, const FrameRef& frame,
                         const wire::FramePeek& p) {
  (void)r;
  (void)in;
  (void)decoded;
  (void)frame;
  (void)p;
}

void Network::on_link_change(IfaceId iface, bool up) {
  (void)iface;
  (void)up;
}

}  // namespace dhcpsim::net
