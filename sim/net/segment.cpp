#include "dhcpsim/net/segment.hpp"

#include <algorithm>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::net {

void MacIndex::insert(uint64_t mac, IfaceId iface) {
  DHCPSIM_ASSERT(iface.value < kDup, "interface ids stay below 2^31");
  const uint32_t v = index_.find(mac);
  if (v == BlockIndex<uint64_t>::kNone) {
    index_.set(mac, iface.value);
    return;
  }
  if (v & kDup) {
    dups_[v & ~kDup].push_back(iface);
    return;
  }
  // A second interface with this MAC: both move to a list.
  const uint32_t k = dups_.acquire();
  dups_[k] = {IfaceId(v), iface};
  index_.set(mac, kDup | k);
}

void MacIndex::erase(uint64_t mac, IfaceId iface) {
  const uint32_t v = index_.find(mac);
  if (v == BlockIndex<uint64_t>::kNone) return;
  if (!(v & kDup)) {
    if (v == iface.value) index_.erase(mac);
    return;
  }
  const uint32_t k = v & ~kDup;
  IfaceList& l = dups_[k];
  auto it = std::find(l.begin(), l.end(), iface);
  if (it != l.end()) l.erase(it);
  if (l.size() > 1) return;
  DHCPSIM_ASSERT(l.size() == 1, "a duplicate-MAC list holds at least two interfaces");
  index_.set(mac, l.front().value);
  dups_.release(k);
}

}  // namespace dhcpsim::net
