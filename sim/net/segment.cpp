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

bool ArpHolders::all_hold(uint64_t mac) const {
  if (!many_) return list_.size() == 1 && list_.front().mac == mac;
  return many_->mac_counts.size() == 1 && many_->mac_counts.front().first == mac;
}

const ArpHolders::Holder* ArpHolders::find(IfaceId iface) const {
  if (many_ && many_->mapped) {
    auto it = many_->positions.find(iface.value);
    return it == many_->positions.end() ? nullptr : &list_[it->second];
  }
  for (const Holder& h : list_)
    if (h.iface == iface) return &h;
  return nullptr;
}

void ArpHolders::count(uint64_t mac, int delta) {
  auto& counts = many_->mac_counts;
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (it->first == mac) {
      it->second = static_cast<uint32_t>(static_cast<int>(it->second) + delta);
      if (it->second == 0) counts.erase(it);
      return;
    }
  }
  DHCPSIM_ASSERT(delta > 0, "ARP holder index out of step with a neighbour cache");
  counts.emplace_back(mac, 1u);
}

void ArpHolders::add(IfaceId iface, uint64_t mac) {
  list_.push_back({iface, mac});
  if (list_.size() == 2) {
    many_ = std::make_unique<Many>();
    for (const Holder& h : list_) count(h.mac, +1);
  } else if (many_) {
    count(mac, +1);
  }
  if (!many_) return;
  if (many_->mapped) {
    many_->positions.emplace(iface.value, static_cast<uint32_t>(list_.size() - 1));
  } else if (list_.size() >= kMapFrom) {
    many_->mapped = true;
    for (uint32_t k = 0; k < list_.size(); ++k) many_->positions.emplace(list_[k].iface.value, k);
  }
}

void ArpHolders::set_mac(const Holder* holder, uint64_t mac) {
  Holder* h = at(holder);
  if (h->mac == mac) return;
  if (many_) {
    count(h->mac, -1);
    count(mac, +1);
  }
  h->mac = mac;
}

void ArpHolders::remove(const Holder* holder) {
  // The last entry takes the freed place: the list has no order to keep.
  Holder* h = at(holder);
  const std::size_t k = static_cast<std::size_t>(h - list_.data());
  if (many_) {
    count(h->mac, -1);
    if (many_->mapped) {
      many_->positions.erase(h->iface.value);
      if (k + 1 != list_.size()) many_->positions[list_.back().iface.value] = static_cast<uint32_t>(k);
    }
  }
  if (k + 1 != list_.size()) *h = list_.back();
  list_.pop_back();
  if (list_.size() <= 1) many_.reset();
}

}  // namespace dhcpsim::net
