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

ArpHolders::Holder* ArpHolders::find(IfaceId iface) {
  if (mapped_) {
    auto it = positions_.find(iface.value);
    return it == positions_.end() ? nullptr : &list[it->second];
  }
  for (Holder& h : list)
    if (h.iface == iface) return &h;
  return nullptr;
}

void ArpHolders::add(IfaceId iface, uint64_t mac) {
  list.push_back({iface, mac});
  if (mapped_) {
    positions_.emplace(iface.value, static_cast<uint32_t>(list.size() - 1));
  } else if (list.size() >= kMapFrom) {
    mapped_ = true;
    for (uint32_t k = 0; k < list.size(); ++k) positions_.emplace(list[k].iface.value, k);
  }
}

void ArpHolders::remove(Holder* holder) {
  // The last entry takes the freed place: the list has no order to keep.
  const std::size_t k = static_cast<std::size_t>(holder - list.data());
  if (mapped_) {
    positions_.erase(holder->iface.value);
    if (k + 1 != list.size()) positions_[list.back().iface.value] = static_cast<uint32_t>(k);
  }
  if (k + 1 != list.size()) *holder = list.back();
  list.pop_back();
}

}  // namespace dhcpsim::net
